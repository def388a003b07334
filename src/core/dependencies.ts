import type { ModelEdge } from './model.js';

/** Every node `targets` depend on (pyflow's view_dependency): their ancestors, and the targets themselves. */
export function dependencyClosure(graph: { edges: readonly ModelEdge[] }, targets: readonly string[]): Set<string> {
  const parents = new Map<string, string[]>();
  for (const e of graph.edges) (parents.get(e.to) ?? parents.set(e.to, []).get(e.to)!).push(e.from);
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
