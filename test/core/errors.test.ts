import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, PyflowError } from '../../src/core/index.js';

describe('errors', () => {
  it('an op that throws names its uid, function and the line of its add call; the graph can be re-run', () => {
    let broken = true;
    const G = new GraphBuilder({ callSites: true });
    function parse(x: string): number {
      if (broken) throw new TypeError(`cannot parse ${x}`);
      return Number(x);
    }
    const a = G.add(parse)('12'); const line = Number(new Error().stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1]);
    const b = G.add((x: number) => x * 2, { alias: 'double' })(a);
    assert.throws(() => b.get(), (e: unknown) => {
      assert.ok(e instanceof PyflowError);
      assert.equal(e.code, 'OP_FAILED');
      assert.equal(e.uid, 'parse_0');
      assert.equal(e.callSite?.line, line);
      assert.match(e.message, new RegExp(`^parse_0 \\(parse, added at .*errors\\.test\\.ts:${line}:\\d+\\) threw: cannot parse 12$`));
      assert.ok(e.cause instanceof TypeError);
      return true;
    });
    assert.ok(G.operations.every((op) => !op.isActivated()));
    broken = false;
    assert.equal(b.get(), 24);
  });

  it('an evaluation nested in an op that fails and is caught leaves the outer evaluation\'s ops active until they run', () => {
    const G = new GraphBuilder();
    const trace: string[] = [];
    G.subscribe((e) => { if (e.kind === 'activated' || e.kind === 'deactivated') trace.push(`${e.kind} ${e.uid}`); });
    let broken = true;
    const inner = G.add(function fragile(x: number) { if (broken) throw new Error('not yet'); return x; })(1);
    const base = G.add(function base(x: number) { return x + 1; })(10);
    const outer = G.add(function tolerant(b: number) {
      try { return b + (inner.get() as number); } catch { return -b; }
    })(base);
    const sink = G.add(function sink(o: number, b: number) { return o * b; })(outer, base);
    assert.equal(sink.get(), -121);
    assert.ok(G.operations.every((op) => !op.isActivated()), 'nothing stays active');
    // base_3's output was kept for sink (an activated consumer) although the nested evaluation failed in between.
    assert.deepEqual(trace, [
      'activated sink_8', 'activated tolerant_6', 'activated base_3',
      'deactivated base_3',
      'activated fragile_0', 'deactivated fragile_0',
      'deactivated tolerant_6', 'deactivated sink_8',
    ]);
    broken = false;
    assert.equal(inner.get(), 1);
  });

  it('a listener that throws while G.run() activates the pending ops fails the run and leaves nothing activated', () => {
    const G = new GraphBuilder();
    let throwing = true;
    const seen: string[] = [];
    G.subscribe((e) => {
      if (throwing && e.kind === 'activated' && e.uid.startsWith('second')) throw new Error('listener broke');
      seen.push(`${e.kind} ${e.uid}`);
    });
    const a = G.add(function first(x: number) { return x + 1; })(1);
    const b = G.add(function second(x: number) { return x * 2; })(a);
    G.add(function third(x: number) { return x - 3; })(b);
    assert.throws(() => G.run(), /listener broke/);
    assert.deepEqual(G.operations.map((op) => op.isActivated()), [false, false, false]);
    // first_0 was activated before the throw, second_3 as its event was refused; both are deactivated; nothing ran.
    assert.deepEqual(seen, ['activated first_0', 'deactivated first_0', 'deactivated second_3']);
    throwing = false;
    seen.length = 0;
    assert.deepEqual(G.run(), undefined);
    assert.equal(seen.filter((l) => l.startsWith('running')).length, 3, seen.join('\n'));
    assert.deepEqual(G.operations.map((op) => op.isActivated()), [false, false, false]);
  });

  it('a wrong number of outputs is an error naming the op', () => {
    const G = new GraphBuilder();
    const [x] = G.add((v: number) => [v, v, v], { nOut: 2, alias: 'pair' })(1);
    assert.throws(() => x!.get(), (e: PyflowError) => e.code === 'OUTPUT_COUNT' && /^pair_0 .* declared with nOut: 2 but returned 3 values$/.test(e.message));
    const [y] = G.add((v: number) => v, { nOut: 2, alias: 'single' })(1);
    assert.throws(() => y!.get(), (e: PyflowError) => e.code === 'OUTPUT_COUNT' && /returned a non-iterable number/.test(e.message));
  });

  it('bad input to add is rejected where it happens', () => {
    const G = new GraphBuilder();
    assert.throws(() => G.add(42 as never), (e: PyflowError) => e.code === 'BAD_ARGUMENT' && /expects a function, got number/.test(e.message));
    assert.throws(() => G.add((x: number) => x, { nOut: -1 })(1), (e: PyflowError) => e.code === 'BAD_OPTION');
  });

  it('unknown or ambiguous target names list what exists', () => {
    const G = new GraphBuilder();
    const f = (x: number) => x;
    G.add(f)(1);
    G.add(f)(2);
    assert.throws(() => G.runOnly('nope'), (e: PyflowError) => e.code === 'UNKNOWN_NODE' && /uids: f_0, f_3, data_1/.test(e.message));
    assert.throws(() => G.runOnly('f'), (e: PyflowError) => /2 nodes are named so \(f_0, f_3\)/.test(e.message));
    assert.equal(G.runOnly('data_2'), 1);
  });

  it('a released raw input cannot be recomputed and says so', () => {
    const G = new GraphBuilder();
    const a = G.add((x: number) => x)(1);
    G.toJSON();
    const raw = G.operations[0]!.inputs[0]!;
    raw.releaseMemory();
    assert.throws(() => a.get(), (e: PyflowError) => e.code === 'NO_VALUE' && /data_1 is a raw input/.test(e.message));
  });

  it('a target that is not a node, uid or name is a BAD_ARGUMENT naming the graph, and nothing is kept or activated', () => {
    const G = new GraphBuilder({ alias: 'prices' });
    const a = G.add(function inc(x: number) { return x + 1; })(1);
    for (const bad of [undefined, null, 42, {}, [a]]) {
      for (const call of [() => G.runOnly(a, bad as never), () => G.run(bad as never), () => G.dependencies(bad as never)]) {
        assert.throws(call, (e: PyflowError) => e instanceof PyflowError && e.code === 'BAD_ARGUMENT' && e.message.startsWith('Graph "prices": targets are'));
      }
    }
    assert.throws(() => G.runOnly([a] as never), /spread it: run\(\.\.\.nodes\)/);
    assert.throws(() => G.runOnly(a, 'nope'), (e: PyflowError) => e.code === 'UNKNOWN_NODE');
    assert.ok(G.operations.every((op) => !op.isActivated()));
    const b = G.add(function double(x: number) { return x * 2; })(a);
    assert.equal(b.get(), 4);
    assert.equal(a.hasValue(), false, 'released after b ran: the failed runOnly(a, ...) calls did not mark it kept');
  });

  it('G.remove(n) with n not a whole number >= 0 is a BAD_ARGUMENT and removes nothing', () => {
    const G = new GraphBuilder();
    G.add(function inc(x: number) { return x + 1; })(1);
    for (const n of [-1, 0.5, Number.NaN, -Infinity]) assert.throws(() => G.remove(n), (e: PyflowError) => e.code === 'BAD_ARGUMENT');
    assert.equal(G.operations.length, 1);
    G.remove(Infinity);
    assert.equal(G.operations.length, 0, 'Infinity removes every op');
  });

  it('a release hook that throws fails the evaluation with RELEASE_FAILED naming the node, after the op\'s other inputs are released', () => {
    for (const traced of [false, true]) {
      const disposed: string[] = [];
      const G = new GraphBuilder({ onRelease: (_v, node) => { disposed.push(node.uid); if (node.uid === 'data_2') throw new Error('hook failed'); } });
      if (traced) G.subscribe(() => undefined);
      const a = G.add(function A(x: number) { return x; })(1);
      const b = G.add(function B(x: number) { return x; })(2);
      const c = G.add(function C(x: number, y: number) { return x + y; })(a, b);
      assert.throws(() => c.get(), (e: PyflowError) => e.code === 'RELEASE_FAILED' && e.uid === 'data_2' &&
        e.message === 'releasing data_2 (graph "graph") failed: its onRelease hook, the value\'s Symbol.dispose or a trace listener threw: hook failed' &&
        (e.cause as Error).message === 'hook failed');
      assert.deepEqual(disposed, ['data_2', 'data_5'], 'b (data_5) is still released');
      assert.ok(G.operations.every((op) => !op.isActivated()));
      assert.equal(c.get(), 3, 'the result computed before the failure is kept');
    }
    // Both hooks throw: both inputs are released, the first failure is reported, and the next evaluation is clean.
    const disposed: string[] = [];
    const G = new GraphBuilder({ onRelease: (_v, node) => { disposed.push(node.uid); throw new Error(`hook ${node.uid}`); } });
    const a = G.add(function A(x: number) { return x; })(1);
    const b = G.add(function B(x: number) { return x; })(2);
    const c = G.add(function C(x: number, y: number) { return x + y; })(a, b);
    assert.throws(() => c.get(), (e: PyflowError) => e.code === 'RELEASE_FAILED' && e.uid === 'data_2');
    assert.deepEqual(disposed, ['data_2', 'data_5']);
    assert.equal(G.add(function D(x: number) { return x * 2; })(5).get(), 10);
  });

  it('an nOut > 1 op whose result is a generator that throws fails with OP_FAILED naming the op', () => {
    const G = new GraphBuilder();
    const [x] = G.add(function split() { return (function* gen() { yield 1; throw new Error('bad row'); })(); }, { nOut: 2 })();
    assert.throws(() => x!.get(), (e: PyflowError) => e.code === 'OP_FAILED' && /^split_0 \(split, added at .*\) threw: bad row$/.test(e.message));
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });
});
