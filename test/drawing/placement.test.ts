import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IsotonicRegression } from '../../src/drawing/isotonic.js';
import { layerGraph, type LayeredGraph, type OrderInput } from '../../src/drawing/layering.js';
import { orderLayers } from '../../src/drawing/ordering.js';
import { placeNodes } from '../../src/drawing/placement.js';
import { random } from '../core/seeded.js';

/*
 * Placement on random DAGs (seeded): the separations it promises along every layer, and its least-squares step
 * (isotonic regression) against the textbook min-max formula.
 */

/** Each node takes 1-3 inputs from earlier nodes, mostly recent ones; some nodes have 2-3 output ports. */
function randomView(seed: number, size: number): OrderInput {
  const next = random(seed);
  const nodes = Array.from({ length: size }, (_, i) => ({ uid: `n${i}` }));
  const ports = new Map<string, number>();
  for (let i = 0; i < size; i++) if (next() < 0.15) ports.set(`n${i}`, 2 + Math.floor(next() * 2));
  const edges: OrderInput['edges'][number][] = [];
  for (let j = 1; j < size; j++) {
    for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
      const i = next() < 0.7 ? Math.max(0, j - 1 - Math.floor(next() * 5)) : Math.floor(next() * j);
      const portCount = ports.get(`n${i}`);
      edges.push({ from: `n${i}`, to: `n${j}`, ...(portCount === undefined ? {} : { port: Math.floor(next() * portCount) }) });
    }
  }
  return { nodes, edges, ports };
}

/** Centre-to-centre minimum of two neighbours on a layer: half their widths plus 24 (two real nodes), 8 (one), 5 (none). */
function minimumDistance(g: LayeredGraph, widths: readonly number[], a: number, b: number): number {
  const realEnds = Number(a < g.realCount) + Number(b < g.realCount);
  return ((widths[a] ?? 0) + (widths[b] ?? 0)) / 2 + [5, 8, 24][realEnds]!;
}

function placed(view: OrderInput, widths: readonly number[]): { g: LayeredGraph; position: Int32Array; x: Float64Array } {
  const g = layerGraph(view, undefined)!;
  const { position } = orderLayers(g);
  return { g, position, x: placeNodes(g, position, widths) };
}

describe('placement', () => {
  it('on random DAGs: every layer keeps its order with each pair of neighbours at least their separation apart, the leftmost box edge at 0', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const view = randomView(seed, 5 + ((seed * 11) % 80));
      const next = random(seed + 100);
      const widths = view.nodes.map(() => 30 + Math.floor(next() * 150));
      const { g, position, x } = placed(view, widths);
      const byPosition = Array.from({ length: g.layerCount }, () => [] as number[]);
      for (let v = 0; v < g.nodeCount; v++) byPosition[g.layerOf[v]!]![position[v]!] = v;
      for (const layer of byPosition)
        for (let i = 1; i < layer.length; i++) {
          const [a, b] = [layer[i - 1]!, layer[i]!];
          assert.ok(x[b]! - x[a]! >= minimumDistance(g, widths, a, b) - 1e-6, `dag ${seed}: ${a} at ${x[a]}, ${b} at ${x[b]}`);
        }
      let left = Infinity;
      for (let v = 0; v < g.nodeCount; v++) left = Math.min(left, x[v]! - (widths[v] ?? 0) / 2);
      assert.ok(Math.abs(left) < 1e-9, `dag ${seed}: leftmost edge at ${left}`);
    }
  });

  it('puts a node with two consumers midway above them, and a chain of equal nodes in one straight line', () => {
    const fork = placed(
      {
        nodes: ['a', 'b', 'c'].map((uid) => ({ uid })),
        edges: [
          { from: 'a', to: 'b' },
          { from: 'a', to: 'c' },
        ],
        ports: new Map(),
      },
      [80, 80, 80],
    );
    assert.deepEqual(
      [...fork.x].sort((p, q) => p - q),
      [40, 92, 144],
    );
    assert.equal(fork.x[0], 92);
    const chain = placed(
      {
        nodes: ['a', 'b', 'c'].map((uid) => ({ uid })),
        edges: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'c' },
        ],
        ports: new Map(),
      },
      [80, 80, 80],
    );
    assert.deepEqual([...chain.x], [40, 40, 40]);
  });

  it('isotonic regression equals the min-max formula: y[i] = max over j <= i of min over k >= i of the weighted mean of j..k', () => {
    const solver = new IsotonicRegression(30);
    for (let seed = 1; seed <= 300; seed++) {
      const next = random(seed);
      const count = 1 + Math.floor(next() * 30);
      const target = Array.from({ length: count }, () => Math.round(next() * 20) - 10 + (next() < 0.5 ? 0 : next()));
      const weight = Array.from({ length: count }, () => (next() < 0.2 ? 1e-3 : 1 + Math.floor(next() * 8)));
      const solution = new Float64Array(count);
      solver.solve(target, weight, count, solution);
      const expected = target.map((_, i) => {
        let best = -Infinity;
        for (let j = 0; j <= i; j++) {
          let least = Infinity;
          for (let k = i; k < count; k++) least = Math.min(least, weightedMean(target, weight, j, k));
          best = Math.max(best, least);
        }
        return best;
      });
      solution.forEach((y, i) => assert.ok(Math.abs(y - expected[i]!) < 1e-9, `seed ${seed}, item ${i}: ${y}, expected ${expected[i]}`));
    }
  });
});

function weightedMean(values: readonly number[], weights: readonly number[], from: number, to: number): number {
  let sum = 0,
    total = 0;
  for (let i = from; i <= to; i++) {
    sum += values[i]! * weights[i]!;
    total += weights[i]!;
  }
  return sum / total;
}
