/*
 * Ordering: the place of each node along its layer, with few edge crossings (Graphviz dot's mincross). From two
 * initial orders, breadth-first from the sources (dot's build_ranks) and the model order, weighted-median sweeps
 * alternate down and up, each followed by transposition of neighbours; the order with the fewest crossings wins
 * (counted exactly per pair of layers). A segment from output port i sits at its port's slot of the upper node.
 */
import { MIDDLE_SLOT, SLOTS, type LayeredGraph } from './layering.js';

/** Sweeps per initial order, and sweeps without improvement before giving up (dot's values). */
const MAX_SWEEPS = 24;
const MAX_SWEEPS_WITHOUT_GAIN = 8;
/** Transposition passes over all layers per sweep, at most. */
const TRANSPOSE_PASSES = 6;
/** A sweep that leaves more than this fraction of the crossings counts as no gain. */
const GAIN_RATIO = 0.995;

export interface Ordering {
  /** Per node (real and virtual): its position along its layer, 0 on the left. */
  position: Int32Array;
  /** The crossings of that order. */
  crossings: number;
}

/** The order with the fewest crossings found from either initial order. */
export function orderLayers(graph: LayeredGraph): Ordering {
  const search = new CrossingSearch(graph);
  search.sweepFrom(breadthFirstOrder(graph));
  search.sweepFrom(modelOrder(graph));
  return { position: search.best, crossings: search.bestCrossings };
}

/**
 * Crossings between layer `gap` and the next, for nodes at `position`: segments sorted by (upper position and
 * slot, lower position), then the pairs out of order on the lower layer counted with a Fenwick tree.
 */
export class GapCrossingCounter {
  private readonly tree: Int32Array;
  private readonly key: Float64Array;
  private readonly sorted: Int32Array;

  constructor(private readonly graph: LayeredGraph) {
    this.tree = new Int32Array(graph.widestLayer + 2);
    this.key = new Float64Array(graph.segmentTop.length);
    this.sorted = new Int32Array(graph.segmentTop.length);
  }

  count(gap: number, position: Int32Array): number {
    const g = this.graph,
      key = this.key,
      tree = this.tree;
    const first = g.gapStart[gap]!,
      m = g.gapStart[gap + 1]! - first;
    if (m < 2) return 0;
    const stride = g.widestLayer + 1;
    for (let k = 0; k < m; k++) {
      const s = g.segmentsByGap[first + k]!;
      this.sorted[k] = s;
      key[s] = (position[g.segmentTop[s]!]! * SLOTS + g.segmentSlot[s]!) * stride + position[g.segmentBottom[s]!]!;
    }
    const segments = this.sorted.subarray(0, m);
    segments.sort((x, y) => key[x]! - key[y]!);
    const lowerWidth = g.layerStart[gap + 2]! - g.layerStart[gap + 1]!;
    tree.fill(0, 0, lowerWidth + 2);
    let crossings = 0;
    for (let k = 0; k < m; k++) {
      const p = position[g.segmentBottom[segments[k]!]!]! + 1;
      let atOrLeft = 0;
      for (let i = p; i > 0; i -= i & -i) atOrLeft += tree[i]!;
      crossings += k - atOrLeft; // segments already inserted whose lower end is right of this one's
      for (let i = p; i <= lowerWidth; i += i & -i) tree[i]!++;
    }
    return crossings;
  }

  total(position: Int32Array): number {
    let crossings = 0;
    for (let gap = 0; gap + 1 < this.graph.layerCount; gap++) crossings += this.count(gap, position);
    return crossings;
  }
}

/** Breadth-first from each source, downwards (dot's build_ranks), then any node not reached. */
function breadthFirstOrder(g: LayeredGraph): Int32Array {
  const seen = new Uint8Array(g.nodeCount),
    queue = new Int32Array(g.nodeCount);
  let tail = 0;
  for (let v = 0; v < g.realCount; v++) {
    if (seen[v] || g.upStart[v + 1]! - g.upStart[v]! > 0) continue;
    seen[v] = 1;
    queue[tail++] = v;
    for (let head = tail - 1; head < tail; head++) {
      const u = queue[head]!;
      for (let k = g.downStart[u]!; k < g.downStart[u + 1]!; k++) {
        const w = g.downNode[k]!;
        if (!seen[w]) {
          seen[w] = 1;
          queue[tail++] = w;
        }
      }
    }
  }
  for (let v = 0; v < g.nodeCount; v++) if (!seen[v]) queue[tail++] = v;
  return queue;
}

/** The view's own order; each virtual node just before the target of its edge. */
function modelOrder(g: LayeredGraph): Int32Array {
  const ids = Int32Array.from({ length: g.nodeCount }, (_, i) => i);
  return ids.sort((a, b) => g.modelIndex[a]! - g.modelIndex[b]! || a - b);
}

/** The mincross search: the current order (`slotNode` by layer slot, `position` per node) and the best one so far. */
class CrossingSearch {
  readonly best: Int32Array;
  bestCrossings = Infinity;
  private readonly position: Int32Array;
  private readonly slotNode: Int32Array;
  private readonly counter: GapCrossingCounter;
  private readonly median: Float64Array;
  private readonly keys: number[] = [];
  private readonly movable: number[] = [];
  private readonly movableSlots: number[] = [];
  private readonly layerMayImprove: Uint8Array;

  constructor(private readonly g: LayeredGraph) {
    this.best = new Int32Array(g.nodeCount);
    this.position = new Int32Array(g.nodeCount);
    this.slotNode = new Int32Array(g.nodeCount);
    this.counter = new GapCrossingCounter(g);
    this.median = new Float64Array(g.nodeCount);
    this.layerMayImprove = new Uint8Array(g.layerCount);
  }

  sweepFrom(initial: Int32Array): void {
    const g = this.g;
    this.install(initial);
    this.transpose(false);
    let current = this.counter.total(this.position),
      localBest = current;
    this.keepIfBest(current);
    let withoutGain = 0;
    for (let sweep = 0; sweep < MAX_SWEEPS && current > 0; sweep++) {
      const down = sweep % 2 === 0,
        preferSwapOnTie = sweep % 4 < 2;
      if (down) for (let l = 1; l < g.layerCount; l++) this.sortByMedian(l, true);
      else for (let l = g.layerCount - 2; l >= 0; l--) this.sortByMedian(l, false);
      this.transpose(preferSwapOnTie);
      current = this.counter.total(this.position);
      if (current < localBest) {
        if (current < GAIN_RATIO * localBest) withoutGain = 0;
        else withoutGain++;
        localBest = current;
        this.keepIfBest(current);
      } else if (++withoutGain >= MAX_SWEEPS_WITHOUT_GAIN) break;
    }
  }

  private keepIfBest(crossings: number): void {
    if (crossings < this.bestCrossings) {
      this.bestCrossings = crossings;
      this.best.set(this.position);
    }
  }

  /** Nodes in `sequence` order fill their layers left to right. */
  private install(sequence: Int32Array): void {
    const g = this.g;
    const fill = g.layerStart.slice(0, g.layerCount);
    for (const v of sequence) {
      const l = g.layerOf[v]!;
      this.position[v] = fill[l]! - g.layerStart[l]!;
      this.slotNode[fill[l]!++] = v;
    }
  }

  /** Weighted median of a node's neighbours in the layer above (or below), as slot keys; -1 without neighbours. */
  private medianOf(v: number, fromAbove: boolean): number {
    const g = this.g,
      keys = this.keys,
      position = this.position;
    keys.length = 0;
    if (fromAbove) for (let k = g.upStart[v]!; k < g.upStart[v + 1]!; k++) keys.push(position[g.upNode[k]!]! * SLOTS + g.upSlot[k]!);
    else for (let k = g.downStart[v]!; k < g.downStart[v + 1]!; k++) keys.push(position[g.downNode[k]!]! * SLOTS + MIDDLE_SLOT);
    const m = keys.length;
    if (m === 0) return -1;
    if (m === 1) return keys[0]!;
    keys.sort((a, b) => a - b);
    if (m === 2) return (keys[0]! + keys[1]!) / 2;
    if (m % 2) return keys[(m - 1) / 2]!;
    const lm = m / 2 - 1,
      rm = m / 2;
    const left = keys[lm]! - keys[0]!,
      right = keys[m - 1]! - keys[rm]!;
    if (left + right === 0) return (keys[lm]! + keys[rm]!) / 2;
    return (keys[lm]! * right + keys[rm]! * left) / (left + right);
  }

  /** Sorts layer l by the medians of its nodes' neighbours; nodes without neighbours there keep their slots. */
  private sortByMedian(l: number, fromAbove: boolean): void {
    const g = this.g,
      median = this.median,
      position = this.position,
      movable = this.movable,
      slots = this.movableSlots;
    const first = g.layerStart[l]!,
      end = g.layerStart[l + 1]!;
    movable.length = 0;
    slots.length = 0;
    for (let k = first; k < end; k++) {
      const v = this.slotNode[k]!;
      median[v] = this.medianOf(v, fromAbove);
      if (median[v]! >= 0) {
        movable.push(v);
        slots.push(k);
      }
    }
    movable.sort((x, y) => median[x]! - median[y]! || position[x]! - position[y]!);
    for (let i = 0; i < movable.length; i++) {
      const v = movable[i]!;
      this.slotNode[slots[i]!] = v;
      position[v] = slots[i]! - first;
    }
  }

  /** Crossings among the segments of u and v, with u left of v, to the layers above and below. */
  private pairCrossings(u: number, v: number): number {
    const g = this.g,
      position = this.position;
    let crossings = 0;
    for (let i = g.upStart[u]!; i < g.upStart[u + 1]!; i++) {
      const ku = position[g.upNode[i]!]! * SLOTS + g.upSlot[i]!;
      for (let j = g.upStart[v]!; j < g.upStart[v + 1]!; j++) if (ku > position[g.upNode[j]!]! * SLOTS + g.upSlot[j]!) crossings++;
    }
    for (let i = g.downStart[u]!; i < g.downStart[u + 1]!; i++) {
      const ku = position[g.downNode[i]!]!;
      for (let j = g.downStart[v]!; j < g.downStart[v + 1]!; j++) if (ku > position[g.downNode[j]!]!) crossings++;
    }
    return crossings;
  }

  /** Swaps neighbours while that removes crossings (or, with `swapOnTie`, keeps them equal), layer by layer. */
  private transpose(swapOnTie: boolean): void {
    const g = this.g,
      mayImprove = this.layerMayImprove;
    mayImprove.fill(1);
    for (let pass = 0; pass < TRANSPOSE_PASSES; pass++) {
      let gained = 0;
      for (let l = 0; l < g.layerCount; l++) {
        if (!mayImprove[l]) continue;
        mayImprove[l] = 0;
        gained += this.transposeLayer(l, swapOnTie);
      }
      if (gained < 1) break;
    }
  }

  private transposeLayer(l: number, swapOnTie: boolean): number {
    const g = this.g,
      slotNode = this.slotNode,
      position = this.position,
      mayImprove = this.layerMayImprove;
    const first = g.layerStart[l]!,
      end = g.layerStart[l + 1]!;
    let gained = 0;
    for (let k = first; k + 1 < end; k++) {
      const u = slotNode[k]!,
        v = slotNode[k + 1]!;
      const before = this.pairCrossings(u, v);
      if (before === 0) continue;
      const after = this.pairCrossings(v, u);
      if (after < before || (swapOnTie && after === before)) {
        slotNode[k] = v;
        slotNode[k + 1] = u;
        position[v] = k - first;
        position[u] = k + 1 - first;
        gained += before - after;
        mayImprove[l] = 1;
        if (l > 0) mayImprove[l - 1] = 1;
        if (l + 1 < g.layerCount) mayImprove[l + 1] = 1;
      }
    }
    return gained;
  }
}
