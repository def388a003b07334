import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraphBuilder, PyflowError, type TraceEvent } from '../../src/index.js';
import { workerPool } from '../../src/executors/threads/workerPool.js';
import type * as ops from './ops.js';

/* A graph whose executor is a worker pool, evaluated with getAsync(): the engine's dispatch on real threads. */

const OPS = pathToFileURL(join(__dirname, 'ops.ts'));
const SOURCE = readFileSync(__filename, 'utf8').split('\n');
/** The line of this file where `text` first appears, and its column (1-based). */
const siteOf = (text: string): string => {
  const line = SOURCE.findIndex((l) => l.includes(text));
  return `${__filename}:${line + 1}:${SOURCE[line]!.indexOf(text) + 1}`;
};

describe('a graph on a worker pool', () => {
  const pool = workerPool({ threads: 2 });
  after(() => pool.close());
  const meet = pool.fn<typeof ops.meet>(OPS, 'meet');
  const fill = pool.fn<typeof ops.fill>(OPS, 'fill');
  const sum = pool.fn<typeof ops.sum>(OPS, 'sum');

  it('runs independent pool ops at once, inline ops in the main thread, and the trace names the threads', async () => {
    const G = new GraphBuilder({ executor: pool });
    const events: TraceEvent[] = [];
    G.subscribe((e) => events.push(e));
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const both = G.add((a: string, b: string) => `${a} ${b}`)(G.add(meet)(flags, 0), G.add(meet)(flags, 1));
    assert.equal(await both.getAsync(), 'met met');
    const finished = events.filter((e) => e.kind === 'finished');
    const workers = finished.map((e) => [e.uid.replace(/_\d+$/, ''), e.worker] as const).sort();
    assert.deepEqual(
      workers.map(([name]) => name),
      ['anonymous', 'meet', 'meet'],
    );
    assert.equal(workers[0]![1], undefined);
    const threads = workers.slice(1).map(([, w]) => w);
    assert.ok(
      threads.every((w) => /^thread \d+$/.test(w ?? '')),
      threads.join(),
    );
    assert.notEqual(threads[0], threads[1]);
  });

  it('moves a released buffer from one pool op to the next instead of copying it', async () => {
    const released: unknown[] = [];
    const G = new GraphBuilder({ executor: pool, onRelease: (value) => released.push(value) });
    const total = G.add(sum)(G.add(fill)(1000, 0.5));
    assert.equal(await total.getAsync(), 500);
    // The main thread's view of the array was emptied when its buffer moved to the thread that summed it.
    assert.deepEqual(
      released.map((v) => [v instanceof Float64Array, (v as Float64Array).byteLength]),
      [[true, 0]],
    );
  });

  it('copies a buffer the graph keeps (persist), leaving the kept value whole', async () => {
    const G = new GraphBuilder({ executor: pool });
    const values = G.add(fill)(1000, 0.5);
    values.persist();
    assert.equal(await G.add(sum)(values).getAsync(), 500);
    assert.equal((await values.getAsync()).length, 1000);
  });

  it('an op that throws in a worker fails the evaluation like an inline op', async () => {
    const G = new GraphBuilder({ executor: pool }); // no callSites: an executor op names its add line always
    const fails = pool.fn<typeof ops.fails>(OPS, 'fails');
    const failing = G.add(fails)('bad input');
    await assert.rejects(G.add((x: number) => x)(failing).getAsync(), (error: unknown) => {
      assert.ok(error instanceof PyflowError);
      assert.match(error.uid ?? '', /^fails_\d+$/);
      assert.equal(error.message, `${error.uid} (fails, added at ${siteOf('add(fails)')}) threw: bad input`);
      assert.deepEqual([error.code, (error.cause as Error).message], ['OP_FAILED', 'bad input']);
      assert.match((error.cause as Error).stack ?? '', /at fails \(.*test\/threads\/ops\.ts:\d+:\d+\)/);
      return true;
    });
  });

  it('a failure stops the pool ops still running (their threads replaced): nothing hangs', async () => {
    const G = new GraphBuilder({ executor: pool });
    const spins = pool.fn<() => number>(OPS, 'spins');
    const fails = pool.fn<typeof ops.fails>(OPS, 'fails');
    const both = G.add((a: number, b: number) => a + b)(G.add(spins)(), G.add(fails)('stop'));
    await assert.rejects(both.getAsync(), (error: unknown) => error instanceof PyflowError && / threw: stop$/.test(error.message));
    // Both threads are free again: two calls that must run at the same time do.
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const H = new GraphBuilder({ executor: pool });
    assert.equal(await H.add((a: string, b: string) => `${a} ${b}`)(H.add(meet)(flags, 0), H.add(meet)(flags, 1)).getAsync(), 'met met');
  });

  it('a call two evaluations share goes on when the one that started it fails; the other gets its value', async () => {
    const G = new GraphBuilder({ executor: pool });
    const events: TraceEvent[] = [];
    G.subscribe((e) => events.push(e));
    const fails = pool.fn<typeof ops.fails>(OPS, 'fails');
    // meet(flags, 0) stays in flight until this thread sets flags[1].
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const shared = G.add(meet)(flags, 0);
    const failing = G.add((m: string, n: number) => `${m} ${n}`, { alias: 'failing' })(shared, G.add(fails)('stop'));
    const other = G.add((m: string) => `${m}!`, { alias: 'other' })(shared);
    const first = failing.getAsync();
    const second = other.getAsync();
    await assert.rejects(first, (error: unknown) => error instanceof PyflowError && / threw: stop$/.test(error.message));
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    assert.equal(await second, 'met!');
    assert.deepEqual(
      events.filter((e) => e.kind === 'running' || e.kind === 'finished').map((e) => `${e.kind} ${e.uid.replace(/_\d+$/, '')}`),
      ['running meet', 'running fails', 'finished meet', 'running other', 'finished other'],
    );
  });

  it('a shared call is aborted once every evaluation waiting for it has failed: nothing hangs, the pool goes on', async () => {
    const G = new GraphBuilder({ executor: pool });
    const fails = pool.fn<typeof ops.fails>(OPS, 'fails');
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const shared = G.add(meet)(flags, 0);
    const one = G.add((m: string, n: number) => `${m} ${n}`)(shared, G.add(fails)('one'));
    const two = G.add((m: string, n: number) => `${m} ${n}`)(shared, G.add(fails)('two'));
    const results = await Promise.allSettled([one.getAsync(), two.getAsync()]);
    assert.deepEqual(
      results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message.replace(/^.* threw: /, '') : r.status)),
      ['one', 'two'],
    );
    // Both threads are free again: two calls that must run at the same time do.
    const again = new Int32Array(new SharedArrayBuffer(8));
    const H = new GraphBuilder({ executor: pool });
    assert.equal(await H.add((a: string, b: string) => `${a} ${b}`)(H.add(meet)(again, 0), H.add(meet)(again, 1)).getAsync(), 'met met');
  });

  it('a module that cannot be loaded fails the op, naming its export and add line, with the original as cause', async () => {
    const G = new GraphBuilder({ executor: pool }); // no callSites: an executor op names its add line always
    const missing = pool.fn<() => number>(pathToFileURL(join(__dirname, 'no-such-ops.mjs')), 'ghost');
    const ghost = G.add(missing)();
    await assert.rejects(ghost.getAsync(), (error: unknown) => {
      assert.ok(error instanceof PyflowError);
      assert.match(error.uid ?? '', /^ghost_\d+$/);
      assert.ok(error.message.startsWith(`${error.uid} (ghost, added at ${siteOf('add(missing)')}) could not be loaded in a worker thread: `), error.message);
      assert.ok(error.cause instanceof Error && /no-such-ops\.mjs/.test(error.cause.message), String(error.cause));
      return true;
    });
    assert.equal(await G.add(sum)(G.add(fill)(4, 1)).getAsync(), 4);
  });

  it('a worker that exits fails its op and the evaluation; the pool goes on', async () => {
    const G = new GraphBuilder({ executor: pool }); // no callSites: an executor op names its add line always
    const exits = pool.fn<(code: number) => number>(OPS, 'exits');
    const exited = G.add(exits)(7);
    await assert.rejects(exited.getAsync(), (error: unknown) => {
      assert.ok(error instanceof PyflowError);
      assert.match(
        error.message,
        new RegExp(
          `^exits_\\d+ \\(exits, added at ${siteOf('add(exits)').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) lost its worker thread \\(.*7.*; the thread was replaced\\)$`,
        ),
      );
      return true;
    });
    assert.equal(await G.add(sum)(G.add(fill)(10, 1)).getAsync(), 10);
  });

  it('a value that cannot cross fails the op that would receive it, naming its add line', async () => {
    const G = new GraphBuilder({ executor: pool }); // no callSites: an executor op names its add line always
    const callback = G.add(() => () => 1)();
    const summed = G.add(sum)(callback as never);
    await assert.rejects(summed.getAsync(), (error: unknown) => {
      assert.ok(error instanceof PyflowError);
      assert.match(error.uid ?? '', /^sum_\d+$/);
      assert.equal(error.message, `${error.uid} (sum, added at ${siteOf('add(sum)(callback')}) cannot be sent to a worker thread: argument [0] is a function`);
      return true;
    });
  });
});
