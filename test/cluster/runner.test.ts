import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { lineOf, run, script } from '../runner/helpers.js';
import { startRedis, type RedisServer } from './redisServer.js';
import { OPS_ROOT, REPO, startWorkerProcess, type WorkerProcess } from './workers.js';
import { keys } from './helpers.js';
import { waitFor } from '../waitFor.js';

/*
 * A cluster script run by the runner (`pyflow run`, Evaluate here): however the run ends (return, throw, timeout, a
 * signal to `pyflow run`), the runner closes the clusters the script left open, the process exits, and nothing of
 * the run is left in Redis or in the queue. Real redis-server, real workers, the built CLI (needs `npm run build`).
 */

const CLI = join(REPO, 'dist', 'cli.js');
const OPS = join(OPS_ROOT, 'ops.ts');

/** A script on the cluster: `body` after the set-up (a graph G, the ops add, explode and waitForFile). */
function clusterScript(body: string): string {
  return `import { GraphBuilder } from 'pyflow';
import { clusterExecutor } from 'pyflow/cluster';
const cluster = clusterExecutor({ redis: process.env.REDIS_URL!, root: ${JSON.stringify(OPS_ROOT)} });
const add = cluster.fn<(a: number, b: number) => number>(${JSON.stringify(OPS)}, 'add');
const explode = cluster.fn<(x: number) => number>(${JSON.stringify(OPS)}, 'explode');
const waitForFile = cluster.fn<(path: string, x: number) => number>(${JSON.stringify(OPS)}, 'waitForFile');
const G = new GraphBuilder({ executor: cluster });
console.log('run ' + cluster.runId);
${body}
`;
}

let redis: RedisServer;
let workers: WorkerProcess[] = [];

/** Runs `pyflow ARGS`; `onStart` gets the child as soon as it runs. */
function pyflow(args: string[], onStart?: (child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, REDIS_URL: redis.url }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  onStart?.(child);
  return {
    stdout: () => stdout,
    done: new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
  };
}

/** What is left of runs in Redis: keys (but the workers' own records) and jobs by state. */
async function leftovers(): Promise<{ keys: string[]; jobs: Record<string, number> }> {
  const queue = new Queue('pyflow', { connection: { host: '127.0.0.1', port: redis.port } });
  try {
    const jobs = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
    return { keys: (await keys(redis.url, 'pyflow:*')).filter((k) => !k.startsWith('pyflow:worker:')), jobs };
  } finally {
    await queue.close();
  }
}
const NOTHING = { keys: [], jobs: { waiting: 0, prioritized: 0, delayed: 0, active: 0, completed: 0, failed: 0 } };

describe('a cluster script run by the runner (real redis-server, two workers, pyflow run)', { timeout: 300_000 }, () => {
  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorkerProcess(redis.url), startWorkerProcess(redis.url)]);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  it('return, the cluster never closed: the run ends, and its values are deleted', async () => {
    const file = script(clusterScript('const kept = G.add(add)(1, 1);\nkept.persist();\nconsole.log(await G.add(add)(kept, 40).getAsync());'));
    const { code, stdout, stderr } = await pyflow(['run', file]).done;
    assert.deepEqual({ code, stdout: stdout.replace(/^run \S+\n/, ''), stderr }, { code: 0, stdout: '42\n', stderr: '' });
    assert.deepEqual(await leftovers(), NOTHING);
  });

  it('throw: the run fails naming the op and its line, and its values are deleted', async () => {
    const body =
      'const kept = G.add(add)(1, 1);\nkept.persist();\nconsole.log(await G.add(add)(kept, 1).getAsync());\nconsole.log(await G.add(explode)(-1).getAsync());';
    const file = script(clusterScript(body));
    const { code, stderr } = await pyflow(['run', file]).done;
    assert.equal(code, 1);
    assert.match(
      stderr,
      new RegExp(`explode_\\d+ \\(explode, added at .*script\\.ts:${lineOf(clusterScript(body), 'G.add(explode)')}:\\d+\\) threw: no square root of -1`),
    );
    assert.deepEqual(await leftovers(), NOTHING);
  });

  it('Evaluate here: the script closes the cluster in `finally`, the runner evaluates first, then closes it', async () => {
    const body = 'const sum = G.add(add)(20, 22);\ntry {\n  console.log(await sum.getAsync());\n} finally {\n  await cluster.close();\n}';
    const text = clusterScript(body);
    const file = script(text);
    const env = process.env.REDIS_URL;
    process.env.REDIS_URL = redis.url;
    try {
      const { outcome } = await run(file, { kind: 'line', file, line: lineOf(text, 'const sum') });
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      assert.equal(outcome.status === 'done' && outcome.message.type === 'run/done' ? outcome.message.preview : undefined, '42');
    } finally {
      process.env.REDIS_URL = env;
    }
    assert.deepEqual(await leftovers(), NOTHING);
  });

  for (const ending of ['timeout', 'SIGINT'] as const) {
    it(`${ending}: the op in flight is given up, its queued ops removed, the run's values deleted; the running op stores nothing`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pyflow-go-'));
      const go = join(dir, 'go');
      try {
        // Two ops run (one per worker) until the test lets them go; two more wait in the queue.
        const body = `const kept = G.add(add)(1, 1);\nconst waits = [0, 1, 2, 3].map(() => G.add(waitForFile)(${JSON.stringify(go)}, kept));\nconsole.log(await G.add((...xs: number[]) => xs.length)(...waits).getAsync());`;
        let child: ReturnType<typeof spawn> | undefined;
        const cli = pyflow(['run', ...(ending === 'timeout' ? ['--timeout', '3'] : []), script(clusterScript(body))], (c) => (child = c));
        await waitFor('two ops running, two waiting', async () => {
          const { jobs } = await leftovers();
          return jobs.active === 2 && jobs.waiting === 2;
        });
        assert.equal((await keys(redis.url, 'pyflow:run:*:value:*')).length, 1, 'the value of kept is in the store');
        if (ending === 'SIGINT') child!.kill('SIGINT');
        const { code, stderr } = await cli.done;
        assert.equal(code, ending === 'timeout' ? 1 : 130, stderr);
        assert.match(stderr, ending === 'timeout' ? /the run timed out after 3 s/ : /SIGINT/);
        const left = await leftovers();
        assert.deepEqual(left.keys, [], 'no key of the run is left');
        assert.deepEqual([left.jobs.waiting, left.jobs.active], [0, 2], 'the queued ops are removed; the two running still run');
        writeFileSync(go, '');
        await waitFor('the running ops to end', async () => (await leftovers()).jobs.active === 0);
        assert.deepEqual(await leftovers(), NOTHING);
      } finally {
        writeFileSync(go, '');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
