import type { GraphModel, ModelNode } from './model.js';

/** What one drawing shows: the nodes and edges of the summary (ops only) or the full view. */
export interface ViewGraph {
  title: string;
  nodes: ModelNode[];
  edges: { from: string; to: string }[];
}

/**
 * pyflow's two views. Full: every node. Summary: operations (and grafted graphs) only, with an edge
 * from an op to each op that consumes one of its outputs; an op whose output is persisted is drawn as a
 * record box carrying the output's dimension.
 */
export function viewGraph(model: GraphModel, full: boolean): ViewGraph {
  if (full) return { title: model.alias, nodes: model.nodes, edges: model.edges };
  const byUid = new Map(model.nodes.map((n) => [n.uid, n]));
  const producerOf = new Map<string, string>();
  const consumers = new Map<string, string[]>();
  for (const e of model.edges) {
    const from = byUid.get(e.from);
    if (from?.kind === 'operation') producerOf.set(e.to, e.from);
    else (consumers.get(e.from) ?? consumers.set(e.from, []).get(e.from)!).push(e.to);
  }
  const nodes: ModelNode[] = [];
  for (const n of model.nodes) {
    if (n.kind === 'data') continue;
    const outputs = model.edges.filter((e) => e.from === n.uid).map((e) => byUid.get(e.to)).filter((d) => d?.kind === 'data');
    const persisted = outputs.filter((d) => d?.persist).at(-1);
    nodes.push(persisted ? { ...n, persist: true, dim: persisted.dim ?? '' } : n);
  }
  const seen = new Set<string>();
  const edges: { from: string; to: string }[] = [];
  for (const n of model.nodes) {
    if (n.kind !== 'data' && n.kind !== 'graph') continue;
    const from = n.kind === 'graph' ? n.uid : producerOf.get(n.uid);
    if (from === undefined) continue;
    for (const to of consumers.get(n.uid) ?? []) {
      const key = `${from}\u0000${to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to });
    }
  }
  return { title: model.alias, nodes, edges };
}

/** Every node `targets` depend on (pyflow's view_dependency): their ancestors, and the targets themselves. */
export function dependencyClosure(model: GraphModel, targets: readonly string[]): Set<string> {
  const parents = new Map<string, string[]>();
  for (const e of model.edges) (parents.get(e.to) ?? parents.set(e.to, []).get(e.to)!).push(e.from);
  const seen = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const uid = stack.pop()!;
    if (seen.has(uid)) continue;
    seen.add(uid);
    for (const p of parents.get(uid) ?? []) stack.push(p);
  }
  return seen;
}
