/*
 * Export of the drawing: the SVG with the computed theme colours written into it (CSS variables do not
 * exist outside the webview), and a PNG rendered from that SVG at 2x.
 */
const PROPS = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'fill-opacity', 'font-family', 'font-size', 'font-weight'] as const;

export function exportSvg(canvas: HTMLElement): string {
  const svg = canvas.querySelector('svg');
  if (!svg) return '';
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [clone, ...clone.querySelectorAll('*')];
  originals.forEach((el, i) => {
    const style = getComputedStyle(el);
    const copy = copies[i] as SVGElement;
    for (const prop of PROPS) copy.style.setProperty(prop, style.getPropertyValue(prop));
  });
  clone.querySelector('.scene')?.removeAttribute('transform');
  clone.setAttribute('style', `background:${getComputedStyle(document.body).backgroundColor}`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}

export async function exportPng(canvas: HTMLElement): Promise<string> {
  const svgText = exportSvg(canvas);
  const svg = canvas.querySelector('svg');
  const width = Number(svg?.getAttribute('width') ?? 800);
  const height = Number(svg?.getAttribute('height') ?? 600);
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const scale = Math.min(2, 16384 / Math.max(width, height));
    const out = document.createElement('canvas');
    out.width = Math.ceil(width * scale);
    out.height = Math.ceil(height * scale);
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = getComputedStyle(document.body).backgroundColor;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(image, 0, 0, out.width, out.height);
    return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  } finally {
    URL.revokeObjectURL(url);
  }
}
