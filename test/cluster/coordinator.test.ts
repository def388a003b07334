import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { clusterExecutor, GIVEN_UP_SIZE } from '../../src/executors/cluster/coordinator.js';
import { WORKER_HOST_SYMBOL, type WorkerHost } from '../../src/executors/workerHost.js';
import { startRedis, type RedisServer } from './redisServer.js';
import { OPS_ROOT, REPO, startWorkerProcess, type WorkerProcess } from './workers.js';
import { callOf, opOf } from './helpers.js';
import { waitFor } from '../waitFor.js';

/* The coordinator's own faults: calls given up at every moment, the events reader meeting errors, fingerprints. */

const OPS = join(OPS_ROOT, 'ops.ts');
const SITE = String.raw`\(add, added at /project/pipeline\.ts:10:5\)`;

describe('cluster coordinator: calls given up', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  /** Waiting jobs on `queue` (no worker runs in these tests: a queued job stays). */
  async function waiting(queue = 'pyflow'): Promise<number> {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const q = new Queue(queue, { connection });
    try {
      return (await q.getJobCounts('waiting')).waiting ?? 0;
    } finally {
      await q.close();
      connection.disconnect();
    }
  }

  it('aborted while its job is being added (Redis pausing writes): the call fails, no unhandled rejection, the job is removed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(OPS_ROOT, 'abortWhilePaused.ts'), redis.url], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.deepEqual(
      { code, stderr, stdout },
      {
        code: 0,
        stderr: '',
        stdout: 'PyflowError: add_1 (add, added at /project/pipeline.ts:7:3) failed on the cluster: the evaluation was given up\nwaiting: 0\n',
      },
    );
  });

  it('aborted before the cluster has connected: the call fails at once and queues no job', { timeout: 60_000 }, async () => {
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const add = cluster.fn(OPS, 'add');
      const controller = new AbortController();
      const call = cluster.run(callOf(add, opOf('add_0', 'add'), [1, 2], controller.signal));
      controller.abort();
      await assert.rejects(call, {
        name: 'PyflowError',
        message: /^add_0 \(add, added at \/project\/pipeline\.ts:10:5\) failed on the cluster: the evaluation was given up$/,
      });
      assert.equal(await waiting(), 0);
    } finally {
      await cluster.close();
    }
  });

  it('many queued jobs given up: all removed, and the coordinator remembers none of them', async () => {
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const add = cluster.fn(OPS, 'add');
      const controllers = Array.from({ length: 20 }, () => new AbortController());
      const calls = controllers.map((c, i) =>
        cluster.run(callOf(add, opOf(`add_${i}`, 'add'), [i, 1], c.signal)).then(
          () => 'ran',
          (e: Error) => e.message,
        ),
      );
      await waitFor('20 queued jobs', async () => (await waiting()) === 20);
      for (const c of controllers) c.abort();
      assert.deepEqual(
        await Promise.all(calls),
        controllers.map((_, i) => `add_${i} (add, added at /project/pipeline.ts:10:5) failed on the cluster: the evaluation was given up`),
      );
      await waitFor('the jobs to be removed', async () => (await waiting()) === 0);
      const size = (cluster as unknown as Record<symbol, () => number>)[GIVEN_UP_SIZE]!;
      await waitFor('the given-up set to empty', () => size() === 0, 30_000);
    } finally {
      await cluster.close();
    }
  });
});

describe('cluster coordinator: the events reader', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  let admin: Redis;
  before(async () => {
    redis = await startRedis();
    const setup = new Redis(redis.url);
    await setup.call('ACL', 'SETUSER', 'admin', 'on', 'nopass', '~*', '&*', '+@all');
    setup.disconnect();
    admin = new Redis(`redis://admin:x@127.0.0.1:${redis.port}`);
    worker = await startWorkerProcess(redis.url);
  });
  after(async () => {
    admin?.disconnect();
    await worker?.stop();
    await redis?.stop();
  });

  it('meets an error reply (NOPERM for a moment): later ops still complete', { timeout: 120_000 }, async () => {
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const add = cluster.fn(OPS, 'add');
      assert.equal((await cluster.run(callOf(add, opOf('add_0', 'add'), [1, 2]))).worker, worker.name);
      const errors = async (): Promise<number> => Number(/errorstat_NOPERM:count=(\d+)/.exec(await admin.info('errorstats'))?.[1] ?? 0);
      const before = await errors();
      await admin.call('ACL', 'SETUSER', 'default', '-xread');
      // Wakes the read in flight (let in before the change): the next one is refused.
      await admin.xadd('bull:pyflow:events', '*', 'event', 'wake');
      await waitFor('the reader to be refused', async () => (await errors()) > before);
      await admin.call('ACL', 'SETUSER', 'default', '+xread');
      const result = await cluster.run(callOf(add, opOf('add_1', 'add'), [2, 3]));
      assert.equal(await cluster.resolve!(result.value), 5);
    } finally {
      await cluster.close();
    }
  });

  it('an event it cannot read (a result that is not JSON) fails that call only, naming the job', { timeout: 60_000 }, async () => {
    // A queue no worker listens on: the test writes the events a worker would.
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT, queue: 'unserved' });
    try {
      const add = cluster.fn(OPS, 'add');
      const bad = cluster.run(callOf(add, opOf('add_0', 'add'), [1, 2])).then(
        () => 'ran',
        (e: Error) => e.message,
      );
      await waitFor('the job to be queued', async () => (await admin.exists(`bull:unserved:${cluster.runId}.1`)) === 1);
      await admin.xadd('bull:unserved:events', '*', 'event', 'completed', 'jobId', `${cluster.runId}.1`, 'returnvalue', 'not json');
      assert.match(
        await bad,
        new RegExp(`^add_0 ${SITE} failed on the cluster: pyflow could not read the result of job ${cluster.runId}\\.1: Unexpected token .*not valid JSON$`),
      );
      const next = cluster.run(callOf(add, opOf('add_1', 'add'), [1, 2])).then(
        () => 'ran',
        (e: Error) => e.message,
      );
      await waitFor('the job to be queued', async () => (await admin.exists(`bull:unserved:${cluster.runId}.2`)) === 1);
      await admin.xadd('bull:unserved:events', '*', 'event', 'failed', 'jobId', `${cluster.runId}.2`, 'failedReason', 'it broke');
      assert.equal(await next, `add_1 (add, added at /project/pipeline.ts:10:5) failed on the cluster: it broke`);
    } finally {
      await cluster.close();
    }
  });
});

describe('cluster coordinator: fingerprints', () => {
  it("a module reached through a symlink: the runner's fingerprint of the path the script named is used", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-symlink-'));
    const globals = globalThis as Record<symbol, WorkerHost | undefined>;
    try {
      mkdirSync(join(dir, 'real'));
      writeFileSync(join(dir, 'real', 'ops.ts'), 'export function add(a: number, b: number): number {\n  return a + b;\n}\n');
      symlinkSync(join(dir, 'real'), join(dir, 'link'));
      const named = join(dir, 'link', 'ops.ts');
      const asked: string[] = [];
      globals[WORKER_HOST_SYMBOL] = {
        moduleUrl: async (href) => href,
        moduleFingerprint: (href) => {
          asked.push(href);
          return href === pathToFileURL(named).href ? 'bundle-hash' : undefined;
        },
        close: (close) => close(),
      };
      const cluster = clusterExecutor({ redis: 'redis://127.0.0.1:1', root: join(dir, 'link') });
      const add = cluster.fn(named, 'add');
      assert.deepEqual({ fingerprint: cluster.fingerprint!(add), asked }, { fingerprint: 'ops.ts#add bundle-hash', asked: [pathToFileURL(named).href] });
    } finally {
      delete globals[WORKER_HOST_SYMBOL];
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
