import { groupNodeUid, type GroupedView } from './groups.js';
import type { ViewGraph } from './viewGraph.js';
import {
  LAYER_GAP,
  PAD,
  PORT,
  elkNode,
  layoutGraph,
  measure,
  type ElkEdge,
  type ElkLike,
  type ElkNode,
  type LayoutSettings,
  type Orderer,
  type Placed,
  type PlacedEdge,
  type PlacedGroup,
  type PlacedNode,
} from './layout.js';

/**
 * Room above a group's nodes for its header (22 high, see render.ts) and the duration badge a finished op shows over
 * its top edge (a 9px line), and around them.
 */
const GROUP_PADDING = '[top=40,left=12,bottom=12,right=12]';

/**
 * Lays a view out: with expanded groups, as ELK compound nodes (`layoutGrouped`); otherwise flat, with the preorder
 * (`layoutGraph`).
 */
export function layoutView(
  elk: ElkLike,
  view: ViewGraph | GroupedView,
  settings: LayoutSettings,
  order?: Orderer,
  onOrdered?: (first: Placed) => void,
): Promise<Placed> {
  return 'groups' in view && view.groups.length > 0 ? layoutGrouped(elk, view, settings) : layoutGraph(elk, view, settings, order, onOrdered);
}

/**
 * A view with expanded groups, each an ELK compound node holding its nodes and nested groups; edges are laid out
 * across the hierarchy (`INCLUDE_CHILDREN`), and ELK returns every position in the root's frame. The preorder does
 * not know compound nodes, so ELK lays these out on its own (and `rank` is not applied inside them); the view
 * starts large grouped graphs collapsed, so what is laid out here stays small.
 */
export async function layoutGrouped(elk: ElkLike, view: GroupedView, settings: LayoutSettings): Promise<Placed> {
  const uidLabels = settings.uidLabels === true;
  const spline = settings.edges === 'splines';
  const measured = new Map(view.nodes.map((n) => [n.uid, measure(n, uidLabels, view.ports.get(n.uid) ?? 0)]));
  const root: ElkNode = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': settings.direction,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.edgeRouting': spline ? 'SPLINES' : 'ORTHOGONAL',
      'elk.separateConnectedComponents': 'false',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeEdge': '5',
      'elk.spacing.edgeNode': '8',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_GAP),
      'elk.layered.considerModelOrder.strategy': 'PREFER_NODES',
      'elk.layered.mergeEdges': 'true',
      'elk.layered.thoroughness': '2',
      ...(spline ? { 'elk.layered.edgeRouting.splines.mode': 'CONSERVATIVE' } : {}),
    },
    children: [],
    edges: [],
  };
  const containers = new Map<string, ElkNode>();
  for (const g of view.groups) {
    const box: ElkNode = { id: groupNodeUid(g.path), children: [], layoutOptions: { 'elk.padding': GROUP_PADDING } };
    containers.set(g.path, box);
    (g.parent === undefined ? root : containers.get(g.parent)!).children!.push(box);
  }
  for (const n of view.nodes) {
    const child = elkNode(n.uid, measured.get(n.uid)!, view.ports.get(n.uid), settings);
    ((n.group !== undefined ? containers.get(n.group) : undefined) ?? root).children!.push(child);
  }
  root.edges = view.edges.map((e, i): ElkEdge => ({ id: `e${i}`, sources: [e.port === undefined ? e.from : `${e.from}\u0000${e.port}`], targets: [e.to] }));
  const out = await elk.layout(root);
  const byId = new Map(view.nodes.map((n) => [n.uid, n]));
  const nodes: PlacedNode[] = [];
  const groups: PlacedGroup[] = [];
  const edgesById = new Map<string, ElkEdge>();
  const labels = new Map(view.groups.map((g) => [groupNodeUid(g.path), g]));
  const visit = (c: ElkNode): void => {
    for (const e of c.edges ?? []) edgesById.set(e.id, e);
    for (const child of c.children ?? []) {
      const group = labels.get(child.id);
      if (group && !byId.has(child.id)) {
        groups.push({
          path: group.path,
          label: group.label,
          x: (child.x ?? 0) + PAD,
          y: (child.y ?? 0) + PAD,
          width: child.width ?? 0,
          height: child.height ?? 0,
        });
        visit(child);
        continue;
      }
      const m = measured.get(child.id)!;
      const ports = (child.ports ?? []).map((p) => (settings.direction === 'DOWN' ? (p.x ?? 0) - (child.x ?? 0) : (p.y ?? 0) - (child.y ?? 0)) + PORT / 2);
      nodes.push({
        node: byId.get(child.id)!,
        x: (child.x ?? 0) + PAD,
        y: (child.y ?? 0) + PAD,
        width: m.width,
        height: m.height,
        fontsize: m.fontsize,
        lines: m.lines,
        ports,
      });
    }
  };
  visit(out);
  const edges: PlacedEdge[] = view.edges.map((e, i) => {
    const section = edgesById.get(`e${i}`)?.sections?.[0];
    const pts = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    return {
      from: e.from,
      to: e.to,
      points: pts.map((p) => ({ x: p.x + PAD, y: p.y + PAD })),
      spline: spline && pts.length >= 4 && (pts.length - 1) % 3 === 0,
    };
  });
  // Nodes in the view's order (the drawing and keyboard order do not depend on the nesting).
  const order = new Map(view.nodes.map((n, i) => [n.uid, i]));
  nodes.sort((a, b) => order.get(a.node.uid)! - order.get(b.node.uid)!);
  return { title: view.title, width: (out.width ?? 0) + 2 * PAD, height: (out.height ?? 0) + 2 * PAD, nodes, edges, groups };
}
