import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph, type Placed } from '../../src/drawing/layout.js';
import { preorder } from '../../src/drawing/preorder.js';
import { networkSimplexLayers } from '../../src/drawing/networkSimplex.js';
import { viewGraph, type ViewGraph } from '../../src/drawing/viewGraph.js';
import * as fixtures from '../browser/fixtures.js';

const elk = new ELK();

/** A view graph of ops only, from [from, to] pairs over op names (the preorder is given the widths apart). */
function ops(names: string[], edges: [string, string][]): ViewGraph {
  return {
    title: 't',
    nodes: names.map((uid) => ({ uid, kind: 'operation' as const, label: uid })),
    edges: edges.map(([from, to]) => ({ from, to })),
    ports: new Map(),
  };
}

/** The render tests' 200-op pipeline without its one `rank`, so that layers come from network simplex. */
function unrankedPipeline(ops: number, seed: number): ViewGraph {
  const view = viewGraph(fixtures.pipeline(ops, seed), false);
  return { ...view, nodes: view.nodes.map(({ rank: _rank, ...node }) => node) };
}

const layerOf = (view: ViewGraph, p: NonNullable<ReturnType<typeof preorder>>, uid: string): number => p.layer[view.nodes.findIndex((n) => n.uid === uid)]!;

describe('preorder (dot-style layering, ordering and placement before ELK)', () => {
  it('network simplex puts a node just above its only consumer, not on the top layer as a longest-path layering would', () => {
    // a -> b -> c -> d, and x -> d: longest path gives x layer 0 (an edge spanning 3 layers); the optimum is layer 2.
    const names = ['a', 'b', 'c', 'd', 'x'];
    const edges: [number, number][] = [
      [0, 1],
      [1, 2],
      [2, 3],
      [4, 3],
    ];
    const layers = networkSimplexLayers(
      names.length,
      edges.map((e) => e[0]),
      edges.map((e) => e[1]),
    );
    assert.deepEqual([...layers], [0, 1, 2, 3, 2]);
  });

  it('orders a layer so that edges do not cross when the model order would make them cross', () => {
    // Added as a, b, then c (fed by b) before d (fed by a): in model order a-d and b-c cross.
    const view = ops(
      ['a', 'b', 'c', 'd'],
      [
        ['a', 'd'],
        ['b', 'c'],
      ],
    );
    const p = preorder(view, undefined, [80, 80, 80, 80])!;
    assert.equal(p.crossings, 0);
    const x = (uid: string): number => p.x[view.nodes.findIndex((n) => n.uid === uid)]!;
    assert.equal(Math.sign(x('a') - x('b')), Math.sign(x('d') - x('c')), 'a and d on the same side');
  });

  it('keeps the rank partitions as layers and separates the nodes of a layer', () => {
    // The partitions layoutGraph derives from ranks a: 0 and e: 3.
    const view = ops(
      ['a', 'b', 'c', 'd', 'e'],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'd'],
        ['d', 'e'],
      ],
    );
    const parts = new Map([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 1],
      ['e', 3],
    ]);
    const p = preorder(view, parts, [80, 80, 80, 80, 80])!;
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e'].map((u) => layerOf(view, p, u)),
      [0, 1, 2, 1, 3],
    );
    // b and d share layer 1: at least their half widths and the node spacing apart.
    assert.ok(Math.abs(p.x[1]! - p.x[3]!) >= 80 + 24 - 1e-6);
  });

  it('declines a cyclic graph (ELK lays it out alone)', () => {
    assert.equal(
      preorder(
        ops(
          ['a', 'b'],
          [
            ['a', 'b'],
            ['b', 'a'],
          ],
        ),
        undefined,
        [80, 80],
      ),
      undefined,
    );
  });

  for (const [direction, edges] of [
    ['DOWN', 'orthogonal'],
    ['RIGHT', 'orthogonal'],
    ['DOWN', 'splines'],
  ] as const) {
    it(`a 200-op pipeline laid out ${direction} with ${edges} edges: no overlapping nodes, every edge leaves its source's far side for its target`, async () => {
      const view = unrankedPipeline(200, 7);
      let first: Placed | undefined;
      const placed: Placed = await layoutGraph(elk, view, { direction, edges }, preorder, (p) => {
        first = p;
      });
      if (edges === 'splines')
        assert.ok(
          placed.edges.some((e) => e.spline),
          'some edges are drawn as splines',
        );
      assertDrawing(placed, view, direction);
      // The first drawing (shown while ELK runs) is one too, with every node where ELK then puts it.
      assert.ok(first, 'a first drawing was handed out');
      assertDrawing(first, view, direction);
      assert.deepEqual([first.width, first.height].map(Math.round), [placed.width, placed.height].map(Math.round));
      const elkBox = new Map(placed.nodes.map((n) => [n.node.uid, n]));
      for (const n of first.nodes) {
        const e = elkBox.get(n.node.uid)!;
        assert.ok(Math.abs(n.x - e.x) < 6 && Math.abs(n.y - e.y) < 6, `${n.node.uid} at ${n.x},${n.y} first, ${e.x},${e.y} by ELK`);
      }
      if (edges === 'orthogonal') {
        for (const e of first.edges) {
          assert.ok(
            e.points.every((p, i) => i === 0 || Math.abs(p.x - e.points[i - 1]!.x) < 0.01 || Math.abs(p.y - e.points[i - 1]!.y) < 0.01),
            `${e.from} -> ${e.to} is orthogonal`,
          );
        }
      } else assert.ok(first.edges.every((e) => e.spline && (e.points.length - 1) % 3 === 0));
    });
  }

  it('in the first drawing, an edge from an output port starts where ELK puts that port', async () => {
    const view: ViewGraph = {
      title: 't',
      nodes: ['split', 'a', 'b', 'c'].map((uid) => ({ uid, kind: 'operation' as const, label: uid })),
      edges: [
        { from: 'split', to: 'a', port: 0 },
        { from: 'split', to: 'b', port: 1 },
        { from: 'split', to: 'c', port: 2 },
      ],
      ports: new Map([['split', 3]]),
    };
    let first: Placed | undefined;
    const placed = await layoutGraph(elk, view, { direction: 'DOWN' }, preorder, (p) => {
      first = p;
    });
    const startX = (p: Placed): number[] => p.edges.map((e) => Math.round(e.points[0]!.x));
    assert.deepEqual(startX(first!), startX(placed));
    assert.deepEqual(first!.nodes[0]!.ports.map(Math.round), placed.nodes[0]!.ports.map(Math.round));
  });
});

/** No overlapping nodes; every edge starts on its source's bottom (right) side and ends on its target's top (left). */
function assertDrawing(placed: Placed, view: ViewGraph, direction: 'DOWN' | 'RIGHT'): void {
  assert.equal(placed.nodes.length, view.nodes.length);
  const box = new Map(placed.nodes.map((n) => [n.node.uid, n]));
  const nodes = placed.nodes;
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]!,
        b = nodes[j]!;
      const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      assert.ok(!overlap, `${a.node.uid} overlaps ${b.node.uid}`);
    }
  }
  for (const e of placed.edges) {
    const from = box.get(e.from)!,
      to = box.get(e.to)!;
    assert.ok(e.points.length >= 2, `${e.from} -> ${e.to} has a route`);
    const start = e.points[0]!,
      end = e.points[e.points.length - 1]!;
    if (direction === 'DOWN') {
      assert.ok(Math.abs(start.y - (from.y + from.height)) < 1.5 && Math.abs(end.y - to.y) < 1.5, `${e.from} -> ${e.to}: ${JSON.stringify([start, end])}`);
    } else {
      assert.ok(Math.abs(start.x - (from.x + from.width)) < 1.5 && Math.abs(end.x - to.x) < 1.5, `${e.from} -> ${e.to}: ${JSON.stringify([start, end])}`);
    }
  }
}
