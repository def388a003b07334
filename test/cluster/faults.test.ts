import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('lost mid-run, in a graph: getAsync fails naming the op and its add line, and close() returns', async () => {
    const redis = await startRedis();
    const worker = await startWorkerProcess(redis.url);
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const G = new GraphBuilder({ executor: cluster, callSites: true });
      const slow = G.add(cluster.fn<typeof ops.sleep>(OPS, 'sleep'))(120_000, 1);
      const running = slow.getAsync();
      await waitFor('the op to run', async () => (await keys(redis.url, 'bull:pyflow:active')).length > 0);
      await redis.stop();
      await assert.rejects(running, (error: unknown) => {
        assert.ok(error instanceof PyflowError);
        assert.match(
          error.message,
          /^sleep_0 \(sleep, added at .*faults\.test\.ts:\d+:\d+\) failed on the cluster: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ \(it stopped answering\)$/,
        );
        return true;
      });
    } finally {
      await worker.stop('SIGKILL');
      await redis.stop();
      await cluster.close();
    }
  });
});

describe('cluster faults: a connection fails part way', () => {
  /** Runs a coordinator whose connect fails (test/fixtures/cluster/connectFails.ts) to its end: it must end by itself. */
  function connectFails(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(OPS_ROOT, 'connectFails.ts'), url], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }
  const FAILED = String.raw`^PyflowError: add_0 \(add, added at /project/pipeline\.ts:7:3\) could not run on the cluster: `;

  it('the second connection refused (Redis at its client limit): a clear error, and the process ends with nothing open', async () => {
    const redis = await startRedis({ args: ['--maxclients', '1'] });
    try {
      const { code, stdout, stderr } = await connectFails(redis.url);
      assert.deepEqual({ code, stderr }, { code: 0, stderr: '' });
      // (The cause is the server's refusal, or the closed socket it leaves, as the race between them goes.)
      assert.match(
        stdout,
        new RegExp(`${FAILED}pyflow cluster events: cannot connect to Redis at redis://127\\.0\\.0\\.1:${redis.port} \\(.+\\); start redis-server`),
      );
    } finally {
      await redis.stop();
    }
  });

  it('a wrong password, or nothing at the port: the same', async () => {
    const redis = await startRedis({ password: 'right' });
    try {
      const wrong = await connectFails(`redis://:wrong@127.0.0.1:${redis.port}`);
      assert.deepEqual({ code: wrong.code, stderr: wrong.stderr }, { code: 0, stderr: '' });
      assert.match(
        wrong.stdout,
        new RegExp(`${FAILED}pyflow cluster coordinator: cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} \\(WRONGPASS`),
      );
    } finally {
      await redis.stop();
    }
    const port = await freePort();
    const nothing = await connectFails(`redis://127.0.0.1:${port}`);
    assert.deepEqual({ code: nothing.code, stderr: nothing.stderr }, { code: 0, stderr: '' });
    assert.match(
      nothing.stdout,
      new RegExp(`${FAILED}pyflow cluster coordinator: cannot connect to Redis at redis://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED`),
    );
  });
});

describe('cluster faults: ops given up (timeout, a failed evaluation)', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  let dir: string;
  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorkerProcess(redis.url), startWorkerProcess(redis.url)]);
    dir = mkdtempSync(join(tmpdir(), 'pyflow-given-up-'));
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Active jobs and the run's value keys: none of both once a given-up op has finished and its value is deleted. */
  async function settled(runId: string): Promise<boolean> {
    const queue = new Queue('pyflow', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const { active } = await queue.getJobCounts('active');
      return active === 0 && (await keys(redis.url, `pyflow:run:${runId}:value:*`)).length === 0;
    } finally {
      await queue.close();
    }
  }

  it('jobTimeoutMs: an op without a result in time fails naming the op and its line; its late value is deleted', async () => {
    const go = join(dir, 'go-timeout');
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT, jobTimeoutMs: 1000 });
    try {
      const G = new GraphBuilder({ executor: cluster, callSites: true });
      const waiting = G.add(cluster.fn<typeof ops.waitForFile>(OPS, 'waitForFile'))(go, 7);
      await assert.rejects(waiting.getAsync(), (error: unknown) => {
        assert.ok(error instanceof PyflowError);
        assert.match(
          error.message,
          /^waitForFile_0 \(waitForFile, added at .*faults\.test\.ts:\d+:\d+\) failed on the cluster: it had no result 1000 ms after it was queued \(clusterExecutor jobTimeoutMs\)$/,
        );
        return true;
      });
      writeFileSync(go, '');
      await waitFor('the op to finish and its value to be deleted', () => settled(cluster.runId));
    } finally {
      writeFileSync(go, '');
      await cluster.close();
    }
  });

  it('an evaluation given up (another op failed): the op still running stores a value on its worker, which is deleted', async () => {
    const go = join(dir, 'go-aborted');
    const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      const G = new GraphBuilder({ executor: cluster, callSites: true });
      const waiting = G.add(cluster.fn<typeof ops.waitForFile>(OPS, 'waitForFile'))(go, 7);
      const failing = G.add(cluster.fn<typeof ops.explode>(OPS, 'explode'))(G.add(cluster.fn<typeof ops.sleep>(OPS, 'sleep'))(1500, -1));
      await assert.rejects(G.add((a: number, b: number) => a + b)(waiting, failing).getAsync(), /explode_\d+ \(explode, .*\) threw: no square root of -1/);
      const queue = new Queue('pyflow', { connection: { host: '127.0.0.1', port: redis.port } });
      try {
        assert.equal((await queue.getJobCounts('active')).active, 1, 'waitForFile still runs on its worker');
      } finally {
        await queue.close();
      }
      // (The value of sleep stays with its node, as inline: only the given-up op's value must not.)
      const before = await keys(redis.url, `pyflow:run:${cluster.runId}:value:*`);
      writeFileSync(go, '');
      await waitFor('the op to finish and its value to be deleted', async () => {
        const queue = new Queue('pyflow', { connection: { host: '127.0.0.1', port: redis.port } });
        try {
          return (await queue.getJobCounts('active')).active === 0 && (await keys(redis.url, `pyflow:run:${cluster.runId}:value:*`)).join() === before.join();
        } finally {
          await queue.close();
        }
      });
    } finally {
      writeFileSync(go, '');
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

describe('cluster: a Redis that takes TLS only (rediss://)', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  let dir: string;
  let ca: string;
  before(async () => {
    // A self-signed certificate for 127.0.0.1, made by openssl: the coordinator is given it as its CA (ioredis
    // options), the worker through NODE_EXTRA_CA_CERTS (its URL is plain rediss://).
    dir = mkdtempSync(join(tmpdir(), 'pyflow-tls-'));
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    ca = readFileSync(cert, 'utf8');
    redis = await startRedis({ tls: { cert, key } });
    const extra = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = cert;
    try {
      worker = await startWorkerProcess(redis.url);
    } finally {
      if (extra === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = extra;
    }
  });
  after(async () => {
    await worker?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs ops over TLS; a coordinator that does not trust the certificate gets a clear error', async () => {
    const cluster = clusterExecutor({ redis: { host: '127.0.0.1', port: redis.port, tls: { ca } }, root: OPS_ROOT });
    try {
      const result = await cluster.run(callOf(cluster.fn(OPS, 'add'), opOf('add_0', 'add'), [40, 2]));
      assert.deepEqual([await cluster.resolve!(result.value), result.worker], [42, worker.name]);
    } finally {
      await cluster.close();
    }
    const untrusting = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
    try {
      await assert.rejects(
        untrusting.run(callOf(untrusting.fn(OPS, 'add'), opOf('add_0', 'add'), [1, 1])),
        new RegExp(
          `could not run on the cluster: pyflow cluster coordinator: cannot connect to Redis at rediss://127\\.0\\.0\\.1:${redis.port} \\(self[- ]signed certificate`,
        ),
      );
    } finally {
      await untrusting.close();
    }
  });
});
