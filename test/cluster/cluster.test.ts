import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { PyflowError } from '../../src/core/index.js';
import { ClusterValue, clusterExecutor, type ClusterExecutor } from '../../src/executors/cluster/index.js';
import { startRedis, type RedisServer } from './redisServer.js';
import { OPS_ROOT, REPO, startWorkerProcess, type WorkerProcess } from './workers.js';
import { callOf, keys, opOf } from './helpers.js';
import { waitFor } from '../waitFor.js';

/*
 * The cluster executor driven as the engine drives it (Executor.run, resolve, release), against a real redis-server and
 * real `pyflow worker` processes.
 */

const OPS = join(OPS_ROOT, 'ops.ts');
/** Short, so that a killed worker's op is retried soon; long enough for a busy machine's event loop. */
const LOCK = ['--lock-ms', '3000'];

let redis: RedisServer;
let workers: WorkerProcess[] = [];
let cluster: ClusterExecutor;

function runKeys(): Promise<string[]> {
  return keys(redis.url, `pyflow:run:${cluster.runId}:*`);
}

describe('cluster executor (real redis-server, two worker processes)', () => {
  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorkerProcess(redis.url, LOCK), startWorkerProcess(redis.url, LOCK)]);
    cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
  });

  after(async () => {
    await cluster?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  it('runs an op on a worker: a handle to its value in the store, the worker named', async () => {
    const add = cluster.fn(OPS, 'add');
    assert.equal(add.name, 'add');
    assert.ok(cluster.owns(add));
    assert.ok(!cluster.owns(() => 1));
    const result = await cluster.run(callOf(add, opOf('add_0', 'add'), [2, 3]));
    assert.ok(result.value instanceof ClusterValue);
    assert.ok(
      workers.some((w) => w.name === result.worker),
      `${result.worker} is one of ${workers.map((w) => w.name).join(', ')}`,
    );
    assert.equal(await cluster.resolve!(result.value), 5);
  });

  it('fingerprints its functions for the result cache: module under the root, export, and a hash of the module', () => {
    const hash = createHash('sha256').update(readFileSync(OPS)).digest('hex');
    assert.deepEqual(
      [cluster.fingerprint!(cluster.fn(OPS, 'add')), cluster.fingerprint!(cluster.fn(OPS, 'pair')), cluster.fingerprint!(() => 1)],
      [`ops.ts#add ${hash}`, `ops.ts#pair ${hash}`, undefined],
    );
  });

  it('passes handles between ops without fetching them, splits nOut outputs, and takes lists of handles', async () => {
    const pair = cluster.fn(OPS, 'pair');
    const squareSum = cluster.fn(OPS, 'squareSum');
    const pairs = await cluster.run(callOf(pair, opOf('pair_0', 'pair', 2), [7]));
    assert.ok(Array.isArray(pairs.value) && pairs.value.length === 2);
    const [doubled, label] = pairs.value as ClusterValue[];
    assert.deepEqual([await cluster.resolve!(doubled), await cluster.resolve!(label)], [14, 'x=7']);
    const sum = await cluster.run(callOf(squareSum, opOf('squareSum_0', 'squareSum'), [[doubled, 1, 2]]));
    assert.equal(await cluster.resolve!(sum.value), 14 * 14 + 1 + 4);
  });

  it('stores a value over the blob threshold once, by content hash, and deletes it when the last handle is released', async () => {
    const ramp = cluster.fn(OPS, 'ramp');
    const total = cluster.fn(OPS, 'total');
    const n = 100_000; // 800 KB of Float64Array: over the 256 KiB threshold
    const a = await cluster.run(callOf(ramp, opOf('ramp_0', 'ramp'), [n, 1]));
    const b = await cluster.run(callOf(ramp, opOf('ramp_1', 'ramp'), [n, 1]));
    const blobs = await keys(redis.url, 'pyflow:blob:*');
    assert.equal(blobs.filter((k) => !k.endsWith(':refs')).length, 1, `one blob for two equal values: ${blobs.join(', ')}`);
    const sum = await cluster.run(callOf(total, opOf('total_0', 'total'), [a.value]));
    assert.equal(await cluster.resolve!(sum.value), (n * (n - 1)) / 2);
    const back = (await cluster.resolve!(a.value)) as Float64Array;
    assert.ok(back instanceof Float64Array);
    assert.deepEqual([back.length, back[0], back[n - 1]], [n, 0, n - 1]);
    cluster.release!(a.value);
    await waitFor('the first handle to be deleted', async () => !(await runKeys()).includes((a.value as ClusterValue).key));
    assert.equal((await keys(redis.url, 'pyflow:blob:*')).length, 2, 'the blob stays while b names it');
    cluster.release!(b.value);
    await waitFor('the blob to be deleted', async () => (await keys(redis.url, 'pyflow:blob:*')).length === 0);
    cluster.release!(sum.value);
  });

  it('fails an op that throws like an inline op: uid, function, source line, the original error as cause', async () => {
    const explode = cluster.fn(OPS, 'explode');
    const error = await cluster.run(callOf(explode, opOf('explode_0', 'explode', 1, 42), [-1])).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof PyflowError);
    assert.equal(error.code, 'OP_FAILED');
    assert.equal(error.uid, 'explode_0');
    assert.deepEqual(error.callSite, { file: '/project/pipeline.ts', line: 42, column: 5 });
    assert.equal(error.message, 'explode_0 (explode, added at /project/pipeline.ts:42:5) threw: no square root of -1');
    const cause = error.cause as Error;
    assert.deepEqual([cause.name, cause.message], ['RangeError', 'no square root of -1']);
    assert.match(cause.stack ?? '', /test\/fixtures\/cluster\/ops\.ts:\d+/, 'the stack names the op module (source-mapped)');
    assert.deepEqual(
      (await runKeys()).filter((k) => k.includes('error')),
      [],
      'the stored error is deleted',
    );
  });

  it('fails an op whose value cannot cross (a function) with a clear error', async () => {
    const returnsFunction = cluster.fn(OPS, 'returnsFunction');
    await assert.rejects(cluster.run(callOf(returnsFunction, opOf('returnsFunction_0', 'returnsFunction'), [])), (error: PyflowError) => {
      assert.equal(error.code, 'OP_FAILED');
      assert.match(
        error.message,
        /^returnsFunction_0 \(returnsFunction, added at \/project\/pipeline\.ts:10:5\) threw: its value cannot be stored: .*could not be cloned/,
      );
      return true;
    });
  });

  it('refuses modules outside the code root, on the coordinator and on the worker', async () => {
    assert.throws(
      () => cluster.fn(join(REPO, 'src', 'cli', 'main.ts'), 'main'),
      /outside the code root .*test\/fixtures\/cluster.*pass clusterExecutor\(\{ root \}\)/,
    );
    // A job written to the queue by someone else, naming a module outside the workers' root: refused, nothing runs.
    const other = clusterExecutor({ redis: redis.url, root: join(REPO, 'test') });
    try {
      const escaping = other.fn(join(REPO, 'test', 'fixtures', 'cluster', 'ops.ts'), 'add');
      await assert.rejects(
        other.run(callOf(escaping, opOf('add_1', 'add'), [1, 2])),
        /^PyflowError: add_1 \(add, added at \/project\/pipeline\.ts:10:5\) threw: no module fixtures\/cluster\/ops\.ts under this worker's code root .*fixtures\/cluster/,
      );
      const queue = new Queue('pyflow', { connection: { host: '127.0.0.1', port: redis.port } });
      try {
        // (through the public API the module path is always relative, so this one is hand-made)
        await queue.add(
          'add',
          {
            run: other.runId,
            uid: 'add_2',
            graph: 'G',
            fnName: 'add',
            module: '../../../src/cli/main.ts',
            export: 'main',
            args: [],
            nOut: 1,
            outputPrefix: `pyflow:run:${other.runId}:value:x:`,
          },
          { jobId: `${other.runId}.x`, removeOnComplete: true, removeOnFail: true },
        );
        const errorKey = `pyflow:run:${other.runId}:value:x:error`;
        await waitFor('a worker to refuse the job', async () => (await keys(redis.url, errorKey)).length === 1);
        const refusal = (await other.resolve!(new ClusterValue(errorKey, 0))) as Error;
        assert.match(
          refusal.message,
          /^refused to run \.\.\/\.\.\/\.\.\/src\/cli\/main\.ts#main: the module is outside this worker's code root .*test\/fixtures\/cluster$/,
        );
      } finally {
        await queue.close();
      }
    } finally {
      await other.close();
    }
  });

  it('compares the code root and modules with links resolved: a root given through a link works, a link out is refused', async () => {
    const links = mkdtempSync(join(tmpdir(), 'pyflow-links-'));
    const linkedRoot = join(links, 'root');
    symlinkSync(OPS_ROOT, linkedRoot);
    // A link under the code root to a file outside it (made here, deleted below: the fixtures stay plain files).
    const linkOut = join(OPS_ROOT, 'escape-link.ts');
    symlinkSync(join(REPO, 'src', 'cli', 'main.ts'), linkOut);
    // A worker of its own queue, whose --root is the link.
    const linkedWorker = await startWorkerProcess(redis.url, ['--queue', 'linked'], linkedRoot);
    const linked = clusterExecutor({ redis: redis.url, root: linkedRoot, queue: 'linked' });
    const queue = new Queue('linked', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      // The module by its real path and through the link: the same module, under the root.
      const byRealPath = await linked.run(callOf(linked.fn(OPS, 'add'), opOf('add_6', 'add'), [2, 3]));
      const byLink = await linked.run(callOf(linked.fn(join(linkedRoot, 'ops.ts'), 'add'), opOf('add_7', 'add'), [3, 4]));
      assert.deepEqual(
        [await linked.resolve!(byRealPath.value), byRealPath.worker, await linked.resolve!(byLink.value), byLink.worker],
        [5, linkedWorker.name, 7, linkedWorker.name],
      );
      assert.throws(() => linked.fn(linkOut, 'main'), /^PyflowError: cluster\.fn\(".*src\/cli\/main\.ts", 'main'\): the module is outside the code root /);
      // The same link named in a job written by someone else: the worker resolves it and refuses.
      await queue.add(
        'main',
        {
          run: linked.runId,
          uid: 'main_0',
          graph: 'G',
          fnName: 'main',
          module: 'escape-link.ts',
          export: 'main',
          args: [],
          nOut: 1,
          outputPrefix: `pyflow:run:${linked.runId}:value:x:`,
        },
        { jobId: `${linked.runId}.x`, removeOnComplete: true, removeOnFail: true },
      );
      const errorKey = `pyflow:run:${linked.runId}:value:x:error`;
      await waitFor('the worker to refuse the job', async () => (await keys(redis.url, errorKey)).length === 1);
      const refusal = (await linked.resolve!(new ClusterValue(errorKey, 0))) as Error;
      assert.equal(refusal.message, `refused to run escape-link.ts#main: it links outside this worker's code root ${OPS_ROOT}`);
    } finally {
      await queue.close();
      await linked.close();
      await linkedWorker.stop();
      rmSync(linkOut, { force: true });
      rmSync(links, { recursive: true, force: true });
    }
  });

  it("refuses a job whose output keys are not its own run's (it never writes them)", async () => {
    const queue = new Queue('pyflow', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      // Hand-made, as by someone else with access to the queue: a valid module, but outputs aimed at a key of its choice.
      await queue.add(
        'add',
        { run: cluster.runId, uid: 'add_9', graph: 'G', fnName: 'add', module: 'ops.ts', export: 'add', args: [], nOut: 1, outputPrefix: 'pyflow:victim:' },
        { jobId: `${cluster.runId}.victim`, removeOnComplete: true, removeOnFail: true },
      );
      await waitFor('a worker to refuse the job', () => workers.some((w) => w.output().includes('refused add_9')));
      assert.deepEqual(await keys(redis.url, 'pyflow:victim:*'), []);
    } finally {
      await queue.close();
    }
  });

  it('deletes what was released, and everything of the run when it is closed', async () => {
    const add = cluster.fn(OPS, 'add');
    const kept = await cluster.run(callOf(add, opOf('add_3', 'add'), [1, 1]));
    const released = await cluster.run(callOf(add, opOf('add_4', 'add'), [2, 2]));
    cluster.release!(released.value);
    await waitFor('the released value to be deleted', async () => !(await runKeys()).includes((released.value as ClusterValue).key));
    assert.ok((await runKeys()).includes((kept.value as ClusterValue).key), 'a value not released stays');
    const runId = cluster.runId;
    await cluster.close();
    assert.deepEqual(await keys(redis.url, `pyflow:run:${runId}:*`), []);
    assert.deepEqual(await keys(redis.url, 'pyflow:runs'), []);
    await assert.rejects(cluster.run(callOf(add, opOf('add_5', 'add'), [1, 1])), /add_5 \(add, added at .*\) cannot run: the cluster executor is closed/);
    cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
  });

  it('retries an op on another worker when its worker is killed mid-op (SIGKILL), with the same result', async () => {
    const third = await startWorkerProcess(redis.url, LOCK);
    workers.push(third);
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-killed-'));
    try {
      const hang = cluster.fn(OPS, 'hangFirstTime');
      const running = cluster.run(callOf(hang, opOf('hang_0', 'hangFirstTime'), [dir, 21]));
      const started = await waitFor('a worker to start the op', () => readdirSync(dir).find((f) => f.startsWith('started-')));
      const victim = workers.find((w) => `started-${w.child.pid}` === started)!;
      await victim.stop('SIGKILL');
      const result = await running;
      assert.equal(await cluster.resolve!(result.value), 42);
      assert.notEqual(result.worker, victim.name);
      assert.ok(workers.some((w) => w !== victim && w.name === result.worker));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
