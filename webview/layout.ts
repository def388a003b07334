import type { ModelNode } from '../src/protocol/index.js';
import type { ViewGraph } from '../src/core/summary.js';

/** The part of elkjs's API the layout uses, so the same code runs with a worker or in-process. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  children?: ElkNode[];
  edges?: ElkEdge[];
  layoutOptions?: Record<string, string>;
}

export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  sections?: { startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  node: ModelNode;
  x: number;
  y: number;
  width: number;
  height: number;
  fontsize: number;
  lines: string[];
}

export interface PlacedEdge {
  from: string;
  to: string;
  points: Point[];
}

export interface Placed {
  title: string;
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export interface LayoutSettings {
  direction: 'DOWN' | 'RIGHT';
  /** Labels are uids (pyflow's verbose view) instead of aliases. */
  uidLabels?: boolean;
}

const PAD = 16;

/** The text lines of a node, as pyflow labels it: alias (or uid), and the dimension for record boxes. */
export function labelLines(node: ModelNode, uidLabels: boolean): string[] {
  const label = uidLabels ? node.uid : node.kind === 'data' && node.raw && node.value !== undefined ? node.value : node.label;
  return node.persist && node.kind !== 'graph' ? [label, node.dim ?? ''] : [label];
}

export function defaultFontsize(node: ModelNode): number {
  return node.fontsize ?? (node.kind === 'data' ? 10 : node.kind === 'graph' ? 12.85 : 12);
}

function measure(node: ModelNode, uidLabels: boolean): { width: number; height: number; fontsize: number; lines: string[] } {
  const fontsize = defaultFontsize(node);
  const lines = labelLines(node, uidLabels);
  const longest = Math.max(...lines.map((l) => l.length), 1);
  const width = Math.max(48, Math.ceil(longest * fontsize * 0.62) + 24);
  const height = Math.ceil(lines.length * fontsize * 1.35 + 14);
  return { width, height, fontsize, lines };
}

/** Lays a view graph out with ELK's layered algorithm; a pure function of the graph and settings. */
export async function layoutGraph(elk: ElkLike, view: ViewGraph, settings: LayoutSettings): Promise<Placed> {
  const measured = new Map(view.nodes.map((n) => [n.uid, measure(n, settings.uidLabels === true)]));
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': settings.direction,
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.separateConnectedComponents': 'false',
      'elk.spacing.nodeNode': '24',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
    },
    children: view.nodes.map((n) => {
      const m = measured.get(n.uid)!;
      const child: ElkNode = { id: n.uid, width: m.width, height: m.height };
      if (n.rank === 0) child.layoutOptions = { 'elk.layered.layering.layerConstraint': 'FIRST' };
      return child;
    }),
    edges: view.edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  };
  const out = await elk.layout(root);
  const byId = new Map(view.nodes.map((n) => [n.uid, n]));
  const nodes: PlacedNode[] = (out.children ?? []).map((c) => {
    const m = measured.get(c.id)!;
    return { node: byId.get(c.id)!, x: (c.x ?? 0) + PAD, y: (c.y ?? 0) + PAD, width: m.width, height: m.height, fontsize: m.fontsize, lines: m.lines };
  });
  const edges: PlacedEdge[] = (out.edges ?? []).map((e, i) => {
    const section = e.sections?.[0];
    const pts = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    return { from: view.edges[i]!.from, to: view.edges[i]!.to, points: pts.map((p) => ({ x: p.x + PAD, y: p.y + PAD })) };
  });
  return { title: view.title, width: (out.width ?? 0) + 2 * PAD, height: (out.height ?? 0) + 2 * PAD, nodes, edges };
}
