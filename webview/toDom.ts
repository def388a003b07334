import type { VNode } from '../src/drawing/vnode.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Builds SVG DOM from a VNode tree; text is always set as text content, never parsed. */
export function toDom(node: VNode | string): Node {
  if (typeof node === 'string') return document.createTextNode(node);
  const el = document.createElementNS(SVG_NS, node.tag);
  for (const [k, v] of Object.entries(node.attrs)) el.setAttribute(k, String(v));
  for (const child of node.children) el.appendChild(toDom(child));
  return el;
}
