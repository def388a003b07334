import type { Placed, PlacedEdge, PlacedNode } from './layout.js';
import { h, type VNode } from './vnode.js';
import { shapeOutline } from './shapes.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The SVG of a laid-out graph. Labels are text nodes; colors go through `safeColor`. */
export function renderSvg(placed: Placed): VNode {
  return h('svg', {
    xmlns: SVG_NS, class: 'pyflow-graph', width: Math.ceil(placed.width), height: Math.ceil(placed.height),
    viewBox: `0 0 ${Math.ceil(placed.width)} ${Math.ceil(placed.height)}`, role: 'img', 'aria-label': `Graph ${placed.title}`,
  }, [
    h('defs', {}, [
      h('marker', { id: 'pyflow-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [
        h('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
      ]),
    ]),
    h('g', { class: 'edges' }, placed.edges.map(renderEdge)),
    h('g', { class: 'nodes' }, placed.nodes.map(renderNode)),
  ]);
}

function renderEdge(edge: PlacedEdge): VNode {
  const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ');
  return h('path', { class: 'edge', d, 'marker-end': 'url(#pyflow-arrow)', 'data-from': edge.from, 'data-to': edge.to });
}

function renderNode(p: PlacedNode): VNode {
  const n = p.node;
  const shape = n.persist && n.kind !== 'graph' ? 'record' : n.shape ?? (n.kind === 'graph' ? 'box3d' : 'box');
  const fill = safeColor(n.color);
  const classes = ['node', `kind-${n.kind}`, `shape-${shape}`];
  if (n.raw) classes.push('raw');
  if (n.dynamic) classes.push('dynamic');
  if (fill) classes.push('filled');
  const cx = p.width / 2;
  const lineHeight = p.fontsize * 1.35;
  const top = p.height / 2 - ((p.lines.length - 1) * lineHeight) / 2;
  const texts = p.lines.map((line, i) =>
    h('text', { class: i === 0 ? 'label' : 'dim', x: round(cx), y: round(top + i * lineHeight), 'font-size': p.fontsize, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, [line]));
  const title = `${n.uid}${n.fn && n.fn !== n.label ? ` (${n.fn})` : ''}${n.dim ? ` ${n.dim}` : ''}`;
  return h('g', {
    class: classes.join(' '), transform: `translate(${round(p.x)},${round(p.y)})`, 'data-uid': n.uid, tabindex: 0, role: 'button',
    'aria-label': `${n.kind === 'operation' ? 'Operation' : n.kind === 'graph' ? 'Grafted graph' : 'Data'} ${n.label}, ${n.uid}`,
  }, [
    h('title', {}, [title]),
    ...shapeOutline(shape, p.width, p.height, fill, p.lines.length > 1 ? top + lineHeight / 2 : undefined),
    ...texts,
  ]);
}

/** A colour name or hex code, or undefined for anything else (never passed through as markup). */
export function safeColor(color: string | undefined): string | undefined {
  if (color === undefined) return undefined;
  return /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30})$/.test(color) ? color.toLowerCase() : undefined;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
