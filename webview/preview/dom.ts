/** An element with a class and text (never HTML: values come from the user's data). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A number as the panel writes it: integers with separators, others with up to 6 significant digits. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const abs = Math.abs(x);
  return abs !== 0 && (abs < 1e-4 || abs >= 1e9) ? x.toExponential(4) : String(Number(x.toPrecision(6)));
}
