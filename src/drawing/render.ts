import type { Placed, PlacedEdge, PlacedGroup, PlacedNode } from './layout.js';
import { h, type VNode } from './vnode.js';
import { shapeOutline } from './shapes.js';
import { colorValue } from './colors.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

const TITLE = 28;
const GAP = 24;

/**
 * The SVG of one or more laid-out graphs, stacked, each under its alias. Everything sits in one `scene`
 * group, so zoom and pan are one transform. Labels are text nodes; colours go through `colorValue`.
 */
export function renderScene(graphs: readonly Placed[]): VNode {
  let y = 0;
  let width = 0;
  const groups: VNode[] = [];
  for (const placed of graphs) {
    groups.push(
      h('g', { class: 'graph', 'data-graph': placed.title, transform: `translate(0,${y})` }, [
        h('text', { class: 'graph-title', x: 16, y: 18 }, [placed.title]),
        h('g', { transform: `translate(0,${TITLE})` }, [
          ...(placed.groups && placed.groups.length > 0
            ? [
                h(
                  'g',
                  { class: 'groups' },
                  placed.groups.map((g) => renderGroup(g, placed.title)),
                ),
              ]
            : []),
          h('g', { class: 'edges' }, placed.edges.map(renderEdge)),
          h(
            'g',
            { class: 'nodes' },
            placed.nodes.map((n) => renderNode(n, placed.title)),
          ),
        ]),
      ]),
    );
    y += TITLE + placed.height + GAP;
    width = Math.max(width, placed.width);
  }
  const w = Math.ceil(Math.max(width, 200));
  const hgt = Math.ceil(Math.max(y - GAP, 40));
  return h(
    'svg',
    {
      xmlns: SVG_NS,
      class: 'pyflow-graph',
      width: w,
      height: hgt,
      viewBox: `0 0 ${w} ${hgt}`,
      role: 'group',
      'aria-label': `Pyflow graph: ${graphs.map((g) => g.title).join(', ')}`,
    },
    [
      h('defs', {}, [
        h('marker', { id: 'pyflow-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [
          h('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
        ]),
      ]),
      h('g', { class: 'scene' }, groups),
    ],
  );
}

/** One graph as an SVG document (CLI, `G.view()`). */
export function renderSvg(placed: Placed): VNode {
  return renderScene([placed]);
}

/** An expanded group: a box around its nodes, with a header (its name) that collapses it. */
function renderGroup(g: PlacedGroup, graph: string): VNode {
  return h('g', { class: 'group', 'data-group': g.path, 'data-graph': graph, transform: `translate(${round(g.x)},${round(g.y)})` }, [
    h('rect', { class: 'group-box', width: round(g.width), height: round(g.height), rx: 6 }),
    h('g', { class: 'group-header', tabindex: 0, role: 'button', 'aria-expanded': 'true', 'aria-label': `Group ${g.path}, expanded: Enter collapses it` }, [
      h('rect', { class: 'group-header-bg', width: round(g.width), height: 22, rx: 6 }),
      h('text', { class: 'group-label', x: 8, y: 11, 'dominant-baseline': 'central' }, [`▾ ${g.label}`]),
    ]),
  ]);
}

function renderEdge(edge: PlacedEdge): VNode {
  const p = edge.points;
  let d = p.length > 0 ? `M${round(p[0]!.x)},${round(p[0]!.y)}` : '';
  if (edge.spline) {
    for (let i = 1; i + 2 < p.length; i += 3) d += ` C${pt(p[i]!)} ${pt(p[i + 1]!)} ${pt(p[i + 2]!)}`;
  } else {
    for (let i = 1; i < p.length; i++) d += ` L${pt(p[i]!)}`;
  }
  return h('path', { class: 'edge', d, 'marker-end': 'url(#pyflow-arrow)', 'data-from': edge.from, 'data-to': edge.to });
}

function renderNode(p: PlacedNode, graph: string): VNode {
  const n = p.node;
  const shape = n.persist && n.kind !== 'graph' ? 'record' : (n.shape ?? (n.kind === 'graph' ? 'box3d' : 'box'));
  const fill = colorValue(n.color);
  const classes = ['node', `kind-${n.kind}`, `shape-${shape}`];
  if (n.raw) classes.push('raw');
  if (n.dynamic) classes.push('dynamic');
  if (fill) classes.push('filled');
  const cx = p.width / 2;
  const lineHeight = p.fontsize * 1.35;
  const top = p.height / 2 - ((p.lines.length - 1) * lineHeight) / 2;
  const texts = p.lines.map((line, i) =>
    h(
      'text',
      {
        class: i === 0 ? 'label' : 'dim',
        x: round(cx),
        y: round(top + i * lineHeight),
        'font-size': p.fontsize,
        'text-anchor': 'middle',
        'dominant-baseline': 'central',
      },
      [line],
    ),
  );
  const ports = p.ports.map((x) => h('rect', { class: 'port', x: round(x - 3), y: round(p.height - 3), width: 6, height: 6 }));
  const kind = n.kind === 'operation' ? 'Operation' : n.kind === 'graph' ? 'Grafted graph' : n.raw ? 'Raw input' : 'Data';
  return h(
    'g',
    {
      class: classes.join(' '),
      transform: `translate(${round(p.x)},${round(p.y)})`,
      'data-uid': n.uid,
      'data-graph': graph,
      tabindex: -1,
      role: 'button',
      'aria-label': `${kind} ${n.label}, ${n.uid}${n.dim ? `, ${n.dim}` : ''}${n.source ? `, line ${n.source.line}` : ''}`,
    },
    [...shapeOutline(shape, p.width, p.height, fill, p.lines.length > 1 ? top + lineHeight / 2 : undefined), ...texts, ...ports],
  );
}

function pt(p: { x: number; y: number }): string {
  return `${round(p.x)},${round(p.y)}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
