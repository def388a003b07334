import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph, type Placed } from '../../src/drawing/layout.js';
import { preorder } from '../../src/drawing/preorder.js';
import { countCrossings } from '../../src/drawing/crossings.js';
import type { ViewGraph } from '../../src/drawing/viewGraph.js';
import { random } from '../core/seeded.js';

/*
 * Properties of the layout on random DAGs (seeded: the same graphs on every run), each drawn twice: with our
 * layering, ordering and placement (preorder.ts), and by ELK alone (an orderer that declines). Both drawings'
 * crossings are counted by the one counter (crossings.ts) that the layout bench uses too.
 */

const elk = new ELK();
const elkAlone = (): undefined => undefined;

/** A random DAG: each node takes 1-3 inputs from earlier nodes (mostly recent ones), some ops with output ports. */
function randomDag(seed: number, size: number): ViewGraph {
  const next = random(seed);
  const nodes = Array.from({ length: size }, (_, i) => ({ uid: `n${i}`, kind: 'operation' as const, label: `op${i}` }));
  const ports = new Map<string, number>();
  for (let i = 0; i < size; i++) if (next() < 0.15) ports.set(`n${i}`, 2 + Math.floor(next() * 2));
  const edges: ViewGraph['edges'] = [];
  const seen = new Set<string>();
  for (let j = 1; j < size; j++) {
    const inputs = 1 + Math.floor(next() * 3);
    for (let k = 0; k < inputs; k++) {
      const i = next() < 0.7 ? Math.max(0, j - 1 - Math.floor(next() * 5)) : Math.floor(next() * j);
      const from = `n${i}`,
        portCount = ports.get(from);
      const port = portCount === undefined ? undefined : Math.floor(next() * portCount);
      const key = `${i}:${port}:${j}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push(port === undefined ? { from, to: `n${j}` } : { from, to: `n${j}`, port });
    }
  }
  return { title: `dag-${seed}`, nodes, edges, ports };
}

const CASES = Array.from({ length: 24 }, (_, i) => ({ seed: 1000 + i, size: 6 + ((i * 7) % 45) }));

describe('layout properties on random DAGs', () => {
  it('no edge points up: the layering puts every edge, and each of its bends, below its source', () => {
    for (const { seed, size } of CASES) {
      const view = randomDag(seed, size);
      const p = preorder(
        view,
        undefined,
        view.nodes.map(() => 80),
      )!;
      const layer = new Map(view.nodes.map((n, i) => [n.uid, p.layer[i]!]));
      view.edges.forEach((e, i) => {
        const top = layer.get(e.from)!,
          bottom = layer.get(e.to)!;
        assert.ok(bottom > top, `dag-${seed}: ${e.from} (layer ${top}) -> ${e.to} (layer ${bottom})`);
        assert.deepEqual(
          p.bends[i]!.map((b) => b.layer),
          Array.from({ length: bottom - top - 1 }, (_, k) => top + 1 + k),
          `dag-${seed}: bends of ${e.from} -> ${e.to}`,
        );
      });
    }
  });

  it('the drawings: every edge runs from its source down to its target, and has no more crossings than ELK alone draws', async () => {
    const worse: string[] = [];
    let ourTotal = 0,
      elkTotal = 0;
    for (const { seed, size } of CASES) {
      const view = randomDag(seed, size);
      const ours = await layoutGraph(elk, view, { direction: 'DOWN' }, preorder);
      const theirs = await layoutGraph(elk, view, { direction: 'DOWN' }, elkAlone);
      assertEdgesPointDown(ours, view.title);
      const [a, b] = [countCrossings(ours.edges), countCrossings(theirs.edges)];
      ourTotal += a;
      elkTotal += b;
      if (a > b) worse.push(`${view.title} (${size} nodes): ${a} crossings, ELK alone ${b}`);
    }
    assert.deepEqual(worse, []);
    assert.ok(elkTotal > ourTotal, `ELK alone: ${elkTotal} crossings in all, ours ${ourTotal} (the comparison is not vacuous)`);
  });

  it('the crossing counter: an X is one crossing; edges that share a node, or touch without crossing, none', () => {
    const edge = (from: string, to: string, ...xy: number[]) => ({
      from,
      to,
      points: Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i]!, y: xy[2 * i + 1]! })),
    });
    assert.equal(countCrossings([edge('a', 'd', 0, 0, 10, 10), edge('b', 'c', 10, 0, 0, 10)]), 1);
    assert.equal(countCrossings([edge('a', 'c', 0, 0, 10, 10), edge('b', 'c', 10, 0, 0, 10)]), 0, 'common target');
    assert.equal(countCrossings([edge('a', 'd', 0, 0, 0, 10), edge('b', 'c', 0, 5, 10, 5)]), 0, 'a T is no crossing');
    // Orthogonal routes: one vertical line crossed by a horizontal run twice.
    assert.equal(countCrossings([edge('a', 'd', 5, 0, 5, 30), edge('b', 'c', 0, 5, 10, 5, 10, 20, 0, 20)]), 2);
  });
});

function assertEdgesPointDown(placed: Placed, title: string): void {
  for (const e of placed.edges) {
    const start = e.points[0]!,
      end = e.points[e.points.length - 1]!;
    assert.ok(end.y > start.y, `${title}: ${e.from} -> ${e.to} runs from y ${start.y} to ${end.y}`);
  }
}
