import type { GraphModel, ModelEdge, ModelNode } from '../core/model.js';

/** An edge of a view; `port` is the output index when the source op has several outputs. */
export interface ViewEdge extends ModelEdge {
  port?: number;
}

/** What one drawing shows: the nodes and edges of the summary (ops only) or the full view. */
export interface ViewGraph {
  title: string;
  nodes: ModelNode[];
  edges: ViewEdge[];
  /** Number of outputs of each multi-output op (drawn as ports on its lower side). */
  ports: Map<string, number>;
}

/**
 * pyflow's two views. Full: every node. Summary: operations (and grafted graphs) only, with an edge
 * from an op to each op that consumes one of its outputs; an op whose output is persisted is drawn as a
 * record box carrying the output's dimension.
 */
export function viewGraph(model: GraphModel, full: boolean): ViewGraph {
  const kindOf = new Map(model.nodes.map((n) => [n.uid, n.kind]));
  const outputs = new Map<string, string[]>();
  const producerOf = new Map<string, string>();
  const consumers = new Map<string, string[]>();
  for (const e of model.edges) {
    if (kindOf.get(e.from) === 'operation') {
      push(outputs, e.from, e.to);
      producerOf.set(e.to, e.from);
    } else {
      push(consumers, e.from, e.to);
    }
  }
  const ports = new Map<string, number>();
  for (const [op, outs] of outputs) if (outs.length > 1) ports.set(op, outs.length);
  const portOf = (data: string): number | undefined => {
    const op = producerOf.get(data);
    return op !== undefined && ports.has(op) ? outputs.get(op)!.indexOf(data) : undefined;
  };
  if (full) {
    const edges = model.edges.map((e): ViewEdge => {
      const port = kindOf.get(e.from) === 'operation' ? portOf(e.to) : undefined;
      return port === undefined ? e : { ...e, port };
    });
    return { title: model.alias, nodes: model.nodes, edges, ports };
  }
  const byUid = new Map(model.nodes.map((n) => [n.uid, n]));
  const nodes: ModelNode[] = [];
  for (const n of model.nodes) {
    if (n.kind === 'data') continue;
    const persisted = (outputs.get(n.uid) ?? [])
      .map((uid) => byUid.get(uid))
      .filter((d) => d?.persist)
      .at(-1);
    nodes.push(persisted ? { ...n, persist: true, dim: persisted.dim ?? '' } : n);
  }
  const seen = new Set<string>();
  const edges: ViewEdge[] = [];
  for (const n of model.nodes) {
    if (n.kind === 'operation') continue;
    const from = n.kind === 'graph' ? n.uid : producerOf.get(n.uid);
    if (from === undefined) continue;
    const port = n.kind === 'data' ? portOf(n.uid) : undefined;
    for (const to of consumers.get(n.uid) ?? []) {
      const key = `${from}\u0000${port ?? ''}\u0000${to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push(port === undefined ? { from, to } : { from, to, port });
    }
  }
  return { title: model.alias, nodes, edges, ports };
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Above this many nodes a view is first drawn collapsed (no layout engine draws thousands of nodes quickly). */
export const COLLAPSE_THRESHOLD = 1500;

export const GROUP_PREFIX = 'group:';

/**
 * A large view collapsed into bands of consecutive layers (by longest path from the sources): each band is
 * one node `layers a–b · n nodes`, except the bands in `expanded`, whose members are shown. Edges only go
 * from a band to a later one, so the collapsed graph stays a sparse DAG that lays out at once.
 */
export function collapseByDepth(view: ViewGraph, expanded: ReadonlySet<string>, bands = 30): ViewGraph {
  const depth = longestPathDepth(view);
  const maxDepth = Math.max(0, ...depth.values());
  const size = Math.max(1, Math.ceil((maxDepth + 1) / bands));
  const groupOf = new Map<string, string>();
  const members = new Map<string, number>();
  for (const n of view.nodes) {
    const band = Math.floor((depth.get(n.uid) ?? 0) / size);
    const uid = `${GROUP_PREFIX}${band}`;
    members.set(uid, (members.get(uid) ?? 0) + 1);
    groupOf.set(n.uid, expanded.has(uid) ? n.uid : uid);
  }
  const nodes: ModelNode[] = [];
  const made = new Set<string>();
  for (const n of view.nodes) {
    const uid = groupOf.get(n.uid)!;
    if (uid === n.uid) {
      nodes.push(n);
    } else if (!made.has(uid)) {
      made.add(uid);
      const band = Number(uid.slice(GROUP_PREFIX.length));
      const last = Math.min(maxDepth, (band + 1) * size - 1);
      nodes.push({ uid, kind: 'operation', label: `layers ${band * size}–${last} · ${members.get(uid)} nodes`, shape: 'folder' });
    }
  }
  const seen = new Set<string>();
  const edges: ViewEdge[] = [];
  for (const e of view.edges) {
    const from = groupOf.get(e.from)!;
    const to = groupOf.get(e.to)!;
    const key = `${from}\u0000${to}`;
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to });
  }
  return { title: view.title, nodes, edges, ports: new Map() };
}

/** Longest path from a source, for every node of an acyclic view. */
export function longestPathDepth(view: ViewGraph): Map<string, number> {
  const indegree = new Map(view.nodes.map((n) => [n.uid, 0]));
  const children = new Map<string, string[]>();
  for (const e of view.edges) {
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    push(children, e.from, e.to);
  }
  const depth = new Map<string, number>();
  const queue = view.nodes.filter((n) => indegree.get(n.uid) === 0).map((n) => n.uid);
  for (const uid of queue) depth.set(uid, 0);
  for (let head = 0; head < queue.length; head++) {
    const uid = queue[head]!;
    for (const c of children.get(uid) ?? []) {
      depth.set(c, Math.max(depth.get(c) ?? 0, depth.get(uid)! + 1));
      indegree.set(c, indegree.get(c)! - 1);
      if (indegree.get(c) === 0) queue.push(c);
    }
  }
  return depth;
}
