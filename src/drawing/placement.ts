/*
 * Placement: each node's centre along its layer, for a fixed order. Layer by layer, in sweeps down and up, every
 * node is pulled towards the weighted median of its neighbours' positions (at their ports), under the minimum
 * separations of the order: a weighted isotonic regression (pool adjacent violators). Links between virtual
 * nodes weigh most, so that long edges run straight.
 */
import { IsotonicRegression } from './isotonic.js';
import { SLOTS, type LayeredGraph } from './layering.js';

/** Minimum gaps between two real nodes, two virtual nodes, and one of each (beyond their half widths). */
const NODE_SEP = 24;
const VIRTUAL_SEP = 5;
const MIXED_SEP = 8;
/** Pull of a link between two virtual nodes, and between a virtual and a real node (real-real: 1). */
const VIRTUAL_WEIGHT = 8;
const MIXED_WEIGHT = 2;
/** Pull of a node's current position when it has no neighbours on the sides used. */
const STAY_WEIGHT = 1e-3;
const SWEEPS = 8;
const FINAL_ROUNDS = 2;

/**
 * Centres of every node (real and virtual) along the layers, the leftmost box edge at 0. `widths`: per real node,
 * its extent along the layer; virtual nodes have none.
 */
export function placeNodes(g: LayeredGraph, position: Int32Array, widths: readonly number[]): Float64Array {
  const placer = new LayerPlacer(g, position, widths);
  // The first sweep down sees only the layers above, still packed from 0; every later step sees both sides.
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    if (sweep % 2 === 0) for (let l = 1; l < g.layerCount; l++) placer.place(l, sweep > 0);
    else for (let l = g.layerCount - 2; l >= 0; l--) placer.place(l, true);
  }
  for (let round = 0; round < FINAL_ROUNDS; round++) {
    for (let l = 0; l < g.layerCount; l++) placer.place(l, true);
    for (let l = g.layerCount - 1; l >= 0; l--) placer.place(l, true);
  }
  return placer.leftAligned();
}

/**
 * Places one layer at a time, its neighbours' centres fixed. Invariant: along every layer, neighbours are at least
 * their separation apart (it holds for the packed start, and every placement keeps it).
 */
class LayerPlacer {
  /** Per node: its centre. */
  private readonly x: Float64Array;
  /** Per node: its extent along the layer (0 for a virtual node). */
  private readonly width: Float64Array;
  /** Per slot of the ordering (layerStart[layer] + position): the node there. */
  private readonly nodeAt: Int32Array;
  /**
   * Per position in the layer being placed: its centre when the layer is packed from 0. A layer's centres keep
   * every separation exactly when x − packedOffset does not decrease along it, which makes each placement an
   * isotonic regression of `target` (the wanted centre − packedOffset) with `weight`.
   */
  private readonly packedOffset: Float64Array;
  private readonly target: Float64Array;
  private readonly weight: Float64Array;
  private readonly solution: Float64Array;
  private readonly isotonic: IsotonicRegression;
  /** The centres one node's neighbours want it at (under their ports, or with its port above them), and their pulls. */
  private readonly wanted: number[] = [];
  private readonly pulls: number[] = [];

  constructor(
    private readonly g: LayeredGraph,
    position: Int32Array,
    widths: readonly number[],
  ) {
    this.x = new Float64Array(g.nodeCount);
    this.width = new Float64Array(g.nodeCount);
    for (let v = 0; v < g.realCount; v++) this.width[v] = widths[v]!;
    this.nodeAt = new Int32Array(g.nodeCount);
    for (let v = 0; v < g.nodeCount; v++) this.nodeAt[g.layerStart[g.layerOf[v]!]! + position[v]!] = v;
    this.packedOffset = new Float64Array(g.widestLayer);
    this.target = new Float64Array(g.widestLayer);
    this.weight = new Float64Array(g.widestLayer);
    this.solution = new Float64Array(g.widestLayer);
    this.isotonic = new IsotonicRegression(g.widestLayer);
    for (let l = 0; l < g.layerCount; l++) this.pack(l);
  }

  /** Packs a layer from 0: each node its separation to the right of its left neighbour. */
  private pack(layer: number): void {
    const first = this.g.layerStart[layer]!;
    let x = 0;
    for (let k = first; k < this.g.layerStart[layer + 1]!; k++) {
      if (k > first) x += separation(this.g.realCount, this.width, this.nodeAt[k - 1]!, this.nodeAt[k]!);
      this.x[this.nodeAt[k]!] = x;
    }
  }

  /**
   * Moves the nodes of a layer to the centres closest (in weighted least squares) to the weighted medians of what
   * their neighbours above (and below, with `useBelow`) want, keeping every separation.
   */
  place(layer: number, useBelow: boolean): void {
    const first = this.g.layerStart[layer]!,
      count = this.g.layerStart[layer + 1]! - first;
    for (let i = 0; i < count; i++) {
      const v = this.nodeAt[first + i]!;
      this.packedOffset[i] = i === 0 ? 0 : this.packedOffset[i - 1]! + separation(this.g.realCount, this.width, this.nodeAt[first + i - 1]!, v);
      const total = this.collectWanted(v, useBelow);
      const hasNeighbours = this.wanted.length > 0;
      this.target[i] = (hasNeighbours ? weightedMedian(this.wanted, this.pulls, total) : this.x[v]!) - this.packedOffset[i]!;
      this.weight[i] = hasNeighbours ? total : STAY_WEIGHT;
    }
    this.isotonic.solve(this.target, this.weight, count, this.solution);
    for (let i = 0; i < count; i++) this.x[this.nodeAt[first + i]!] = this.solution[i]! + this.packedOffset[i]!;
  }

  /** Fills `wanted` and `pulls` for node v from its neighbours above (then below); returns the summed pull. */
  private collectWanted(v: number, useBelow: boolean): number {
    const g = this.g,
      realCount = g.realCount;
    this.wanted.length = 0;
    this.pulls.length = 0;
    let total = 0;
    for (let k = g.upStart[v]!; k < g.upStart[v + 1]!; k++) {
      const u = g.upNode[k]!,
        pull = linkWeight(realCount, u, v);
      this.wanted.push(this.x[u]! + portOffset(realCount, this.width, u, g.upSlot[k]!));
      this.pulls.push(pull);
      total += pull;
    }
    if (useBelow) {
      for (let k = g.downStart[v]!; k < g.downStart[v + 1]!; k++) {
        const u = g.downNode[k]!,
          pull = linkWeight(realCount, u, v);
        this.wanted.push(this.x[u]! - portOffset(realCount, this.width, v, g.downSlot[k]!));
        this.pulls.push(pull);
        total += pull;
      }
    }
    return total;
  }

  /** The centres, shifted so that the leftmost box edge is at 0. */
  leftAligned(): Float64Array {
    let min = Infinity;
    for (let v = 0; v < this.g.nodeCount; v++) min = Math.min(min, this.x[v]! - this.width[v]! / 2);
    for (let v = 0; v < this.g.nodeCount; v++) this.x[v]! -= min;
    return this.x;
  }
}

/** Centre-to-centre minimum between neighbours a (left) and b; nodes from realCount on are virtual. */
function separation(realCount: number, width: Float64Array, a: number, b: number): number {
  const gap = a < realCount && b < realCount ? NODE_SEP : a >= realCount && b >= realCount ? VIRTUAL_SEP : MIXED_SEP;
  return (width[a]! + width[b]!) / 2 + gap;
}

/** The pull of the link between a and b: links between virtual nodes pull hardest, so that long edges run straight. */
function linkWeight(realCount: number, a: number, b: number): number {
  return a >= realCount && b >= realCount ? VIRTUAL_WEIGHT : a >= realCount || b >= realCount ? MIXED_WEIGHT : 1;
}

/** Where a port slot sits relative to its node's centre (virtual nodes have no width). */
function portOffset(realCount: number, width: Float64Array, u: number, slot: number): number {
  return u < realCount ? (slot / SLOTS - 0.5) * width[u]! : 0;
}

/** The weighted median of `values` (the midpoint when the weight splits exactly in half); `total`: the weights' sum. */
function weightedMedian(values: readonly number[], weights: readonly number[], total: number): number {
  const byValue = values.map((_, j) => j).sort((p, q) => values[p]! - values[q]!);
  let acc = 0,
    value = values[byValue[byValue.length - 1]!]!;
  for (let r = 0; r < byValue.length; r++) {
    const j = byValue[r]!;
    acc += weights[j]!;
    if (acc >= total / 2) {
      value = acc === total / 2 && byValue.length > 1 ? (values[j]! + values[byValue[r + 1]!]!) / 2 : values[j]!;
      break;
    }
  }
  return value;
}
