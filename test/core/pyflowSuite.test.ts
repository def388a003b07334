import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type PyflowError } from '../../src/core/index.js';

/* pyflow-viz's own test suite (tests/test_graph_builder.py), ported; its vacuous `~x` asserts are real negations here. */

const adding = (a: number, b: number): number => a + b;
Object.defineProperty(adding, 'name', { value: 'adding' });
function multioutput_adding(a: number, b: number): [number, number] {
  return [a + b, a];
}
function adding_kwarg({ a, b, c = 4 }: { a: number; b: number; c?: number | null }): number {
  return c ? a + b + c : a + b;
}
function adding_args(a: number, b: number, c: number | null = 4): number {
  return c ? a + b + c : a + b;
}

function complexGraph(G: GraphBuilder) {
  const a1 = G.add(adding)(2, 2);
  const a2 = G.add(adding)(2, 2);
  const a3 = G.add(adding)(a1, a2);
  return { a1, a2, a3 };
}

describe('pyflow-viz test suite', () => {
  it('simple graph', () => {
    const G = new GraphBuilder({ persist: false });
    assert.equal(G.add(adding)(2, 2).get(), 4);
  });

  it('complex graph', () => {
    assert.equal(complexGraph(new GraphBuilder()).a3.get(), 8);
  });

  it('deactivation: no op stays active after get', () => {
    const G = new GraphBuilder();
    complexGraph(G).a3.get();
    assert.deepEqual(
      G.operations.map((op) => op.isActivated()),
      [false, false, false],
    );
  });

  it('memory release: intermediate results are released', () => {
    const { a1, a2, a3 } = complexGraph(new GraphBuilder());
    a3.get();
    assert.equal(a1.hasValue(), false);
    assert.equal(a2.hasValue(), false);
    assert.equal(a3.hasValue(), true);
  });

  it('persistence: graph-level persist keeps intermediate results', () => {
    const { a1, a2, a3 } = complexGraph(new GraphBuilder({ persist: true }));
    a3.get();
    assert.ok(a1.hasValue() && a2.hasValue());
  });

  it('manual memory release', () => {
    const { a1, a2, a3 } = complexGraph(new GraphBuilder({ persist: true }));
    a3.get();
    for (const node of [a1, a2, a3]) {
      node.releaseMemory();
      assert.equal(node.hasValue(), false);
    }
    assert.equal(a3.get(), 8, 'released nodes are recomputed');
  });

  it('multi-output method support', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const [a2, a3] = G.add(multioutput_adding, { nOut: 2 })(a1, 3);
    assert.equal(a2.get(), 6);
    assert.equal(a3.get(), 3);
  });

  it('node removal: remove() drops the last op; remove(2) the last two', () => {
    for (const [n, alive] of [
      [1, [true, true, false]],
      [2, [true, false, false]],
    ] as const) {
      const G = new GraphBuilder();
      const a1 = G.add(adding)(1, 2);
      const a2 = G.add(adding)(a1, 2);
      const a3 = G.add(adding)(a1, a2);
      G.remove(n);
      assert.deepEqual(
        [a1, a2, a3].map((d) => G.toJSON().nodes.some((m) => m.uid === d.uid)),
        alive,
      );
      assert.throws(
        () => a3.get(),
        (e: PyflowError) => e.code === 'REMOVED' && /data_\d+ was removed/.test(e.message),
      );
    }
  });

  it('a removed node reached from a graph that grafted it is an error, and the graph can run again', () => {
    const G = new GraphBuilder({ alias: 'G' });
    const H = new GraphBuilder({ alias: 'H' });
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    const h = H.add(adding)(a2, 10);
    G.remove();
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => h.get(),
        (e: PyflowError) => e.code === 'REMOVED' && e.message.startsWith(`${a2.uid} was removed from graph "G"`),
      );
      assert.equal(H.operations[0]!.isActivated(), false);
    }
    // With several targets, everything is activated before anything runs: the failure leaves nothing activated.
    const h2 = H.add(adding)(1, 2);
    assert.throws(
      () => H.runOnly(h2, h),
      (e: PyflowError) => e.code === 'REMOVED',
    );
    assert.deepEqual(
      H.operations.map((op) => op.isActivated()),
      [false, false],
    );
    assert.equal(H.add(adding)(a1, 10).get(), 13);
  });

  it('removal reuses uids, as pyflow', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    G.add(adding)(a1, a2);
    G.remove();
    assert.deepEqual(
      G.toJSON().nodes.map((n) => n.uid),
      ['adding_0', 'data_1', 'data_2', 'data_3', 'adding_4', 'data_5', 'data_6'],
    );
    assert.equal(G.add(adding)(a2, 1).uid, 'data_9');
  });

  it('run(): every op runs, results are kept where requested', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const [a2, a3] = G.add(multioutput_adding, { nOut: 2 })(a1, 3);
    assert.equal(G.run(), undefined);
    assert.equal(a1.hasValue(), false);
    assert.ok(a2.hasValue() && a3.hasValue());
  });

  it('run(a1, a3) returns their values', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(2, 2);
    const a2 = G.add(adding)(3, a1);
    const a3 = G.add(adding)(a1, a2);
    assert.deepEqual(G.run(a1, a3), [4, 11]);
    assert.equal(G.run('adding_0'), undefined, 'an op target returns nothing');
    assert.equal(G.runOnly(a2), 7);
  });

  it('multi graph: nodes of one graph feed another', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    const a3 = G.add(adding)(a1, a2);
    const H = new GraphBuilder();
    const a4 = H.add(adding)(a3, 1);
    const a5 = H.add(adding)(a4, 2);
    const a6 = H.add(adding)(a4, a5);
    assert.equal(a6.get(), 20);
  });

  it('multi graph with persist', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    const a3 = G.add(adding, { persist: true })(a1, a2);
    const H = new GraphBuilder();
    const a4 = H.add(adding)(a3, 1);
    const a5 = H.add(adding)(a4, 2);
    const a6 = H.add(adding)(a4, a5);
    a6.get();
    assert.deepEqual(
      [a1, a2, a3, a4, a5, a6].map((d) => d.hasValue()),
      [false, false, true, false, false, true],
    );
  });

  it('default arguments', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    assert.equal(G.add(adding_args)(a1, a2).get(), 12);
  });

  it('keyword-style arguments (an object holding DataNodes)', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    const a3 = G.add(adding_kwarg)({ a: a1, b: a2, c: 10 });
    assert.equal(a3.get(), 18);
    assert.deepEqual(
      G.toJSON()
        .nodes.map((n) => n.uid)
        .slice(-3),
      ['adding_kwarg_7', 'data_8', 'data_9'],
    );
  });

  it('null keyword and positional arguments', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    assert.equal(G.add(adding_kwarg)({ a: a1, b: a2, c: null }).get(), 8);
    assert.equal(G.add(adding_args)(a1, a2, null).get(), 8);
  });

  it('null keyword arguments across graphs, both directions', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    const a3 = G.add(adding_kwarg)({ a: a1, b: a2, c: null });
    const H = new GraphBuilder();
    const a4 = H.add(adding)(a3, 1);
    const a5 = H.add(adding)(a4, 2);
    const a6 = G.add(adding_args)(a4, a5, null);
    assert.equal(a6.get(), 20);
  });

  it('null keyword arguments across graphs with persist', () => {
    const G = new GraphBuilder();
    const a1 = G.add(adding)(1, 2);
    const a2 = G.add(adding)(a1, 2);
    const a3 = G.add(adding_kwarg, { persist: true })({ a: a1, b: a2, c: null });
    const H = new GraphBuilder();
    const a4 = H.add(adding)(a3, 1);
    const a5 = H.add(adding)(a4, 2);
    const a6 = H.add(adding)(a4, a5);
    assert.equal(a6.get(), 20);
    assert.deepEqual(
      [a1, a2, a3, a4, a5, a6].map((d) => d.hasValue()),
      [false, false, true, false, false, true],
    );
  });
});
