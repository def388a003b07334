/*
 * Layering: the view's nodes on layers (network simplex, or the rank partitions when the view has ranks), then
 * every edge longer than one layer split into virtual nodes, one per layer crossed, so that each remaining
 * segment joins two neighbouring layers (a "proper" layered graph, the input of ordering.ts and placement.ts).
 */
import { networkSimplexLayers } from './networkSimplex.js';

/** What the layout reads of a view graph (a ViewGraph is one; the webview's worker is sent just this). */
export interface OrderInput {
  nodes: readonly { uid: string }[];
  edges: readonly { from: string; to: string; port?: number }[];
  ports: ReadonlyMap<string, number>;
}

/** Sub-positions per node for the ports along its lower side: a segment's key on its upper node is pos*SLOTS + slot. */
export const SLOTS = 16;
/** The slot of an edge that leaves from no port (the middle of its node). */
export const MIDDLE_SLOT = SLOTS / 2;

/**
 * A proper layered graph. Nodes 0..realCount-1 are the view's nodes (in view order); nodes from realCount on are
 * virtual. Adjacency is stored as offsets into flat arrays (compressed rows): the neighbours above node v are
 * `upNode[upStart[v]..upStart[v+1]-1]`, and likewise below.
 */
export interface LayeredGraph {
  realCount: number;
  nodeCount: number;
  layerCount: number;
  /** Per node: its layer (0 on top, no empty layers). */
  layerOf: Int32Array;
  /** Layer l holds positions layerStart[l]..layerStart[l+1]-1 of an ordering's slots. */
  layerStart: Int32Array;
  /** The number of nodes on the fullest layer. */
  widestLayer: number;
  /** Per node: the view node whose place in the model order it takes (a virtual node: its edge's target). */
  modelIndex: Int32Array;
  /** Per segment: its upper and lower node, and the port slot on the upper node. */
  segmentTop: Int32Array;
  segmentBottom: Int32Array;
  segmentSlot: Int32Array;
  /** The segments between layer l and l+1: segmentsByGap[gapStart[l]..gapStart[l+1]-1]. */
  gapStart: Int32Array;
  segmentsByGap: Int32Array;
  /** Neighbours above, with the port slot on the neighbour (the upper end of the segment). */
  upStart: Int32Array;
  upNode: Int32Array;
  upSlot: Int32Array;
  /** Neighbours below, with the port slot on this node (the upper end of the segment). */
  downStart: Int32Array;
  downNode: Int32Array;
  downSlot: Int32Array;
  /** The virtual nodes of view edge i, top to bottom: realCount + edgeChainStart[i] .. realCount + edgeChainStart[i+1] - 1. */
  edgeChainStart: Int32Array;
}

/**
 * The proper layered graph of a view, or undefined when the view is cyclic or the rank partitions make an edge
 * point up or stay within a layer (ELK then lays the view out alone).
 */
export function layerGraph(view: OrderInput, parts: ReadonlyMap<string, number> | undefined): LayeredGraph | undefined {
  const realCount = view.nodes.length;
  const ends = edgeEnds(view);
  if (!isAcyclic(realCount, ends.from, ends.to)) return undefined;
  const layers = parts ? Int32Array.from(view.nodes, (v) => parts.get(v.uid) ?? 0) : networkSimplexLayers(realCount, ends.from, ends.to);
  const layerCount = compactLayers(layers);
  return splitLongEdges(realCount, layerCount, layers, ends);
}

interface EdgeEnds {
  /** Per view edge: source and target node index, -1 for an edge the layout ignores (unknown end, self loop). */
  from: Int32Array;
  to: Int32Array;
  /** Per view edge: the slot of its source port (MIDDLE_SLOT without one). */
  slot: Int32Array;
}

/** An edge from output port i of k sits at sub-position (i+1)/(k+1) of its node: ports run left to right. */
function edgeEnds(view: OrderInput): EdgeEnds {
  const index = new Map<string, number>();
  view.nodes.forEach((v, i) => index.set(v.uid, i));
  const count = view.edges.length;
  const from = new Int32Array(count).fill(-1),
    to = new Int32Array(count).fill(-1),
    slot = new Int32Array(count).fill(MIDDLE_SLOT);
  for (let i = 0; i < count; i++) {
    const e = view.edges[i]!;
    const a = index.get(e.from),
      b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    from[i] = a;
    to[i] = b;
    if (e.port !== undefined) {
      const k = view.ports.get(e.from) ?? 1;
      slot[i] = Math.max(1, Math.min(SLOTS - 1, Math.round(((e.port + 1) / (k + 1)) * SLOTS)));
    }
  }
  return { from, to, slot };
}

/** Kahn's algorithm, for whether every node is reached (a cycle is left to ELK). */
function isAcyclic(n: number, from: Int32Array, to: Int32Array): boolean {
  const outStart = new Int32Array(n + 1),
    indegree = new Int32Array(n);
  for (let i = 0; i < from.length; i++) {
    if (from[i]! < 0) continue;
    outStart[from[i]! + 1]!++;
    indegree[to[i]!]!++;
  }
  for (let v = 0; v < n; v++) outStart[v + 1]! += outStart[v]!;
  const out = new Int32Array(outStart[n]!);
  const fill = outStart.slice();
  for (let i = 0; i < from.length; i++) if (from[i]! >= 0) out[fill[from[i]!]!++] = to[i]!;
  const queue = new Int32Array(n);
  let tail = 0;
  for (let v = 0; v < n; v++) if (indegree[v] === 0) queue[tail++] = v;
  for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    for (let k = outStart[u]!; k < outStart[u + 1]!; k++) if (--indegree[out[k]!]! === 0) queue[tail++] = out[k]!;
  }
  return tail === n;
}

/** Renumbers the layers so that none is empty; returns the number of layers. */
function compactLayers(layers: Int32Array): number {
  let maxLayer = 0;
  for (const l of layers) maxLayer = Math.max(maxLayer, l);
  const used = new Int32Array(maxLayer + 1);
  for (const l of layers) used[l] = 1;
  const renumbered = new Int32Array(maxLayer + 1);
  let count = 0;
  for (let l = 0; l <= maxLayer; l++) {
    renumbered[l] = count;
    count += used[l]!;
  }
  for (let v = 0; v < layers.length; v++) layers[v] = renumbered[layers[v]!]!;
  return count;
}

function splitLongEdges(realCount: number, layerCount: number, layers: Int32Array, ends: EdgeEnds): LayeredGraph | undefined {
  const edgeCount = ends.from.length;
  let nodeCount = realCount,
    segmentCount = 0;
  for (let i = 0; i < edgeCount; i++) {
    if (ends.from[i]! < 0) continue;
    const span = layers[ends.to[i]!]! - layers[ends.from[i]!]!;
    if (span < 1) return undefined;
    nodeCount += span - 1;
    segmentCount += span;
  }
  const layerOf = new Int32Array(nodeCount);
  layerOf.set(layers);
  const modelIndex = new Int32Array(nodeCount);
  for (let v = 0; v < realCount; v++) modelIndex[v] = v;
  const segmentTop = new Int32Array(segmentCount),
    segmentBottom = new Int32Array(segmentCount),
    segmentSlot = new Int32Array(segmentCount);
  const edgeChainStart = new Int32Array(edgeCount + 1);
  let next = realCount,
    s = 0;
  for (let i = 0; i < edgeCount; i++) {
    edgeChainStart[i] = next - realCount;
    if (ends.from[i]! < 0) continue;
    const a = ends.from[i]!,
      b = ends.to[i]!;
    let upper = a,
      slot = ends.slot[i]!;
    for (let l = layers[a]! + 1; l < layers[b]!; l++) {
      layerOf[next] = l;
      modelIndex[next] = b;
      segmentTop[s] = upper;
      segmentBottom[s] = next;
      segmentSlot[s] = slot;
      s++;
      upper = next++;
      slot = MIDDLE_SLOT;
    }
    segmentTop[s] = upper;
    segmentBottom[s] = b;
    segmentSlot[s] = slot;
    s++;
  }
  edgeChainStart[edgeCount] = next - realCount;

  const up = adjacency(nodeCount, segmentBottom, segmentTop, segmentSlot);
  const down = adjacency(nodeCount, segmentTop, segmentBottom, segmentSlot);
  const layerStart = groupStarts(layerCount, layerOf);
  let widestLayer = 0;
  for (let l = 0; l < layerCount; l++) widestLayer = Math.max(widestLayer, layerStart[l + 1]! - layerStart[l]!);
  const gapOf = segmentTop.map((top) => layerOf[top]!);
  const gapStart = groupStarts(layerCount, gapOf);
  const segmentsByGap = new Int32Array(segmentCount);
  const fill = gapStart.slice();
  for (let seg = 0; seg < segmentCount; seg++) segmentsByGap[fill[gapOf[seg]!]!++] = seg;
  return {
    realCount,
    nodeCount,
    layerCount,
    layerOf,
    layerStart,
    widestLayer,
    modelIndex,
    segmentTop,
    segmentBottom,
    segmentSlot,
    gapStart,
    segmentsByGap,
    edgeChainStart,
    upStart: up.start,
    upNode: up.node,
    upSlot: up.slot,
    downStart: down.start,
    downNode: down.node,
    downSlot: down.slot,
  };
}

/** For each node `at[s]`, its neighbours `other[s]` with `slot[s]`, in segment order (compressed rows). */
function adjacency(nodeCount: number, at: Int32Array, other: Int32Array, slot: Int32Array): { start: Int32Array; node: Int32Array; slot: Int32Array } {
  const start = groupStarts(nodeCount, at);
  const node = new Int32Array(at.length),
    slots = new Int32Array(at.length);
  const fill = start.slice();
  for (let s = 0; s < at.length; s++) {
    const k = fill[at[s]!]!++;
    node[k] = other[s]!;
    slots[k] = slot[s]!;
  }
  return { start, node, slot: slots };
}

/** Offsets of `groups` buckets over items (item i in bucket groupOf[i]): bucket g is start[g]..start[g+1]-1. */
function groupStarts(groups: number, groupOf: Int32Array): Int32Array {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < groupOf.length; i++) start[groupOf[i]! + 1]!++;
  for (let g = 0; g < groups; g++) start[g + 1]! += start[g]!;
  return start;
}
