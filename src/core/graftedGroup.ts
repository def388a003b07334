import type { GraphModel, ModelEdge, ModelNode } from './model.js';

/**
 * The uid, in the model of a graph that grafts another, of a node of the grafted graph: `<graph alias>/<uid>`. A node
 * keeps the uid it got in the graph it belongs to (`graph`) however deep the grafts nest.
 */
export const graftedUid = (graph: string, uid: string): string => `${graph}/${uid}`;

/** The uid a node of a model has in its own graph's trace: `adding_0` for `First Graph/adding_0` (see `graftedUid`). */
export const ownUid = (node: ModelNode): string => (node.graph !== undefined && node.kind !== 'graph' ? node.uid.slice(node.graph.length + 1) : node.uid);

/**
 * The name of the group of a grafted graph: its alias, with each `/` (which would nest groups) written `∕` (U+2215)
 * and an empty alias named `graph`, so it is one group name.
 */
export const graftedGroupName = (alias: string): string => alias.replaceAll('/', '\u2215') || 'graph';

/** The box that stands for a grafted graph which grafts back the graph being modelled (a cycle of grafts). */
export const graftedBox = (alias: string): ModelNode => ({ uid: alias, kind: 'graph', label: alias, graph: alias, shape: 'box3d' });

/**
 * What a graph shows of a graph it grafts: the data nodes it uses (`used`, uids in `grafted`) and everything they are
 * computed from, as the group named after the grafted graph (its own groups nested under it: `First Graph/cleaning`).
 * Ops come with all their outputs, so a multi-output op keeps its ports.
 */
export function graftedPart(grafted: GraphModel, used: Iterable<string>): { nodes: ModelNode[]; edges: ModelEdge[] } {
  const into = new Map<string, string[]>();
  for (const e of grafted.edges) {
    const list = into.get(e.to);
    if (list) list.push(e.from);
    else into.set(e.to, [e.from]);
  }
  const ops = new Set<string>();
  const needed = new Set<string>();
  const stack = [...used];
  while (stack.length > 0) {
    const uid = stack.pop()!;
    if (needed.has(uid)) continue;
    needed.add(uid);
    for (const from of into.get(uid) ?? []) stack.push(from);
  }
  const byUid = new Map(grafted.nodes.map((n) => [n.uid, n]));
  for (const uid of needed) if (byUid.get(uid)?.kind === 'operation') ops.add(uid);
  for (const e of grafted.edges) if (ops.has(e.from)) needed.add(e.to);
  const uidOf = (n: ModelNode): string => (n.graph !== undefined ? n.uid : graftedUid(grafted.alias, n.uid));
  const group = graftedGroupName(grafted.alias);
  const nodes = grafted.nodes
    .filter((n) => needed.has(n.uid))
    .map(
      (n): ModelNode => ({
        ...n,
        uid: uidOf(n),
        graph: n.graph ?? grafted.alias,
        group: n.group === undefined ? group : `${group}/${n.group}`,
      }),
    );
  const edges = grafted.edges
    .filter((e) => needed.has(e.from) && needed.has(e.to))
    .map((e) => ({ from: uidOf(byUid.get(e.from)!), to: uidOf(byUid.get(e.to)!) }));
  return { nodes, edges };
}

/**
 * A graph's model with what it uses of the graphs it grafts in front, in the order it first used each: the part of
 * each (`graftedPart`), or its box when it is one of `within` (the graphs being modelled, this one included: a cycle
 * of grafts). `own` has the graph's own nodes and its edges, from grafted data by `graftedUid`; `modelOf` gives the
 * model of a grafted graph (with its own grafts, `within` it).
 */
export function withGrafts<G>(
  own: GraphModel,
  grafts: ReadonlyMap<G, ReadonlySet<string>>,
  within: ReadonlySet<G>,
  graphs: { aliasOf(graph: G): string; modelOf(graph: G, within: ReadonlySet<G>): GraphModel },
): GraphModel {
  if (grafts.size === 0) return own;
  const nodes = new Map<string, ModelNode>();
  const edges = new Map<string, ModelEdge>();
  const boxed = new Map<string, string>();
  for (const [other, used] of grafts) {
    if (within.has(other)) {
      const alias = graphs.aliasOf(other);
      if (!nodes.has(alias)) nodes.set(alias, graftedBox(alias));
      for (const uid of used) boxed.set(graftedUid(alias, uid), alias);
      continue;
    }
    const part = graftedPart(graphs.modelOf(other, new Set([...within, other])), used);
    for (const n of part.nodes) if (!nodes.has(n.uid)) nodes.set(n.uid, n);
    for (const e of part.edges) edges.set(`${e.from}\u0000${e.to}`, e);
  }
  for (const n of own.nodes) nodes.set(n.uid, n);
  for (const e of own.edges) {
    const from = boxed.get(e.from) ?? e.from;
    edges.set(`${from}\u0000${e.to}`, from === e.from ? e : { from, to: e.to });
  }
  return { ...own, nodes: [...nodes.values()], edges: [...edges.values()] };
}
