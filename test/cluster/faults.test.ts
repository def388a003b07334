import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { GraphBuilder, PyflowError } from '../../src/core/index.js';
import { clusterExecutor } from '../../src/executors/cluster/index.js';
import type * as ops from '../fixtures/cluster/ops.js';
import { freePort, startRedis, type RedisServer } from './redisServer.js';
import { OPS_ROOT, REPO, runCli, startWorkerProcess, type WorkerProcess } from './workers.js';
import { callOf, keys, opOf } from './helpers.js';
import { waitFor } from '../waitFor.js';

/* How a cluster run ends when something around it fails: Redis, the coordinator, a password. Real processes only. */

const OPS = join(OPS_ROOT, 'ops.ts');

describe('cluster faults: the coordinator dies', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorkerProcess(redis.url), startWorkerProcess(redis.url)]);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  it('leaves no jobs or values once its heartbeat has expired: the next coordinator cleans up by run id', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(OPS_ROOT, 'coordinator.ts'), redis.url], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise((done) => child.once('exit', done));
    const dead = (await waitFor('the coordinator to be ready', () => /^ready (\S+)$/m.exec(stdout)))[1]!;
    assert.ok((await keys(redis.url, `pyflow:run:${dead}:value:*`)).length >= 1, 'it has a value in the store');
    child.kill('SIGKILL');
    await exited;
    await waitFor('its heartbeat to expire', async () => !(await keys(redis.url, `pyflow:run:${dead}:alive`)).length);
    const next = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const result = await next.run(callOf(next.fn(OPS, 'add'), opOf('add_0', 'add'), [2, 2]));
      assert.equal(await next.resolve!(result.value), 4);
      // The ops of the dead run that were running finish on their workers and store nothing.
      const queue = new Queue('pyflow', { connection: { host: '127.0.0.1', port: redis.port } });
      try {
        await waitFor('no job of the dead run in the queue', async () => {
          const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
          return jobs.every((job) => (job.data as { run: string }).run !== dead);
        });
      } finally {
        await queue.close();
      }
      assert.deepEqual(await keys(redis.url, `pyflow:run:${dead}:*`), []);
      assert.deepEqual(await keys(redis.url, 'pyflow:runs'), ['pyflow:runs'], 'only the live run is registered');
    } finally {
      await next.close();
    }
    assert.deepEqual(await keys(redis.url, 'pyflow:run*'), []);
  });
});

describe('cluster faults: Redis', () => {
  it('unreachable when a run starts: a clear error naming the op and the URL, at once', async () => {
    const port = await freePort();
    const cluster = clusterExecutor({ redis: `redis://127.0.0.1:${port}`, root: OPS_ROOT });
    try {
      const G = new GraphBuilder({ executor: cluster, callSites: true });
      const sum = G.add(cluster.fn<typeof ops.add>(OPS, 'add'))(1, 2);
      await assert.rejects(sum.getAsync(), (error: unknown) => {
        assert.ok(error instanceof PyflowError);
        assert.match(
          error.message,
          new RegExp(
            `^add_0 \\(add, added at .*faults\\.test\\.ts:\\d+:\\d+\\) could not run on the cluster: pyflow cluster coordinator: cannot connect to Redis at redis://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); start redis-server there or fix the URL`,
          ),
        );
        return true;
      });
    } finally {
      await cluster.close();
    }
  });

  it('unreachable when a worker starts: it exits with status 1 and says why', async () => {
    const port = await freePort();
    const { code, stderr } = await runCli(['worker', '--redis', `redis://:secret@127.0.0.1:${port}`]);
    assert.deepEqual(
      { code, stderr: stderr.replace(/worker \S+:\d+/, 'worker HOST:PID') },
      {
        code: 1,
        stderr: `pyflow: pyflow worker HOST:PID: cannot connect to Redis at redis://:***@127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}); start redis-server there or fix the URL (redis://:password@host:port, rediss:// for TLS)\n`,
      },
    );
  });

  it('lost mid-run: the op in flight fails with a clear error instead of hanging', async () => {
    const redis = await startRedis();
    const worker = await startWorkerProcess(redis.url);
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const sleep = cluster.fn(OPS, 'sleep');
      const running = cluster.run(callOf(sleep, opOf('sleep_0', 'sleep'), [120_000, 1]));
      await waitFor('the op to run', async () => (await keys(redis.url, 'bull:pyflow:active')).length > 0);
      await redis.stop();
      await assert.rejects(
        running,
        /^PyflowError: sleep_0 \(sleep, added at \/project\/pipeline\.ts:10:5\) failed on the cluster: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ \(it stopped answering\)$/,
      );
    } finally {
      await worker.stop('SIGKILL');
      await redis.stop();
      await cluster.close();
    }
  });
});

describe('cluster: a Redis with a password', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  before(async () => {
    redis = await startRedis({ password: 'p@ss word' });
    worker = await startWorkerProcess(redis.url, ['--concurrency', '2']);
  });
  after(async () => {
    await worker?.stop();
    await redis?.stop();
  });

  it('runs ops when the URL has the password, and says so when it is wrong', async () => {
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const result = await cluster.run(callOf(cluster.fn(OPS, 'add'), opOf('add_0', 'add'), [40, 2]));
      assert.deepEqual([await cluster.resolve!(result.value), result.worker], [42, worker.name]);
    } finally {
      await cluster.close();
    }
    const wrong = clusterExecutor({ redis: `redis://:nope@127.0.0.1:${redis.port}`, root: OPS_ROOT });
    try {
      await assert.rejects(
        wrong.run(callOf(wrong.fn(OPS, 'add'), opOf('add_0', 'add'), [1, 1])),
        new RegExp(
          `could not run on the cluster: pyflow cluster coordinator: cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} \\(WRONGPASS`,
        ),
      );
    } finally {
      await wrong.close();
    }
  });

  it('pyflow cluster status lists the workers and the queue depth', async () => {
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-status-'));
    const go = join(dir, 'go');
    try {
      const waitForFile = cluster.fn(OPS, 'waitForFile');
      // Two run (the worker runs two at once) until the test lets them go, three wait.
      const calls = [0, 1, 2, 3, 4].map((i) => cluster.run(callOf(waitForFile, opOf(`waitForFile_${i}`, 'waitForFile'), [go, i])));
      for (const call of calls) call.catch(() => undefined); // (awaited below; a failed assertion closes the cluster first)
      const status = await waitFor('two running and three waiting', async () => {
        const { code, stdout, stderr } = await runCli(['cluster', 'status', '--redis', redis.url]);
        assert.equal(code, 0, stderr);
        return /^queue pyflow: 3 waiting, 2 running,/.test(stdout) && / 2\/2 running/.test(stdout) ? stdout : undefined;
      });
      writeFileSync(go, '');
      const normal = status
        .replace(worker.name, 'WORKER')
        .replace(/since [^,]+/, 'since DATE')
        .replace(/\d+ done/, 'N done')
        .replace(cluster.runId, 'RUN');
      assert.equal(
        normal,
        [
          'queue pyflow: 3 waiting, 2 running, 0 delayed, 0 failed (kept)',
          '1 worker:',
          `  WORKER  2/2 running, N done, since DATE, root ${OPS_ROOT}`,
          '1 run with values in the store: RUN',
          '',
        ].join('\n'),
      );
      await Promise.all(calls);
    } finally {
      writeFileSync(go, '');
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
