import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PyflowError } from '../../src/core/errors.js';
import type { ExecutorCall } from '../../src/core/executor.js';
import { workerPool, type WorkerPool } from '../../src/executors/threads/workerPool.js';
import type * as ops from './ops.js';

/* The worker pool through the Executor contract, on real worker threads. */

const OPS = pathToFileURL(join(__dirname, 'ops.ts'));
const SITE = { file: '/work/pipeline.ts', line: 12, column: 5 };

function call(
  pool: WorkerPool,
  fn: (...args: never[]) => unknown,
  args: unknown[],
  movable: unknown[] = [],
  signal = new AbortController().signal,
): ExecutorCall {
  void pool;
  return { op: { uid: `${fn.name}_1`, graph: 'G', fnName: fn.name, site: SITE, nOut: 1 }, fn, args, movable, signal };
}

async function rejection(promise: Promise<unknown>): Promise<PyflowError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PyflowError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

describe('workerPool', () => {
  const pool = workerPool({ threads: 2 });
  after(() => pool.close());
  const add = pool.fn<typeof ops.add>(OPS, 'add');

  it('makes functions named after the export, which it owns', () => {
    assert.equal(add.name, 'add');
    assert.equal(pool.owns(add), true);
    assert.equal(
      pool.owns((a: number) => a),
      false,
    );
    const other = workerPool({ threads: 1 });
    assert.equal(other.owns(add), false);
    void other.close();
    assert.deepEqual([pool.name, pool.concurrency], ['threads', 2]);
  });

  it('runs a call on a worker thread and says which', async () => {
    const result = await pool.run(call(pool, add, [2, 3]));
    assert.equal(result.value, 5);
    assert.match(result.worker, /^thread \d+$/);
    assert.notEqual(result.worker, 'thread 0');
    assert.deepEqual((await pool.run(call(pool, pool.fn(OPS, 'later'), ['done']))).value, 'done');
  });

  it('runs as many calls at once as it has threads', async () => {
    const meet = pool.fn<typeof ops.meet>(OPS, 'meet');
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const results = await Promise.all([0, 1].map((slot) => pool.run(call(pool, meet, [flags, slot]))));
    assert.deepEqual(
      results.map((r) => r.value),
      ['met', 'met'],
    );
    assert.notEqual(results[0]!.worker, results[1]!.worker);
  });

  it('calling a pool function directly is an error that says how to use it', () => {
    assert.throws(() => (add as (a: number, b: number) => number)(1, 2), {
      name: 'PyflowError',
      message: 'add runs on worker threads: add it to a GraphBuilder made with { executor: pool } and evaluate it with getAsync()',
    });
  });

  it('moves the buffers of movable values to the worker, and copies the others', async () => {
    const sum = pool.fn<typeof ops.sum>(OPS, 'sum');
    const moved = new Float64Array(1000).fill(2);
    const copied = new Float64Array(1000).fill(3);
    assert.equal((await pool.run(call(pool, sum, [moved], [moved]))).value, 2000);
    assert.equal((await pool.run(call(pool, sum, [copied]))).value, 3000);
    assert.deepEqual([moved.byteLength, copied.byteLength], [0, 8000]);
  });

  it('copies a movable buffer that another argument still holds', async () => {
    const sum = pool.fn<typeof ops.sum>(OPS, 'sum');
    const released = new Float64Array(10).fill(1);
    const held = released.subarray(0, 5);
    assert.equal((await pool.run(call(pool, sum, [released, held], [released]))).value, 10);
    assert.deepEqual([released.length, held.length], [10, 5]);
  });

  it('moves returned buffers out of the worker', async () => {
    const single = workerPool({ threads: 1 });
    try {
      const result = await single.run(call(single, single.fn(OPS, 'fillAndKeep'), [1000]));
      assert.deepEqual(result.value, new Float64Array(1000).fill(1));
      assert.equal((await single.run(call(single, single.fn(OPS, 'keptByteLength'), []))).value, 0);
    } finally {
      await single.close();
    }
  });

  it('refuses an argument that cannot cross: a function, a class instance', async () => {
    const sum = pool.fn<typeof ops.sum>(OPS, 'sum');
    const error = await rejection(pool.run(call(pool, sum, [{ weights: [1, function weigh() {}] }])));
    assert.equal(
      error.message,
      'sum_1 (sum, added at /work/pipeline.ts:12:5) cannot be sent to a worker thread: argument [0].weights[1] is a function (weigh)',
    );
    assert.deepEqual([error.code, error.uid, error.callSite], ['OP_FAILED', 'sum_1', SITE]);
    class Weights {
      total(): number {
        return 0;
      }
    }
    assert.equal(
      (await rejection(pool.run(call(pool, sum, [1, new Map([['w', new Weights()]])])))).message,
      'sum_1 (sum, added at /work/pipeline.ts:12:5) cannot be sent to a worker thread: argument [1].get("w") is an instance of Weights: it would arrive as a plain object, without its class and methods',
    );
  });

  it('refuses a returned value that cannot cross', async () => {
    assert.equal(
      (await rejection(pool.run(call(pool, pool.fn(OPS, 'point'), [3, 4])))).message,
      'point_1 (point, added at /work/pipeline.ts:12:5) returned a value that cannot be sent back from its worker thread: it is an instance of Point: it would arrive as a plain object, without its class and methods',
    );
    assert.equal(
      (await rejection(pool.run(call(pool, pool.fn(OPS, 'callback'), [])))).message,
      'callback_1 (callback, added at /work/pipeline.ts:12:5) returned a value that cannot be sent back from its worker thread: it is a function',
    );
  });

  it('an op that throws fails like an inline op: uid, function, add line, the original error as cause', async () => {
    const error = await rejection(pool.run(call(pool, pool.fn(OPS, 'fails'), ['no data'])));
    assert.equal(error.message, 'fails_1 (fails, added at /work/pipeline.ts:12:5) threw: no data');
    assert.deepEqual([error.code, error.uid, error.callSite], ['OP_FAILED', 'fails_1', SITE]);
    const cause = error.cause as Error;
    assert.equal(cause.name, 'RangeError');
    assert.equal(cause.message, 'no data');
    assert.match(cause.stack ?? '', /at fails \(.*test\/threads\/ops\.ts:\d+:\d+\)/);
    assert.equal((await rejection(pool.run(call(pool, pool.fn(OPS, 'throwsString'), [])))).cause, 'a plain string');
  });

  it('a missing export or module fails the op, naming it', async () => {
    assert.equal(
      (await rejection(pool.run(call(pool, pool.fn(OPS, 'nope'), [])))).message,
      `nope_1 (nope, added at /work/pipeline.ts:12:5) could not be loaded in a worker thread: ${OPS.href} has no function export named nope`,
    );
    const missing = await rejection(pool.run(call(pool, pool.fn(new URL('./missing.ts', OPS), 'x'), [])));
    assert.match(missing.message, /^x_1 \(x, added at \/work\/pipeline\.ts:12:5\) could not be loaded in a worker thread: .*missing\.ts/);
  });

  it('a worker that exits fails its op; the pool replaces it and goes on', async () => {
    const threadOf = pool.fn(OPS, 'threadOf');
    const error = await rejection(pool.run(call(pool, pool.fn(OPS, 'exits'), [3])));
    assert.match(error.message, /^exits_1 \(exits, added at \/work\/pipeline\.ts:12:5\) lost its worker thread \(.*exit.*3.*; the thread was replaced\)$/);
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const meet = pool.fn(OPS, 'meet');
    assert.deepEqual(
      (await Promise.all([0, 1].map((slot) => pool.run(call(pool, meet, [flags, slot]))))).map((r) => r.value),
      ['met', 'met'],
    );
    assert.equal(typeof (await pool.run(call(pool, threadOf, []))).value, 'number');
  });

  it('a worker that runs out of memory fails its op; the pool replaces it', async () => {
    const small = workerPool({ threads: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    try {
      const error = await rejection(small.run(call(small, small.fn(OPS, 'exhaustsMemory'), [])));
      assert.equal(
        error.message,
        'exhaustsMemory_1 (exhaustsMemory, added at /work/pipeline.ts:12:5) ran out of memory in its worker thread (the thread was replaced)',
      );
      assert.equal((await small.run(call(small, small.fn(OPS, 'add'), [1, 1]))).value, 2);
    } finally {
      await small.close();
    }
  });

  it('an aborted call ends at once, its thread replaced', async () => {
    const controller = new AbortController();
    const spinning = pool.run(call(pool, pool.fn(OPS, 'spins'), [], [], controller.signal));
    controller.abort();
    assert.equal((await rejection(spinning)).message, 'spins_1 (spins, added at /work/pipeline.ts:12:5) was stopped: the evaluation was given up');
    assert.equal((await pool.run(call(pool, add, [1, 1]))).value, 2);
  });
});

describe('workerPool.close', () => {
  it('rejects the calls in flight and refuses new ones', async () => {
    const pool = workerPool({ threads: 1 });
    const spinning = rejection(pool.run(call(pool, pool.fn(OPS, 'spins'), [])));
    await pool.close();
    assert.equal((await spinning).message, 'spins_1 (spins, added at /work/pipeline.ts:12:5) was stopped: its worker pool was closed');
    assert.equal(
      (await rejection(pool.run(call(pool, pool.fn(OPS, 'add'), [1, 2])))).message,
      'add_1 (add, added at /work/pipeline.ts:12:5) cannot run: its worker pool is closed',
    );
  });

  it('leaves no thread behind: the process ends by itself, with as many threads as before the pool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-pool-'));
    const script = join(dir, 'closes.ts');
    const src = JSON.stringify(join(__dirname, '..', '..', 'src', 'executors', 'threads', 'workerPool.ts'));
    writeFileSync(
      script,
      `
      const { readdirSync } = require('node:fs');
      const { workerPool } = require(${src});
      const threads = () => readdirSync('/proc/self/task').length;
      const op = (fn) => ({ op: { uid: fn.name + '_1', graph: 'G', fnName: fn.name, site: undefined, nOut: 1 }, fn, args: [], movable: [], signal: new AbortController().signal });
      async function main() {
        const before = threads();
        const pool = workerPool({ threads: 3 });
        const spinning = pool.run(op(pool.fn(${JSON.stringify(OPS.href)}, 'spins'))).catch((e) => e.message);
        await pool.run(op(pool.fn(${JSON.stringify(OPS.href)}, 'threadOf')));
        await pool.close();
        console.log(await spinning);
        console.log(before === threads() ? 'same threads' : 'threads: ' + before + ' before, ' + threads() + ' after');
      }
      main();
    `,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: join(__dirname, '..', '..') });
    assert.equal(
      stdout,
      'spins_1 (spins, added at unknown location (call sites are captured when tracing)) was stopped: its worker pool was closed\nsame threads\n',
    );
  });
});
