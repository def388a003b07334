import type { ModelNode } from '../protocol/index.js';
import type { ViewGraph } from './viewGraph.js';
import { SCALAR_DIMENSION } from '../core/dims.js';
import { preorder, type OrderInput, type Preorder } from './preorder.js';

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
  ports?: ElkNode[];
  edges?: ElkEdge[];
  layoutOptions?: Record<string, string>;
}

export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  sections?: { id?: string; startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
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
  /** x offsets (relative to the node) of its output ports, for multi-output ops. */
  ports: number[];
}

export interface PlacedEdge {
  from: string;
  to: string;
  points: Point[];
  /** The points are spline control points (`M p0 C p1 p2 p3 …`) rather than a polyline. */
  spline: boolean;
}

/** An expanded group: a box around its nodes (groupLayout.ts), under its name. */
export interface PlacedGroup {
  path: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Placed {
  title: string;
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** The expanded groups, parents before the groups nested in them. */
  groups?: PlacedGroup[];
}

export interface LayoutSettings {
  direction: 'DOWN' | 'RIGHT';
  /** Labels are uids (pyflow's verbose view) instead of aliases. */
  uidLabels?: boolean;
  edges?: 'orthogonal' | 'splines';
}

export const PAD = 16;
export const PORT = 6;

/** A view node as ELK's input: its measured box and, when its outputs are separate ports, one port each in output order. */
export function elkNode(uid: string, size: { width: number; height: number }, portCount: number | undefined, settings: LayoutSettings): ElkNode {
  const node: ElkNode = { id: uid, width: size.width, height: size.height, layoutOptions: {} };
  if (portCount) {
    node.layoutOptions!['elk.portConstraints'] = 'FIXED_ORDER';
    node.ports = Array.from({ length: portCount }, (_, i) => ({
      id: `${uid}\u0000${i}`,
      width: PORT,
      height: PORT,
      layoutOptions: {
        'elk.port.side': settings.direction === 'DOWN' ? 'SOUTH' : 'EAST',
        'elk.port.index': String(portCount - 1 - i),
        'elk.port.borderOffset': String(-PORT / 2),
      },
    }));
  }
  return node;
}
/** What `placeFromPreorder` reproduces of ELK's layout: its default padding around a graph, and our distance between layers. */
const ELK_PADDING = 12;
export const LAYER_GAP = 36;

/** The text lines of a node, as pyflow labels it: alias (or uid), and the dimension for record boxes. */
export function labelLines(node: ModelNode, uidLabels: boolean): string[] {
  const label = uidLabels ? node.uid : node.kind === 'data' && node.raw && node.value !== undefined ? node.value : node.label;
  const short = label.length > 60 ? `${label.slice(0, 59)}…` : label;
  return node.persist && node.kind !== 'graph' ? [short, node.dim ?? (node.raw ? SCALAR_DIMENSION : '')] : [short];
}

function defaultFontsize(node: ModelNode): number {
  const size = node.fontsize ?? (node.kind === 'data' ? 10 : node.kind === 'graph' ? 12.85 : 12);
  return Math.min(Math.max(size, 6), 48);
}

export interface Measured {
  width: number;
  height: number;
  fontsize: number;
  lines: string[];
}

export function measure(node: ModelNode, uidLabels: boolean, ports: number): Measured {
  const fontsize = defaultFontsize(node);
  const lines = labelLines(node, uidLabels);
  const longest = Math.max(...lines.map((l) => l.length), 1);
  const width = Math.max(48, Math.ceil(longest * fontsize * 0.62) + 24, ports * (PORT + 10));
  const height = Math.ceil(lines.length * fontsize * 1.35 + 14);
  return { width, height, fontsize, lines };
}

/**
 * pyflow's `rank`: equal ranks on one layer, lower ranks above. Every node gets an ELK partition (ELK
 * needs all of them) and partitions are layers here: a ranked node gets its rank, an unranked one the
 * layer after its deepest predecessor; a rank that would put a node above one of its inputs is raised
 * (no layout can draw that).
 */
function partitions(view: ViewGraph): Map<string, number> | undefined {
  if (!view.nodes.some((n) => n.rank !== undefined)) return undefined;
  const parents = new Map<string, string[]>();
  for (const e of view.edges) (parents.get(e.to) ?? parents.set(e.to, []).get(e.to)!).push(e.from);
  const result = new Map<string, number>();
  const byUid = new Map(view.nodes.map((n) => [n.uid, n]));
  for (const uid of topologicalOrder(view)) {
    const node = byUid.get(uid);
    const inputs = parents.get(uid) ?? [];
    const below = inputs.length === 0 ? 0 : Math.max(...inputs.map((p) => result.get(p) ?? 0)) + 1;
    result.set(uid, node?.rank !== undefined ? Math.max(below, Math.floor(node.rank)) : below);
  }
  return result;
}

function topologicalOrder(view: ViewGraph): string[] {
  const indegree = new Map(view.nodes.map((n) => [n.uid, 0]));
  const children = new Map<string, string[]>();
  for (const e of view.edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    (children.get(e.from) ?? children.set(e.from, []).get(e.from)!).push(e.to);
  }
  const queue = view.nodes.filter((n) => indegree.get(n.uid) === 0).map((n) => n.uid);
  const order: string[] = [];
  for (let head = 0; head < queue.length; head++) {
    const uid = queue[head]!;
    order.push(uid);
    for (const c of children.get(uid) ?? []) {
      indegree.set(c, indegree.get(c)! - 1);
      if (indegree.get(c) === 0) queue.push(c);
    }
  }
  return order;
}

/**
 * Computes the preorder (preorder.ts): in this thread by default; the webview hands in one that runs in a worker,
 * since it takes 0.2-0.3 s of script at 1,000-1,500 nodes.
 */
export type Orderer = (
  view: OrderInput,
  parts: ReadonlyMap<string, number> | undefined,
  widths: number[],
) => Preorder | undefined | Promise<Preorder | undefined>;

/**
 * Lays a view graph out with ELK's layered algorithm; a pure function of the graph and settings. `onOrdered`, if
 * given, receives a first drawing as soon as the preorder is known, before ELK has run (see `placeFromPreorder`).
 */
export async function layoutGraph(
  elk: ElkLike,
  view: ViewGraph,
  settings: LayoutSettings,
  order: Orderer = preorder,
  onOrdered?: (first: Placed) => void,
): Promise<Placed> {
  const uidLabels = settings.uidLabels === true;
  const measured = new Map(view.nodes.map((n) => [n.uid, measure(n, uidLabels, view.ports.get(n.uid) ?? 0)]));
  const parts = partitions(view);
  const big = view.nodes.length > 400;
  const spline = settings.edges === 'splines';
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': settings.direction,
      'elk.edgeRouting': spline ? 'SPLINES' : 'ORTHOGONAL',
      'elk.separateConnectedComponents': 'false',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeEdge': '5',
      'elk.spacing.edgeNode': '8',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '5',
      'elk.layered.spacing.edgeNodeBetweenLayers': '8',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_GAP),
      // The layering, ordering and placement options below are ELK's own, used only when the preorder declines (a
      // cyclic graph); otherwise applyPreorder switches those phases to INTERACTIVE.
      // Nodes keep the source's order where crossings allow (ordering edges too costs time for the same crossings).
      // Sorting by model order dominates ELK's time on very large graphs: none there.
      'elk.layered.considerModelOrder.strategy': view.nodes.length > 1500 ? 'NONE' : 'PREFER_NODES',
      // On random pipeline DAGs against dot, merged edges and a one-sided greedy switch cut crossings, and merged
      // edges also cut time and area.
      'elk.layered.mergeEdges': 'true',
      // ELK's default thoroughness (7) finds few more crossings for much more time.
      'elk.layered.thoroughness': '2',
      // Up to 400 nodes a one-sided greedy switch, for fewer crossings. Brandes-Koepf placement is kept: simple node
      // placement draws smaller but with more crossings.
      ...(big
        ? {}
        : {
            'elk.layered.crossingMinimization.greedySwitch.type': 'ONE_SIDED',
            'elk.layered.crossingMinimization.greedySwitch.activationThreshold': '0',
          }),
      ...(spline ? { 'elk.layered.edgeRouting.splines.mode': 'CONSERVATIVE' } : {}),
      ...(parts ? { 'elk.partitioning.activate': 'true' } : {}),
    },
    children: view.nodes.map((n) => {
      const child = elkNode(n.uid, measured.get(n.uid)!, view.ports.get(n.uid), settings);
      if (parts) child.layoutOptions!['elk.partitioning.partition'] = String(parts.get(n.uid) ?? 0);
      return child;
    }),
    edges: view.edges.map((e, i) => ({ id: `e${i}`, sources: [e.port === undefined ? e.from : `${e.from}\u0000${e.port}`], targets: [e.to] })),
  };
  // Our own dot-style layering, ordering and placement, kept by ELK's interactive phases (preorder.ts).
  const pre = await order(
    view,
    parts,
    view.nodes.map((n) => {
      const m = measured.get(n.uid)!;
      return settings.direction === 'DOWN' ? m.width : m.height;
    }),
  );
  if (pre) applyPreorder(root, view, pre, settings.direction);
  // ELK's request goes out first; the first drawing (built apart from `root`) is drawn while ELK works.
  const routed = elk.layout(root);
  if (pre && onOrdered) onOrdered(placeFromPreorder(view, pre, measured, settings));
  const out = await routed;
  if (pre) stripInputBends(out);
  const byId = new Map(view.nodes.map((n) => [n.uid, n]));
  const nodes: PlacedNode[] = (out.children ?? []).map((c) => {
    const m = measured.get(c.id)!;
    const ports = (c.ports ?? []).map((p) => (settings.direction === 'DOWN' ? (p.x ?? 0) : (p.y ?? 0)) + PORT / 2);
    return { node: byId.get(c.id)!, x: (c.x ?? 0) + PAD, y: (c.y ?? 0) + PAD, width: m.width, height: m.height, fontsize: m.fontsize, lines: m.lines, ports };
  });
  const edges: PlacedEdge[] = (out.edges ?? []).map((e, i) => {
    const section = e.sections?.[0];
    const pts = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    return {
      from: view.edges[i]!.from,
      to: view.edges[i]!.to,
      points: pts.map((p) => ({ x: p.x + PAD, y: p.y + PAD })),
      spline: spline && pts.length >= 4 && (pts.length - 1) % 3 === 0,
    };
  });
  return { title: view.title, width: (out.width ?? 0) + 2 * PAD, height: (out.height ?? 0) + 2 * PAD, nodes, edges };
}

/**
 * The drawing the preorder alone gives, before ELK has run: nodes where ELK will put them (ELK's interactive phases
 * keep the preorder's positions along the layers, and stack the layers LAYER_GAP apart, centred on a line), and
 * edges drawn simply through their virtual nodes (orthogonal through the middle of each gap between layers, or
 * curved). ELK then only routes the edges apart. A view that shows no drawing of the file yet shows this while ELK
 * works (its worker's first layout in a new view takes about 1 s more).
 */
function placeFromPreorder(view: ViewGraph, pre: Preorder, measured: ReadonlyMap<string, Measured>, settings: LayoutSettings): Placed {
  const down = settings.direction === 'DOWN';
  const spline = settings.edges === 'splines';
  const sizes = view.nodes.map((n) => measured.get(n.uid)!);
  const depthOf = (i: number): number => (down ? sizes[i]!.height : sizes[i]!.width);
  let layers = 0;
  for (const l of pre.layer) layers = Math.max(layers, l + 1);
  const depth = new Float64Array(layers);
  view.nodes.forEach((_, i) => {
    depth[pre.layer[i]!] = Math.max(depth[pre.layer[i]!]!, depthOf(i));
  });
  // Each layer's centre line across the layers, in the drawing's coordinates.
  const centre = new Float64Array(layers);
  let across = PAD + ELK_PADDING;
  for (let l = 0; l < layers; l++) {
    centre[l] = across + depth[l]! / 2;
    across += depth[l]! + LAYER_GAP;
  }
  const alongOffset = PAD + ELK_PADDING;
  // Points are made as (along, across) and turned into (x, y) last.
  const xy = (along: number, acr: number): Point => (down ? { x: along, y: acr } : { x: acr, y: along });
  const index = new Map(view.nodes.map((n, i) => [n.uid, i]));
  const nodes: PlacedNode[] = view.nodes.map((node, i) => {
    const m = sizes[i]!;
    const breadth = down ? m.width : m.height;
    const k = view.ports.get(node.uid) ?? 0;
    // Output ports along the node's lower (right) side, left to right, with equal gaps between them and to the
    // corners, as ELK places a fixed port order.
    const gap = (breadth - k * PORT) / (k + 1);
    const at = Array.from({ length: k }, (_, p) => gap * (p + 1) + PORT * p + PORT / 2);
    const a = pre.x[i]! + alongOffset - breadth / 2;
    const c = centre[pre.layer[i]!]! - depthOf(i) / 2;
    const { x, y } = xy(a, c);
    return { node, x, y, width: m.width, height: m.height, fontsize: m.fontsize, lines: m.lines, ports: at };
  });
  const edges: PlacedEdge[] = view.edges.map((e, ei) => {
    const s = index.get(e.from)!,
      t = index.get(e.to)!;
    const sl = pre.layer[s]!,
      tl = pre.layer[t]!;
    const portAt = e.port === undefined ? undefined : nodes[s]!.ports[e.port];
    const start = portAt === undefined ? pre.x[s]! + alongOffset : nodes[s]![down ? 'x' : 'y'] + portAt;
    // (along, across) of where the edge leaves each layer and enters the next, top to bottom.
    const stops: [number, number][] = [[start, centre[sl]! + depthOf(s) / 2]];
    for (const b of pre.bends[ei] ?? []) stops.push([b.x + alongOffset, centre[b.layer]!]);
    stops.push([pre.x[t]! + alongOffset, centre[tl]! - depthOf(t) / 2]);
    const points: Point[] = [xy(stops[0]![0], stops[0]![1])];
    for (let k = 1; k < stops.length; k++) {
      const a0 = stops[k - 1]![0],
        [a1, c1] = stops[k]!;
      // The middle of the gap above the next stop's layer.
      const layer = k === stops.length - 1 ? tl : pre.bends[ei]![k - 1]!.layer;
      const gap = centre[layer]! - depth[layer]! / 2 - LAYER_GAP / 2;
      if (!spline && a0 === a1) points.push(xy(a1, c1));
      else points.push(xy(a0, gap), xy(a1, gap), xy(a1, c1));
    }
    return { from: e.from, to: e.to, points, spline };
  });
  let along = 0;
  for (const n of nodes) along = Math.max(along, down ? n.x + n.width : n.y + n.height);
  const breadthTotal = along + ELK_PADDING + PAD;
  const depthTotal = across - LAYER_GAP + ELK_PADDING + PAD;
  return { title: view.title, width: down ? breadthTotal : depthTotal, height: down ? depthTotal : breadthTotal, nodes, edges };
}

/** Layer distance and origin of the positions handed to ELK (positions must be positive for its interactive phases). */
const GAP = 1000;
/**
 * The fraction every input bend point carries, so that the ones ELK leaves on edges it ends up drawing straight
 * can be told from its own and dropped (`stripInputBends`).
 */
const MARK = 0.123;
const isMark = (v: number): boolean => Math.abs(v - Math.round(v - MARK) - MARK) < 1e-6;

/**
 * Hands a preorder to ELK: node positions and, for each long edge, bend points at its virtual nodes, with ELK's
 * layering, crossing minimisation and node placement set to INTERACTIVE (they then keep what they are given; ELK
 * still routes the edges, places ports and applies the spacings). `p` was computed with the nodes' breadths
 * along the layers.
 * Facts about elkjs 0.12 this relies on (found by testing): ELK reads input bend points in its internal
 * left-to-right frame (x = layer axis) whatever the direction; each section's start and end point must lie on the
 * lower / upper side of its nodes, else ELK puts free ports on the nodes' sides; and it keeps input bend points on
 * edges it draws straight (see `stripInputBends`).
 */
function applyPreorder(root: ElkNode, view: OrderInput, p: Preorder, direction: 'DOWN' | 'RIGHT'): void {
  const children = root.children!;
  const byId = new Map(children.map((c) => [c.id, c]));
  const down = direction === 'DOWN';
  // A node's breadth along its layer (x for DOWN, y for RIGHT) and its depth across it.
  const breadth = (c: ElkNode): number => (down ? c.width! : c.height!);
  const depth = (c: ElkNode): number => (down ? c.height! : c.width!);
  const opts = root.layoutOptions!;
  opts['elk.layered.layering.strategy'] = 'INTERACTIVE';
  opts['elk.layered.crossingMinimization.strategy'] = 'INTERACTIVE';
  opts['elk.layered.nodePlacement.strategy'] = 'INTERACTIVE';
  // The model-order sort would only cost time now (it dominated ELK's profile).
  opts['elk.layered.considerModelOrder.strategy'] = 'NONE';
  const index = new Map(view.nodes.map((v, i) => [v.uid, i]));
  const along = (i: number): number => p.x[i]! + GAP;
  const across = (i: number): number => p.layer[i]! * GAP + GAP;
  for (const c of children) {
    const i = index.get(c.id)!;
    const a = along(i) - breadth(c) / 2;
    const b = across(i) - depth(c) / 2;
    if (down) {
      c.x = a;
      c.y = b;
    } else {
      c.x = b;
      c.y = a;
    }
  }
  const endPoint = (uid: string, side: 1 | -1): { x: number; y: number } => {
    const i = index.get(uid)!;
    const a = along(i);
    const b = across(i) + (side * depth(byId.get(uid)!)) / 2;
    return down ? { x: a, y: b } : { x: b, y: a };
  };
  root.edges = root.edges!.map((e, i): ElkEdge => {
    const chain = p.bends[i]!;
    if (chain.length === 0) return e;
    const ve = view.edges[i]!;
    const bendPoints = chain.map((c) => ({ x: c.layer * GAP + GAP + MARK, y: Math.round(c.x) + GAP + MARK }));
    return { ...e, sections: [{ id: `${e.id}_s`, startPoint: endPoint(ve.from, 1), endPoint: endPoint(ve.to, -1), bendPoints }] };
  });
}

/** Drops the input bend points ELK kept on edges it drew without them. */
function stripInputBends(out: ElkNode): void {
  for (const e of out.edges ?? []) {
    for (const s of e.sections ?? []) if (s.bendPoints) s.bendPoints = s.bendPoints.filter((b) => !(isMark(b.x) && isMark(b.y)));
  }
}
