/** A tiny element tree: the renderer builds it once, then it becomes DOM (webview) or a string (CLI). */
export interface VNode {
  tag: string;
  attrs: Record<string, string | number>;
  children: (VNode | string)[];
}

export function h(tag: string, attrs: Record<string, string | number | undefined> = {}, children: (VNode | string)[] = []): VNode {
  const clean: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  return { tag, attrs: clean, children };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Serializes to markup; every text and attribute value is escaped. */
export function toMarkup(node: VNode | string): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  return `<${node.tag}${attrs}>${node.children.map(toMarkup).join('')}</${node.tag}>`;
}
