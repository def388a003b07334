import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type DataNode, type PyflowError } from '../../src/core/index.js';

/*
 * A graph nobody listens to is evaluated by a walk that lists the ops, then a loop that runs them (the differential
 * test in reference.test.ts checks its order and releases on random graphs). These are the cases the list cannot
 * foresee, each checked untraced and traced: the two must agree.
 */

const adding = (a: number, b: number): number => a + b;

function graph(traced: boolean, alias?: string): { G: GraphBuilder; lines: string[] } {
  const lines: string[] = [];
  const G = new GraphBuilder({ alias, verbose: traced, log: (line) => lines.push(line) });
  return { G, lines };
}

describe('untraced evaluation', () => {
  for (const traced of [false, true]) {
    const mode = traced ? 'traced' : 'untraced';

    it(`${mode}: a value an op's function releases, that a later op needs, is computed again`, async () => {
      const { G } = graph(traced);
      let calls = 0;
      const x = G.add(function counted(a: number) { calls++; return a * 10; })(1);
      const y = G.add(function releasing(a: number) { x.releaseMemory(); return a + 1; })(2);
      const z = G.add(adding)(x, y);
      assert.equal(z.get(), 13);
      assert.equal(calls, 2, 'x computed, released by y\'s function, computed again for z');
      assert.equal(x.hasValue(), false, 'and released after z ran');
      assert.ok(G.operations.every((op) => !op.isActivated()));
      // getAsync() has its own walk.
      z.releaseMemory();
      assert.equal(await z.getAsync(), 13);
      assert.equal(calls, 4);
    });

    it(`${mode}: an op already run by an evaluation nested in another op's function is not run again`, () => {
      const { G } = graph(traced);
      const calls: string[] = [];
      const x = G.add(function shared(a: number) { calls.push('shared'); return a * 10; })(1);
      const y = G.add(function peeking(a: number) { calls.push('peeking'); return a + (x.get() as number); })(2);
      const z = G.add(adding)(y, x);
      assert.equal(z.get(), 22);
      assert.deepEqual(calls, ['peeking', 'shared']);
      assert.equal(x.hasValue(), false, 'x was kept for z (activated), then released');
      assert.ok(G.operations.every((op) => !op.isActivated()));
    });

    it(`${mode}: a raw input without its value fails where pyflow would, after the ops before it ran`, () => {
      const { G, lines } = graph(traced);
      const calls: string[] = [];
      const x = G.add(function first(v: number) { calls.push('first'); return v; })(1);
      const y = G.add(function second(v: number) { calls.push('second'); return v; })(2);
      const z = G.add(adding)(x, y);
      G.operations[1]!.inputs[0]!.releaseMemory();
      assert.throws(() => z.get(), (e: PyflowError) => e.code === 'NO_VALUE' && e.message.startsWith('data_4 is a raw input'));
      assert.deepEqual(calls, ['first']);
      assert.ok(G.operations.every((op) => !op.isActivated()));
      if (traced) {
        // pyflow's activation goes on past data_4 (all three ops are activated first); nothing after data_5's turn.
        assert.deepEqual(lines.slice(1, 9), [
          'computing for data_7', 'adding_6 activated!', 'first_0 activated!', 'second_3 activated!',
          'computing for data_2', 'running first_0', 'first_0 deactivated!', 'computing for data_5',
        ]);
        assert.ok(!lines.includes('running second_3'));
      }
    });

    it(`${mode}: an op that throws mid-way leaves nothing activated, and the graph runs again`, () => {
      const { G } = graph(traced);
      let broken = true;
      const a = G.add(function base(v: number) { return v + 1; })(1);
      const b = G.add(function fragile(v: number) { if (broken) throw new Error('not yet'); return v * 2; })(a);
      const c = G.add(adding)(a, b);
      assert.throws(() => c.get(), /fragile_\d+ \(fragile, added at .*\) threw: not yet/);
      assert.ok(G.operations.every((op) => !op.isActivated()));
      broken = false;
      assert.equal(c.get(), 6);
    });
  }

  it('a graph nobody listens to, grafting one that prints its trace: the grafted graph prints the same lines as when both are traced', () => {
    const run = (outerTraced: boolean): string[] => {
      const inner = graph(true, 'inner');
      const outer = graph(outerTraced, 'outer');
      const a1 = inner.G.add(adding)(1, 2);
      const a2 = inner.G.add(adding)(a1, 3);
      const b1 = outer.G.add(adding)(a2, 10);
      const b2 = outer.G.add(adding)(b1, a1);
      assert.equal(b2.get(), 19);
      // And a target of the traced graph asked of the untraced one.
      inner.G.add(adding)(a2, 1);
      assert.equal(outer.G.runOnly(inner.G.operations[2]!.outputs[0]!), 7);
      return inner.lines;
    };
    const lines = run(false);
    assert.ok(lines.includes('computing for data_3') && lines.some((l) => /^adding_0 activated!$/.test(l)), lines.join('\n'));
    assert.deepEqual(lines, run(true));
  });

  it('G.run() on a graph nobody listens to runs each pending op once, in order, and keeps what it is asked for', () => {
    const G = new GraphBuilder();
    const order: number[] = [];
    const W = 5;
    let row: DataNode<number>[] = [];
    for (let j = 0; j < W; j++) row.push(G.add((v: number) => { order.push(G.operations.length); return v + 1; })(j));
    for (let r = 1; r < 4; r++) {
      const prev = row;
      row = prev.map((_, j) => G.add((p: number, q: number) => { order.push(-1); return p + q; })(prev[j]!, prev[(j + 1) % W]!));
    }
    const values = G.run(...row) as number[];
    assert.equal(order.length, 20, 'every op once');
    assert.deepEqual(values, row.map((_, j) => {
      // Row r, node j sums row 0 over j..j+r (mod W), each value counted as often as the paths to it.
      const binom = [1, 3, 3, 1];
      return binom.reduce((s, c, k) => s + c * (((j + k) % W) + 1), 0);
    }));
    assert.ok(row.every((d) => d.hasValue()));
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });
});
