import type { GraphModel } from '../src/protocol/index.js';
import { ownUid } from '../src/core/graftedGroup.js';
import type { OverlayState } from './overlay.js';

/**
 * For each node a shown graph draws of a graph it grafts: its view key (`graph\u0000uid` in the graph shown) and the
 * key the trace gives it (its own graph's alias and uid), the grafted graph's ops running under their own graph.
 */
export function graftedKeys(graphs: readonly GraphModel[]): [view: string, traced: string][] {
  const keys: [string, string][] = [];
  for (const g of graphs) {
    for (const n of g.nodes) if (n.graph !== undefined && n.kind !== 'graph') keys.push([`${g.alias}\u0000${n.uid}`, `${n.graph}\u0000${ownUid(n)}`]);
  }
  return keys;
}

/** The overlay with each grafted node in the state its own graph's trace gave it. */
export function withGraftedStates(base: OverlayState, keys: readonly [string, string][]): OverlayState {
  if (keys.length === 0) return base;
  const nodes = new Map(base.nodes);
  for (const [view, traced] of keys) {
    const state = base.nodes.get(traced);
    if (state) nodes.set(view, state);
  }
  return { nodes };
}
