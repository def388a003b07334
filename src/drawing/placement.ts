/*
 * Placement: each node's centre along its layer, for a fixed order. Layer by layer, in sweeps down and up, every
 * node is pulled towards the weighted median of its neighbours' positions (at their ports), under the minimum
 * separations of the order: a weighted isotonic regression (pool adjacent violators). Links between virtual
 * nodes weigh most, so that long edges run straight.
 */
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
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    if (sweep % 2 === 0) for (let l = 1; l < g.layerCount; l++) placer.place(l, true, sweep > 0);
    else for (let l = g.layerCount - 2; l >= 0; l--) placer.place(l, true, true);
  }
  for (let round = 0; round < FINAL_ROUNDS; round++) {
    for (let l = 0; l < g.layerCount; l++) placer.place(l, true, true);
    for (let l = g.layerCount - 1; l >= 0; l--) placer.place(l, true, true);
  }
  return placer.leftAligned();
}

class LayerPlacer {
  private readonly x: Float64Array;
  private readonly width: Float64Array;
  private readonly slotNode: Int32Array;
  private readonly target: Float64Array;
  private readonly weight: Float64Array;
  private readonly offset: Float64Array;
  private readonly blockValue: Float64Array;
  private readonly blockWeight: Float64Array;
  private readonly blockSize: Int32Array;
  /** The number of blocks of the last isotonic solution. */
  private blocks = 0;
  private readonly values: number[] = [];
  private readonly weights: number[] = [];

  constructor(
    private readonly g: LayeredGraph,
    position: Int32Array,
    widths: readonly number[],
  ) {
    const widest = g.widestLayer;
    this.x = new Float64Array(g.nodeCount);
    this.width = new Float64Array(g.nodeCount);
    for (let v = 0; v < g.realCount; v++) this.width[v] = widths[v]!;
    this.slotNode = new Int32Array(g.nodeCount);
    for (let v = 0; v < g.nodeCount; v++) this.slotNode[g.layerStart[g.layerOf[v]!]! + position[v]!] = v;
    this.target = new Float64Array(widest);
    this.weight = new Float64Array(widest);
    this.offset = new Float64Array(widest);
    this.blockValue = new Float64Array(widest);
    this.blockWeight = new Float64Array(widest);
    this.blockSize = new Int32Array(widest);
    // Start with each layer packed from 0.
    for (let l = 0; l < g.layerCount; l++) {
      let x = 0;
      for (let k = g.layerStart[l]!; k < g.layerStart[l + 1]!; k++) {
        if (k > g.layerStart[l]!) x += separation(g.realCount, this.width, this.slotNode[k - 1]!, this.slotNode[k]!);
        this.x[this.slotNode[k]!] = x;
      }
    }
  }

  /** Places layer l from its neighbours above (and below, with `useBelow`). */
  place(l: number, useAbove: boolean, useBelow: boolean): void {
    const g = this.g,
      x = this.x,
      values = this.values,
      weights = this.weights;
    const slotNode = this.slotNode,
      offset = this.offset,
      width = this.width,
      n = g.realCount;
    const first = g.layerStart[l]!,
      m = g.layerStart[l + 1]! - first;
    for (let i = 0; i < m; i++) {
      const v = slotNode[first + i]!;
      values.length = 0;
      weights.length = 0;
      let total = 0;
      if (useAbove) {
        for (let k = g.upStart[v]!; k < g.upStart[v + 1]!; k++) {
          const u = g.upNode[k]!,
            w = linkWeight(n, u, v);
          values.push(x[u]! + portOffset(n, width, u, g.upSlot[k]!));
          weights.push(w);
          total += w;
        }
      }
      if (useBelow) {
        for (let k = g.downStart[v]!; k < g.downStart[v + 1]!; k++) {
          const u = g.downNode[k]!,
            w = linkWeight(n, u, v);
          values.push(x[u]! - portOffset(n, width, v, g.downSlot[k]!));
          weights.push(w);
          total += w;
        }
      }
      offset[i] = i === 0 ? 0 : offset[i - 1]! + separation(n, width, slotNode[first + i - 1]!, v);
      this.target[i] = (values.length > 0 ? weightedMedian(values, weights, total) : x[v]!) - offset[i]!;
      this.weight[i] = values.length > 0 ? total : STAY_WEIGHT;
    }
    this.solveIsotonic(m);
    let i = 0;
    for (let b = 0; b < this.blocks; b++) for (let k = 0; k < this.blockSize[b]!; k++, i++) x[slotNode[first + i]!] = this.blockValue[b]! + offset[i]!;
  }

  /** Pool adjacent violators: the non-decreasing sequence closest to `target[0..m-1]` (weighted least squares). */
  private solveIsotonic(m: number): void {
    const value = this.blockValue,
      weight = this.blockWeight,
      size = this.blockSize;
    let nb = 0;
    for (let i = 0; i < m; i++) {
      value[nb] = this.target[i]!;
      weight[nb] = this.weight[i]!;
      size[nb] = 1;
      nb++;
      while (nb > 1 && value[nb - 2]! > value[nb - 1]!) {
        const w = weight[nb - 2]! + weight[nb - 1]!;
        value[nb - 2] = (value[nb - 2]! * weight[nb - 2]! + value[nb - 1]! * weight[nb - 1]!) / w;
        weight[nb - 2] = w;
        size[nb - 2]! += size[nb - 1]!;
        nb--;
      }
    }
    this.blocks = nb;
  }

  /** The centres, shifted so that the leftmost box edge is at 0. */
  leftAligned(): Float64Array {
    let min = Infinity;
    for (let v = 0; v < this.g.nodeCount; v++) min = Math.min(min, this.x[v]! - this.width[v]! / 2);
    for (let v = 0; v < this.g.nodeCount; v++) this.x[v]! -= min;
    return this.x;
  }
}

/** Centre-to-centre minimum between neighbours a (left) and b; nodes from n on are virtual. */
function separation(n: number, width: Float64Array, a: number, b: number): number {
  return (width[a]! + width[b]!) / 2 + (a < n && b < n ? NODE_SEP : a >= n && b >= n ? VIRTUAL_SEP : MIXED_SEP);
}

function linkWeight(n: number, a: number, b: number): number {
  return a >= n && b >= n ? VIRTUAL_WEIGHT : a >= n || b >= n ? MIXED_WEIGHT : 1;
}

/** Where a port slot sits relative to its node's centre (virtual nodes have no width). */
function portOffset(n: number, width: Float64Array, u: number, slot: number): number {
  return u < n ? (slot / SLOTS - 0.5) * width[u]! : 0;
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
