import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, PyflowError, formatTraceEvent, type TraceEvent } from '../../src/core/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('async evaluation', () => {
  it('getAsync awaits promise-returning ops', async () => {
    const G = new GraphBuilder();
    const fetchA = async () => { await sleep(5); return 2; };
    const a = G.add(fetchA)();
    const b = G.add(async (x: number) => x * 10)(a);
    assert.equal(await b.getAsync(), 20);
  });

  it('independent ops run concurrently, at most `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    const slow = async (x: number) => { running++; peak = Math.max(peak, running); await sleep(30); running--; return x; };
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
    assert.throws(() => a.get(), (e: PyflowError) => e.code === 'ASYNC_IN_GET' && /getAsync/.test(e.message) && /anonymous_0/.test(e.message));
    assert.equal(G.operations[0]!.isActivated(), false, 'the graph stays consistent');
  });

  it('a rejected promise fails with the op uid, and the graph can be re-run', async () => {
    let fail = true;
    const G = new GraphBuilder();
    const flaky = async (x: number) => { await sleep(1); if (fail) throw new Error('network down'); return x; };
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
    const a = G.add(async () => { await sleep(10); return 1; })();
    G.add((x: number) => x + 1, { alias: 'inc' })(a);
    await G.runAsync();
    const finished = events.filter((e) => e.kind === 'finished');
    assert.equal(finished.length, 2);
    assert.ok(finished[0]!.kind === 'finished' && finished[0]!.durationMs >= 5);
    assert.equal(events.map(formatTraceEvent).filter(Boolean)[0], 'anonymous_0 activated!');
  });
});
