import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, PyflowError, formatTraceEvent, type DataNode, type TraceEvent } from '../../src/core/index.js';
import { random } from './seeded.js';
import v8 from 'node:v8';
import vm from 'node:vm';

/** A full garbage collection (the test runner runs without --expose-gc). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('async evaluation', () => {
  it('getAsync awaits promise-returning ops', async () => {
    const G = new GraphBuilder();
    const fetchA = async () => {
      await sleep(5);
      return 2;
    };
    const a = G.add(fetchA)();
    const b = G.add(async (x: number) => x * 10)(a);
    assert.equal(await b.getAsync(), 20);
  });

  it('independent ops run concurrently, at most `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    const slow = async (x: number) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(30);
      running--;
      return x;
    };
    const sum = (...xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (const concurrency of [1, 3]) {
      running = 0;
      peak = 0;
      const G = new GraphBuilder({ concurrency });
      const leaves = [1, 2, 3, 4, 5, 6].map((i) => G.add(slow)(i));
      const total = G.add(sum)(...leaves);
      const started = Date.now();
      assert.equal(await total.getAsync(), 21);
      assert.equal(peak, concurrency);
      if (concurrency === 3) assert.ok(Date.now() - started < 6 * 30, 'faster than one at a time');
    }
  });

  it('a synchronous graph prints the same trace under getAsync as under get', async () => {
    const build = (lines: string[]) => {
      const G = new GraphBuilder({ verbose: true, log: (l) => lines.push(l) });
      const adding = (a: number, b: number) => a + b;
      const return2 = (a: number, b: number) => [a + 1, b + 1];
      const a1 = G.add(adding)(1, 2);
      const [, a3] = G.add(return2, { nOut: 2 })(a1, 3);
      const a4 = G.add(adding)(a1, 5);
      return G.add(adding)(a4, a3!);
    };
    const syncLines: string[] = [];
    const asyncLines: string[] = [];
    build(syncLines).get();
    await build(asyncLines).getAsync();
    assert.deepEqual(asyncLines, syncLines);
    assert.equal(syncLines.length, 20);
  });

  it('get() on a graph that meets a promise tells the user to use getAsync()', () => {
    const G = new GraphBuilder();
    const a = G.add(async () => 1)();
    assert.throws(
      () => a.get(),
      (e: PyflowError) => e.code === 'ASYNC_IN_GET' && /getAsync/.test(e.message) && /anonymous_0/.test(e.message),
    );
    assert.equal(G.operations[0]!.isActivated(), false, 'the graph stays consistent');
  });

  it('a rejected promise fails with the op uid, and the graph can be re-run', async () => {
    let fail = true;
    const G = new GraphBuilder();
    const flaky = async (x: number) => {
      await sleep(1);
      if (fail) throw new Error('network down');
      return x;
    };
    const a = G.add(flaky)(1);
    const b = G.add((x: number) => x + 1)(a);
    await assert.rejects(b.getAsync(), (e: PyflowError) => e.code === 'OP_FAILED' && /flaky_0 \(flaky, added at .*\) threw: network down/.test(e.message));
    assert.ok(G.operations.every((op) => !op.isActivated()));
    fail = false;
    assert.equal(await b.getAsync(), 2);
  });

  it('runAsync runs every op, with structured events including durations', async () => {
    const events: TraceEvent[] = [];
    const G = new GraphBuilder();
    G.subscribe((e) => events.push(e));
    const a = G.add(async () => {
      await sleep(10);
      return 1;
    })();
    G.add((x: number) => x + 1, { alias: 'inc' })(a);
    await G.runAsync();
    const finished = events.filter((e) => e.kind === 'finished');
    assert.equal(finished.length, 2);
    assert.ok(finished[0]!.kind === 'finished' && finished[0]!.durationMs >= 5);
    assert.equal(events.map(formatTraceEvent).filter(Boolean)[0], 'anonymous_0 activated!');
  });

  it('evaluations running at once share an op in flight: Promise.all of two getAsync() fetches a shared input once', async () => {
    const calls: string[] = [];
    const events: TraceEvent[] = [];
    const G = new GraphBuilder();
    G.subscribe((e) => events.push(e));
    const fetchRows = async function fetchRows() {
      calls.push('fetch');
      await sleep(10);
      return [1, 2, 3];
    };
    const rows = G.add(fetchRows)();
    const total = G.add(function sum(r: number[]) {
      calls.push('sum');
      return r.reduce((a, b) => a + b, 0);
    })(rows);
    const count = G.add(async function count(r: number[]) {
      calls.push('count');
      await sleep(1);
      return r.length;
    })(rows);
    assert.deepEqual(await Promise.all([total.getAsync(), count.getAsync(), total.getAsync()]), [6, 3, 6]);
    assert.deepEqual(
      calls.filter((c) => c === 'fetch'),
      ['fetch'],
      calls.join(','),
    );
    assert.equal(calls.filter((c) => c === 'sum').length, 1, calls.join(','));
    assert.equal(events.filter((e) => e.kind === 'finished' && e.uid === 'fetchRows_0').length, 1, 'finished is reported once');
    assert.ok(G.operations.every((op) => !op.isActivated()));
    assert.equal(rows.hasValue(), false, 'the shared input is released once both consumers ran');
  });

  it('an op in flight that fails fails every evaluation waiting for it, with one error event; the graph can be re-run', async () => {
    let fail = true;
    let calls = 0;
    const events: TraceEvent[] = [];
    const G = new GraphBuilder();
    G.subscribe((e) => events.push(e));
    const a = G.add(async function flaky() {
      calls++;
      await sleep(5);
      if (fail) throw new Error('network down');
      return 1;
    })();
    const b = G.add((x: number) => x + 1, { alias: 'inc' })(a);
    const c = G.add((x: number) => x * 10, { alias: 'times10' })(a);
    const outcomes = await Promise.allSettled([b.getAsync(), c.getAsync()]);
    assert.equal(calls, 1);
    for (const o of outcomes) {
      assert.ok(
        o.status === 'rejected' && o.reason instanceof PyflowError && o.reason.code === 'OP_FAILED' && /flaky_0 .* threw: network down/.test(o.reason.message),
        String(o.status === 'rejected' && o.reason),
      );
    }
    assert.equal(events.filter((e) => e.kind === 'error').length, 1);
    assert.ok(G.operations.every((op) => !op.isActivated()));
    fail = false;
    assert.deepEqual(await Promise.all([b.getAsync(), c.getAsync()]), [2, 10]);
    assert.equal(calls, 2);
  });

  it("on 1,000 random graphs of sync and async ops, getAsync() calls at once give the right values, or the failing op's error, and leave the graph consistent", async () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const rnd = random(seed);
      const G = new GraphBuilder({ concurrency: 1 + Math.floor(rnd() * 3) });
      const nodes: DataNode<number>[] = [];
      const expected: number[] = [];
      /** Index of the failing op's output (it throws on its first call only), or -1. */
      const failing = rnd() < 0.3 ? Math.floor(rnd() * 12) : -1;
      let failed = false;
      /** Nodes whose value depends on the failing op's. */
      const tainted = new Set<number>();
      for (let k = 0; k < 12; k++) {
        const arity = k === 0 ? 0 : 1 + Math.floor(rnd() * Math.min(3, k));
        const parents = Array.from({ length: arity }, () => Math.floor(rnd() * k));
        const ticks = rnd() < 0.5 ? -1 : Math.floor(rnd() * 4); // -1: a synchronous op
        const fails = k === failing;
        const compute = (...xs: number[]): number => {
          if (fails && !failed) {
            failed = true;
            throw new Error(`op ${k} fails`);
          }
          return xs.reduce((a, b) => a * 3 + b, k + 1) % 1000;
        };
        const fn =
          ticks < 0
            ? compute
            : async (...xs: number[]): Promise<number> => {
                for (let t = 0; t < ticks; t++) await null;
                return compute(...xs);
              };
        nodes.push(G.add(fn, { alias: `op${k}` })(...parents.map((p) => nodes[p]!)) as DataNode<number>);
        expected.push(parents.map((p) => expected[p]!).reduce((a, b) => a * 3 + b, k + 1) % 1000);
        if (fails || parents.some((p) => tainted.has(p))) tainted.add(k);
      }
      const targets = Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => 6 + Math.floor(rnd() * 6));
      const outcomes = await Promise.allSettled(targets.map((t) => nodes[t]!.getAsync()));
      outcomes.forEach((o, i) => {
        const t = targets[i]!;
        if (o.status === 'fulfilled') assert.equal(o.value, expected[t], `seed ${seed}: op${t}`);
        else {
          assert.ok(
            tainted.has(t) && o.reason instanceof PyflowError && o.reason.message.includes(`op ${failing} fails`),
            `seed ${seed}: op${t}: ${String(o.reason)}`,
          );
        }
      });
      assert.ok(
        G.operations.every((op) => !op.isActivated()),
        `seed ${seed}: nothing stays activated`,
      );
      // Run again (the failing op now succeeds): every target's value.
      assert.deepEqual(
        await Promise.all(targets.map((t) => nodes[t]!.getAsync())),
        targets.map((t) => expected[t]),
        `seed ${seed}: again`,
      );
    }
  });

  it('an async op that awaits and then evaluates something needing itself fails with CYCLE instead of waiting for itself for ever', {
    timeout: 5000,
  }, async () => {
    const G = new GraphBuilder();
    let calls = 0;
    const late: { b?: DataNode<number> } = {};
    const a = G.add(async function A() {
      calls++;
      await sleep(1);
      return (await late.b!.getAsync()) + 1;
    })();
    late.b = G.add(function B(x: number) {
      return x * 2;
    })(a);
    await assert.rejects(late.b.getAsync(), (e: PyflowError) => e.code === 'CYCLE' && /^A_0 \(A, added at .*\) was asked for while it runs/.test(e.message));
    assert.equal(calls, 1);
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });

  it('a shared call whose outputs cannot be stored (wrong count) fails every evaluation waiting for it', async () => {
    const G = new GraphBuilder();
    const events: TraceEvent[] = [];
    G.subscribe((e) => events.push(e));
    let calls = 0;
    const [o1, o2] = G.add(
      async function X() {
        calls++;
        await sleep(1);
        return [1];
      },
      { nOut: 2 },
    )() as unknown as DataNode<number>[];
    const outcomes = await Promise.allSettled([o1!.getAsync(), o2!.getAsync()]);
    assert.deepEqual(
      outcomes.map((o) => o.status === 'rejected' && (o.reason as PyflowError).code),
      ['OUTPUT_COUNT', 'OUTPUT_COUNT'],
    );
    assert.equal(calls, 1);
    assert.equal(events.filter((e) => e.kind === 'error').length, 1);
  });

  it('a release hook that throws while a shared call is finished fails every evaluation waiting for it, and leaves nothing activated', async () => {
    let hookThrows = true;
    const G = new GraphBuilder({
      onRelease: (_v, node) => {
        if (hookThrows && node.uid === 'data_1') {
          hookThrows = false;
          throw new Error('hook failed');
        }
      },
    });
    const r = G.add(function R() {
      return 1;
    })();
    const x = G.add(async function X(v: number) {
      await null;
      await null;
      return v + 1;
    })(r);
    const p = G.add(async function P() {
      await null;
      return 10;
    })();
    const t = G.add(function C(a: number, b: number) {
      return a + b;
    })(p, x);
    const second = t.getAsync(); // activates C, P, X and R; calls R, then P
    await null;
    const first = x.getAsync(); // calls X, which the other evaluation then waits for
    const outcomes = await Promise.allSettled([first, second]);
    assert.deepEqual(
      outcomes.map((o) => o.status === 'rejected' && `${(o.reason as PyflowError).code}: ${(o.reason as Error).message}`),
      Array(2).fill(
        'RELEASE_FAILED: releasing data_1 (graph "graph") failed: its onRelease hook, the value\'s Symbol.dispose or a trace listener threw: hook failed',
      ),
    );
    assert.ok(G.operations.every((op) => !op.isActivated()));
    assert.equal(await t.getAsync(), 12);
  });

  it('two evaluations whose async ops await each other fail with CYCLE instead of waiting for ever', { timeout: 5000 }, async () => {
    const G = new GraphBuilder();
    const late: { y?: DataNode<number>; z?: DataNode<number> } = {};
    const a = G.add(async function A() {
      await sleep(1);
      return (await late.y!.getAsync()) + 1;
    })();
    const q = G.add(async function Q() {
      await sleep(1);
      return (await late.z!.getAsync()) + 1;
    })();
    late.y = G.add(function y(v: number) {
      return v;
    })(q);
    late.z = G.add(function z(v: number) {
      return v;
    })(a);
    const outcomes = await Promise.allSettled([a.getAsync(), q.getAsync()]);
    assert.deepEqual(
      outcomes.map((o) => o.status === 'rejected' && (o.reason as PyflowError).code),
      ['CYCLE', 'CYCLE'],
    );
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });

  it("a job started inside an op's call that evaluates after the call is over waits for a later call of the op (no false CYCLE)", async () => {
    const G = new GraphBuilder();
    let calls = 0;
    let job: Promise<number> | undefined;
    const late: { c?: DataNode<number> } = {};
    const a = G.add(async function A() {
      calls++;
      if (calls === 1)
        job = (async () => {
          await sleep(10);
          return late.c!.getAsync();
        })(); // fire and forget
      await sleep(calls === 1 ? 0 : 30);
      return 7;
    })();
    const b = G.add(function B(x: number) {
      return x + 1;
    })(a);
    late.c = G.add(function C(x: number) {
      return x * 2;
    })(a);
    const d = G.add(function D(x: number) {
      return x - 1;
    })(a);
    assert.equal(await b.getAsync(), 8);
    const again = d.getAsync(); // calls A again; the job asks for c while that call is in flight
    assert.equal(await job!, 14);
    assert.equal(await again, 6);
    assert.equal(calls, 2);
  });

  it('get() of something that needs an op a getAsync() evaluation is computing fails at once, without calling the op again', { timeout: 5000 }, async () => {
    const G = new GraphBuilder();
    let calls = 0;
    const late: { b?: DataNode<number> } = {};
    const a = G.add(async function A() {
      calls++;
      await sleep(1);
      return calls === 1 ? 5 : calls > 5 ? -1 : late.b!.get() + 1;
    })(); // (> 5: a runaway stops)
    late.b = G.add(function B(x: number) {
      return x * 2;
    })(a);
    const pending = a.getAsync();
    assert.throws(
      () => late.b!.get(),
      (e: PyflowError) => e.code === 'ASYNC_IN_GET' && /^A_0 \(A, added at .*\) is being computed by a getAsync\(\) evaluation/.test(e.message),
    );
    assert.equal(await pending, 5);
    assert.equal(calls, 1);
    // From the op's own function, after an await: a cycle, and one call fails instead of each call starting the next.
    a.releaseMemory();
    await assert.rejects(late.b.getAsync(), (e: PyflowError) => e.code === 'CYCLE');
    await sleep(20);
    assert.equal(calls, 2);
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });

  it("a released value can be collected while code its op's async function started still runs (a timer)", async () => {
    const G = new GraphBuilder();
    let ref: WeakRef<object> | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    const data = G.add(async function load() {
      await sleep(1);
      timer = setInterval(() => undefined, 1e6); // a poller, a keep-alive
      const big = new Float64Array(1e6);
      ref = new WeakRef(big);
      return big;
    })();
    const total = G.add(function count(a: Float64Array) {
      return a.length;
    })(data);
    try {
      assert.equal(await total.getAsync(), 1e6);
      assert.equal(data.hasValue(), false);
      await sleep(5);
      collectGarbage();
      await sleep(5);
      collectGarbage();
      assert.equal(ref!.deref(), undefined, 'nothing of the evaluator holds the released array');
    } finally {
      clearInterval(timer);
    }
  });

  it('an op with several outputs whose generator evaluates its own output fails with CYCLE, not a stack overflow', () => {
    const G = new GraphBuilder();
    const late: { x?: DataNode<number> } = {};
    let calls = 0;
    const [x] = G.add(
      function pair() {
        calls++;
        return (function* gen() {
          yield late.x!.get();
          yield 2;
        })();
      },
      { nOut: 2 },
    )() as unknown as DataNode<number>[];
    late.x = x;
    assert.throws(
      () => x!.get(),
      (e: PyflowError) => e.code === 'CYCLE' && e.message.startsWith('pair_0 (pair, added at'),
    );
    assert.equal(calls, 1);
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });
});
