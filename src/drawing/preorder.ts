/*
 * Graphviz dot's layering, crossing reduction and x placement in plain TypeScript, handed to ELK as a finished
 * ordering (see `applyPreorder` in layout.ts): layering.ts, ordering.ts, placement.ts. ELK's own layered crossing
 * minimisation leaves more crossings and a wider drawing on large pipelines (docs/benchmarks.md,
 * `npm run bench -- layout`).
 *
 * No ELK in here: a pure function of the view graph and the node widths.
 */
import { layerGraph, type OrderInput } from './layering.js';
import { orderLayers } from './ordering.js';
import { placeNodes } from './placement.js';

export type { OrderInput } from './layering.js';

export interface Preorder {
  /** Per view node: its layer (0 on top, no empty layers). */
  layer: Int32Array;
  /** Per view node: its centre along the layer. */
  x: Float64Array;
  /** Per view edge: the layer and centre of each of its virtual nodes, top to bottom (none for a one-layer edge). */
  bends: { layer: number; x: number }[][];
  /** Edge crossings of the order found (between virtual and real nodes, ports counted). */
  crossings: number;
}

/** The layout of a view's nodes (widths: along the layers, per view node), or undefined for a cyclic graph. */
export function preorder(view: OrderInput, parts: ReadonlyMap<string, number> | undefined, widths: readonly number[]): Preorder | undefined {
  const graph = layerGraph(view, parts);
  if (!graph) return undefined;
  const { position, crossings } = orderLayers(graph);
  const x = placeNodes(graph, position, widths);
  const n = graph.realCount;
  const bends = view.edges.map((_, i) => {
    const chain: { layer: number; x: number }[] = [];
    for (let k = graph.edgeChainStart[i]!; k < graph.edgeChainStart[i + 1]!; k++) chain.push({ layer: graph.layerOf[n + k]!, x: x[n + k]! });
    return chain;
  });
  return { layer: graph.layerOf.slice(0, n), x: x.slice(0, n), bends, crossings };
}
