import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { networkSimplexLayers } from '../../src/drawing/networkSimplex.js';
import { random } from '../core/seeded.js';

/*
 * Network simplex against its definition: on random DAGs (seeded), the layers satisfy every edge's minimum length
 * 1, start at 0 in every connected component, and have the least summed edge span there is, found by trying every
 * layering of small graphs.
 */

interface Dag {
  nodeCount: number;
  from: number[];
  to: number[];
}

/** A random DAG over shuffled node numbers, with parallel edges, and self loops and missing ends to be ignored. */
function randomDag(seed: number, maxNodes: number): Dag {
  const next = random(seed);
  const nodeCount = 1 + Math.floor(next() * maxNodes);
  const label = Array.from({ length: nodeCount }, (_, i) => i);
  for (let i = nodeCount - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [label[i], label[j]] = [label[j]!, label[i]!];
  }
  const from: number[] = [],
    to: number[] = [];
  const edgeCount = Math.floor(next() * nodeCount * 1.8);
  for (let k = 0; k < edgeCount; k++) {
    const r = next();
    const a = Math.floor(next() * nodeCount),
      b = Math.floor(next() * nodeCount);
    if (r < 0.05) from.push(-1), to.push(label[b]!);
    else if (r < 0.1) from.push(label[a]!), to.push(label[a]!);
    else if (a !== b) {
      const copies = next() < 0.2 ? 2 + Math.floor(next() * 3) : 1;
      for (let c = 0; c < copies; c++) from.push(label[Math.min(a, b)]!), to.push(label[Math.max(a, b)]!);
    }
  }
  return { nodeCount, from, to };
}

/** The edges the layering must respect: both ends known and distinct. */
function realEdges(dag: Dag): [number, number][] {
  return dag.from.map((a, i) => [a, dag.to[i]!] as [number, number]).filter(([a, b]) => a >= 0 && b >= 0 && a !== b);
}

const totalSpan = (dag: Dag, layer: ArrayLike<number>): number => realEdges(dag).reduce((sum, [a, b]) => sum + layer[b]! - layer[a]!, 0);

/** Per node, the smallest node of its connected component. */
function components(dag: Dag): number[] {
  const rep = Array.from({ length: dag.nodeCount }, (_, i) => i);
  const find = (v: number): number => (rep[v] === v ? v : (rep[v] = find(rep[v]!)));
  for (const [a, b] of realEdges(dag)) {
    const [ra, rb] = [find(a), find(b)];
    rep[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  return rep.map((_, v) => find(v));
}

/** The least summed span over every layering with layers 0..nodeCount-1 (an optimal one fits: it has a tight spanning tree). */
function bruteForceMinimum(dag: Dag): number {
  const n = dag.nodeCount,
    edges = realEdges(dag);
  const order: number[] = [];
  const placed = new Set<number>();
  while (order.length < n) {
    for (let v = 0; v < n; v++) if (!placed.has(v) && edges.every(([a, b]) => b !== v || placed.has(a))) order.push(v), placed.add(v);
  }
  const layer = new Array<number>(n).fill(0);
  let best = Infinity;
  const assign = (i: number): void => {
    if (i === n) {
      best = Math.min(best, totalSpan(dag, layer));
      return;
    }
    const v = order[i]!;
    const lowest = Math.max(0, ...edges.filter(([, b]) => b === v).map(([a]) => layer[a]! + 1));
    for (let l = lowest; l < n; l++) {
      layer[v] = l;
      assign(i + 1);
    }
  };
  assign(0);
  return best;
}

function assertValidLayering(dag: Dag, layer: Int32Array, what: string): void {
  assert.equal(layer.length, dag.nodeCount);
  for (const [a, b] of realEdges(dag)) assert.ok(layer[b]! - layer[a]! >= 1, `${what}: edge ${a} -> ${b} spans ${layer[b]! - layer[a]!}`);
  const lowest = new Map<number, number>();
  components(dag).forEach((c, v) => lowest.set(c, Math.min(lowest.get(c) ?? Infinity, layer[v]!)));
  assert.deepEqual(
    [...lowest.values()].filter((l) => l !== 0),
    [],
    `${what}: every component starts at layer 0`,
  );
}

describe('network simplex layering', () => {
  it('on small random DAGs: every edge points down, each component starts at 0, and the summed span is the least possible', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const dag = randomDag(seed, 7);
      const layer = networkSimplexLayers(dag.nodeCount, dag.from, dag.to);
      assertValidLayering(dag, layer, `dag ${seed}`);
      assert.equal(totalSpan(dag, layer), bruteForceMinimum(dag), `dag ${seed}: ${JSON.stringify(dag)} -> ${[...layer]}`);
    }
  });

  it('on larger random DAGs: every edge points down, each component starts at 0, and no span is longer than a longest-path layering gives', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const dag = randomDag(5000 + seed, 400);
      const layer = networkSimplexLayers(dag.nodeCount, dag.from, dag.to);
      assertValidLayering(dag, layer, `dag ${seed}`);
      assert.ok(totalSpan(dag, layer) <= totalSpan(dag, longestPathLayers(dag)), `dag ${seed}`);
    }
  });

  it('lifts a node fed by many parallel edges up to its source when that shortens the drawing', () => {
    // c0 -> ... -> c5, three edges c0 -> v, and v -> s: v sits just below c0, so only v -> s is long.
    const from = [0, 1, 2, 3, 4, 0, 0, 0, 6],
      to = [1, 2, 3, 4, 5, 6, 6, 6, 7];
    assert.deepEqual([...networkSimplexLayers(8, from, to)], [0, 1, 2, 3, 4, 5, 1, 2]);
  });
});

/** Every node one layer below its lowest predecessor. */
function longestPathLayers(dag: Dag): number[] {
  const layer = new Array<number>(dag.nodeCount).fill(0);
  const edges = realEdges(dag);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b] of edges)
      if (layer[b]! < layer[a]! + 1) {
        layer[b] = layer[a]! + 1;
        changed = true;
      }
  }
  return layer;
}
