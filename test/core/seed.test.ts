import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/core/index.js';
import { SEED_A5_TRACE } from './seedTraces.js';

function adding(a: number, b: number): number {
  return a + b;
}
function return2(a: number, b: number): [number, number] {
  return [a + 1, b + 1];
}

/** The seed's "Computation and memory efficiency" graph, with its verbose lines collected. */
function seedGraph(options: { persist?: boolean; persistA4?: boolean } = {}) {
  const lines: string[] = [];
  const G = new GraphBuilder({ verbose: true, log: (l) => lines.push(l), persist: options.persist });
  const a1 = G.add(adding)(1, 2);
  const [a2, a3] = G.add(return2, { nOut: 2 })(a1, 3);
  const a4 = G.add(adding, { persist: options.persistA4 })(a1, 5);
  const a5 = G.add(adding)(a4, a3);
  return { G, lines, a1, a2, a3, a4, a5 };
}

describe('the seed examples', () => {
  it('getting started: a3.get() is 11 and nothing runs before get', () => {
    let calls = 0;
    const add = (a: number, b: number): number => {
      calls++;
      return a + b;
    };
    const G = new GraphBuilder();
    const a1 = G.add(add)(2, 2);
    const a2 = G.add(add)(3, a1);
    const a3 = G.add(add)(a1, a2);
    assert.equal(calls, 0);
    assert.equal(a3.get(), 11);
    assert.equal(calls, 3);
  });

  it('a5.get() prints the seed trace byte for byte', () => {
    const { a5, lines } = seedGraph();
    assert.equal(a5.get(), 12);
    assert.equal(lines.join('\n'), SEED_A5_TRACE);
  });

  it('a4.get() from the middle prints the seed trace byte for byte', () => {
    const { a4, lines } = seedGraph();
    assert.equal(a4.get(), 8);
    assert.equal(
      lines.join('\n'),
      `computing for data_10
adding_8 activated!
adding_0 activated!
computing for data_3
running adding_0
adding_0 deactivated!
running adding_8
data_3 released!
adding_8 deactivated!`,
    );
  });

  it('multi-output uids follow the seed: op, raw inputs, outputs', () => {
    const { G } = seedGraph();
    assert.deepEqual(
      G.toJSON().nodes.map((n) => n.uid),
      ['adding_0', 'data_1', 'data_2', 'data_3', 'return2_4', 'data_5', 'data_6', 'data_7', 'adding_8', 'data_9', 'data_10', 'adding_11', 'data_12'],
    );
  });

  it('graph-level persist: after a5.get(), a4.get() recomputes nothing', () => {
    const { a4, a5, lines } = seedGraph({ persist: true });
    a5.get();
    lines.length = 0;
    assert.equal(a4.get(), 8);
    assert.deepEqual(lines, []);
  });

  it('add-level persist: a4 is cached, every other intermediate result is released', () => {
    const { a1, a3, a4, a5, lines } = seedGraph({ persistA4: true });
    a5.get();
    assert.ok(!lines.includes('data_10 released!'));
    assert.ok(a4.hasValue());
    assert.ok(!a1.hasValue() && !a3.hasValue());
    lines.length = 0;
    assert.equal(a4.get(), 8);
    assert.deepEqual(lines, []);
  });
});
