import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraphBuilder, type Executor } from '../../src/core/index.js';
import { clusterExecutor } from '../../src/executors/cluster/index.js';
import { startRedis } from '../cluster/redisServer.js';
import { startWorkerProcess } from '../cluster/workers.js';
import { table } from './util.js';

/*
 * The cluster executor on loopback (a real redis-server, two `pyflow worker` processes), against the inline engine and,
 * when this tree has it (dist/lib exports workerPool), the worker-thread pool, in one run: the cost of one trivial op
 * sent through Redis, 8 ops of 300 ms of CPU each, how many trivial ops per second one coordinator gets through, and
 * what moving a large value through the store costs. Wall-clock times; medians of rounds.
 */

const REPO = resolve(__dirname, '..', '..');
const OPS = join(__dirname, 'clusterOps.mjs');
const NO_POOL = 'not in this tree (dist/lib has no workerPool)';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Ops {
  burn(ms: number, x: number): number;
  add(a: number, b: number): number;
  sizeOf(values: Float64Array): number;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The pool of h/threads, when the built library has it (the coordinator merges both branches). */
async function threadPool(): Promise<(Executor & { fn<F>(module: URL, name: string): F }) | undefined> {
  const entry = join(REPO, 'dist', 'lib', 'index.mjs');
  if (!existsSync(entry)) return undefined;
  const lib = (await import(pathToFileURL(entry).href)) as {
    workerPool?: (options: { threads: number }) => Executor & { fn<F>(module: URL, name: string): F };
  };
  return lib.workerPool?.({ threads: 2 });
}

export async function clusterBench(smoke: boolean): Promise<string> {
  const redis = await startRedis();
  const workers = await Promise.all([startWorkerProcess(redis.url, ['--root', __dirname]), startWorkerProcess(redis.url, ['--root', __dirname])]);
  const cluster = clusterExecutor({ redis: redis.url, root: __dirname });
  const pool = await threadPool();
  const ops = (await import(pathToFileURL(OPS).href)) as Ops;
  const remote = { burn: cluster.fn<Ops['burn']>(OPS, 'burn'), add: cluster.fn<Ops['add']>(OPS, 'add'), sizeOf: cluster.fn<Ops['sizeOf']>(OPS, 'sizeOf') };
  const threads = pool && { burn: pool.fn<Ops['burn']>(pathToFileURL(OPS), 'burn'), add: pool.fn<Ops['add']>(pathToFileURL(OPS), 'add') };
  const out: string[] = [];
  try {
    // ------------------------------------------------------------------ per-op overhead: a chain of trivial ops
    const chain = smoke ? 5 : 200;
    const chainOf = async (add: Ops['add'], executor?: Executor): Promise<number> => {
      const G = new GraphBuilder(executor ? { executor } : {});
      let node = G.add(add)(0, 1);
      for (let i = 1; i < chain; i++) node = G.add(add)(node, 1);
      const ms = await timed(() => node.getAsync());
      return ms / chain;
    };
    const rounds = smoke ? 1 : 5;
    const perOp: [string, number][] = [];
    perOp.push(['inline', median(await seq(rounds, () => chainOf(ops.add)))]);
    perOp.push(['threads (2)', threads ? median(await seq(rounds, () => chainOf(threads.add, pool))) : NaN]);
    perOp.push(['cluster (2 worker processes)', median(await seq(rounds, () => chainOf(remote.add, cluster)))]);
    out.push(
      table(
        `Per-op cost: a chain of ${chain} trivial ops (each waits for the one before), getAsync()`,
        ['executor', 'ms per op'],
        perOp.map(([name, ms]) => [name, Number.isNaN(ms) ? NO_POOL : ms.toFixed(3)]),
      ),
    );

    // ------------------------------------------------------------------ 8 independent CPU-bound ops
    const burnMs = smoke ? 10 : 300;
    const eight = async (burn: Ops['burn'], executor?: Executor): Promise<number> => {
      const G = new GraphBuilder(executor ? { executor } : {});
      const parts = Array.from({ length: 8 }, (_, i) => G.add(burn)(burnMs, i));
      const total = G.add((...xs: number[]) => xs.reduce((a, b) => a + b, 0))(...parts);
      return timed(() => total.getAsync());
    };
    const speed: [string, number][] = [];
    speed.push(['inline', median(await seq(smoke ? 1 : 3, () => eight(ops.burn)))]);
    speed.push(['threads (2)', threads ? median(await seq(smoke ? 1 : 3, () => eight(threads.burn, pool))) : NaN]);
    speed.push(['cluster (2 worker processes)', median(await seq(smoke ? 1 : 3, () => eight(remote.burn, cluster)))]);
    const inlineMs = speed[0]![1];
    out.push(
      table(
        `8 independent ops of ${burnMs} ms of CPU each, then one inline sum`,
        ['executor', 'wall ms', 'speedup vs inline'],
        speed.map(([name, ms]) => (Number.isNaN(ms) ? [name, NO_POOL, ''] : [name, ms.toFixed(0), `${(inlineMs / ms).toFixed(2)}x`])),
      ),
    );

    // ------------------------------------------------------------------ throughput: many trivial ops at once
    const many = smoke ? 20 : 1000;
    const wide = async (): Promise<number> => {
      const G = new GraphBuilder({ executor: cluster });
      const parts = Array.from({ length: many }, (_, i) => G.add(remote.add)(i, 1));
      const total = G.add((...xs: number[]) => xs.length)(...parts);
      return timed(() => total.getAsync());
    };
    const redisCpuMs = async (): Promise<number> => {
      const info = await redisInfo(redis.url);
      return (Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1])) * 1000;
    };
    const [redisBefore, cpuBefore] = [await redisCpuMs(), process.cpuUsage()];
    const wideRuns = smoke ? 1 : 3;
    const wideMs = median(await seq(wideRuns, wide));
    const coordinatorCpu = process.cpuUsage(cpuBefore);
    const redisPerOp = (await redisCpuMs()) - redisBefore;
    const opsRun = many * wideRuns;
    out.push(
      table(
        `Throughput: ${many} independent trivial ops (up to ${cluster.concurrency} queued at once), 2 workers`,
        ['what', 'value'],
        [
          ['ops per second', (many / (wideMs / 1000)).toFixed(0)],
          ['ms per op', (wideMs / many).toFixed(3)],
          ['Redis CPU per op (µs)', ((redisPerOp * 1000) / opsRun).toFixed(0)],
          ['coordinator CPU per op (µs)', ((coordinatorCpu.user + coordinatorCpu.system) / opsRun).toFixed(0)],
        ],
      ),
    );

    // ------------------------------------------------------------------ moving a large value
    const mb = smoke ? 1 : 64;
    const big = new Float64Array((mb * 1024 * 1024) / 8).map((_, i) => i);
    const move = async (): Promise<number> => {
      const G = new GraphBuilder({ executor: cluster });
      const size = G.add(remote.sizeOf)(big);
      return timed(() => size.getAsync());
    };
    const moveMs = median(await seq(smoke ? 1 : 3, move));
    out.push(
      table(
        `Value transfer: a ${mb} MB Float64Array from the coordinator to a worker (serialize, hash, store, fetch, deserialize)`,
        ['what', 'value'],
        [
          ['ms', moveMs.toFixed(0)],
          ['MB/s', (mb / (moveMs / 1000)).toFixed(0)],
        ],
      ),
    );
  } finally {
    await cluster.close();
    await pool?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
  }
  return out.join('\n');
}

/** Redis's INFO (its CPU time: used_cpu_sys, used_cpu_user, in seconds). */
async function redisInfo(url: string): Promise<string> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  try {
    return await client.info('cpu');
  } finally {
    client.disconnect();
  }
}

async function seq<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}
