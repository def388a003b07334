import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { table } from './util.js';

/*
 * The worker pool executor as users get it (the built dist/lib, ops in a plain .mjs module), against the inline
 * engine, in one run: 8 independent CPU-bound ops, the cost of sending a trivial op to a thread, and a 64 MB
 * Float64Array handed from one worker op to the next. Wall-clock times (threads are the point); medians of rounds.
 */

type Library = typeof import('../../src/index.js');
/** executorOps.mjs, as this file uses it. */
interface BenchOps {
  burn(iterations: number): number;
}

const REPO = resolve(__dirname, '..', '..');
const OPS = pathToFileURL(join(__dirname, 'executorOps.mjs'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time of `fn`, and the CPU time of this process meanwhile (all its threads): cpu/wall near 2 = both cores busy. */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const [start, cpu] = [performance.now(), process.cpuUsage()];
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, value };
}

export async function executorBench(smoke: boolean): Promise<string> {
  const entry = join(REPO, 'dist', 'lib', 'index.mjs');
  if (!existsSync(entry)) throw new Error('the executor bench runs the built library: run `npm run build` first');
  const lib = (await import(pathToFileURL(entry).href)) as Library;
  const ops = (await import(OPS.href)) as BenchOps;
  const pool = lib.workerPool({ threads: 2 });
  try {
    return [await parallelOps(lib, ops, pool, smoke), await dispatch(lib, pool, smoke), await handOff(lib, pool, smoke)].join('\n');
  } finally {
    await pool.close();
  }
}

/** 8 independent CPU-bound ops of about 200 ms each (calibrated here), inline then on 2 threads, alternately. */
async function parallelOps(lib: Library, ops: BenchOps, pool: ReturnType<Library['workerPool']>, smoke: boolean): Promise<string> {
  const targetMs = smoke ? 5 : 200;
  // Calibrated once the function is optimised (warm-up runs first), then again at the size found, until it holds.
  let iterations = 2e7;
  for (let i = 0; i < 5; i++) ops.burn(iterations);
  for (let pass = 0; pass < 3; pass++) {
    const ms = median(
      [0, 1, 2].map(() => {
        const t = performance.now();
        ops.burn(iterations);
        return performance.now() - t;
      }),
    );
    iterations = Math.round((iterations * targetMs) / ms);
  }
  const burnOnPool = pool.fn<BenchOps['burn']>(OPS, 'burn');
  const total = (values: number[]): number => values.reduce((a, b) => (a + b) % 4294967296, 0);
  const graph = (G: InstanceType<Library['GraphBuilder']>, burn: BenchOps['burn']) =>
    G.add(total)(Array.from({ length: 8 }, (_, i) => G.add(burn)(iterations + i)));
  await graph(new lib.GraphBuilder({ executor: pool }), burnOnPool).getAsync();
  const inline: number[] = [];
  const threaded: number[] = [];
  const cpuPerWall: [number[], number[]] = [[], []];
  for (let round = 0; round < (smoke ? 1 : 3); round++) {
    const a = await timed(() => graph(new lib.GraphBuilder(), ops.burn).getAsync());
    const b = await timed(() => graph(new lib.GraphBuilder({ executor: pool }), burnOnPool).getAsync());
    if (a.value !== b.value) throw new Error(`the pool's result ${b.value} differs from the inline one ${a.value}`);
    inline.push(a.ms);
    threaded.push(b.ms);
    cpuPerWall[0].push(a.cpuMs / a.ms);
    cpuPerWall[1].push(b.cpuMs / b.ms);
  }
  const ratios = inline.map((ms, i) => ms / threaded[i]!);
  return table(
    `8 independent CPU-bound ops of ~${targetMs} ms (one op inline: ${(median(inline) / 8).toFixed(0)} ms)`,
    ['engine', 'wall ms (median)', 'speed-up', 'cpu/wall'],
    [
      ['inline (main thread)', median(inline), '1.00x', median(cpuPerWall[0])],
      [
        'workerPool({ threads: 2 })',
        median(threaded),
        `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
        median(cpuPerWall[1]),
      ],
    ],
  );
}

/** A trivial op (identity) many times: independent ops (throughput of 2 threads), and a chain (one round trip each). */
async function dispatch(lib: Library, pool: ReturnType<Library['workerPool']>, smoke: boolean): Promise<string> {
  const n = smoke ? 50 : 2000;
  const identity = pool.fn<(x: number) => number>(OPS, 'identity');
  const plain = (x: number): number => x;
  const independent = (executor: typeof pool | undefined, fn: (x: number) => number) => async () => {
    const G = new lib.GraphBuilder(executor ? { executor } : {});
    return G.add((xs: number[]) => xs.length)(Array.from({ length: n }, (_, i) => G.add(fn)(i))).getAsync();
  };
  const chain = (executor: typeof pool | undefined, fn: (x: number) => number) => async () => {
    const G = new lib.GraphBuilder(executor ? { executor } : {});
    let node = G.add(fn)(0);
    for (let i = 1; i < n; i++) node = G.add(fn)(node);
    return node.getAsync();
  };
  const dask = daskMicroseconds(n);
  const rows: (string | number)[][] = [];
  for (const [shape, make, daskUs] of [
    ['independent ops', independent, dask?.independent],
    ['ops in a chain', chain, dask?.chain],
  ] as const) {
    await make(pool, identity)();
    const pooled: { ms: number; cpuMs: number }[] = [];
    const inline: number[] = [];
    for (let i = 0; i < (smoke ? 1 : 5); i++) {
      pooled.push(await timed(make(pool, identity)));
      inline.push((await timed(make(undefined, plain))).ms);
    }
    const us = (ms: number): string => ((ms * 1000) / n).toFixed(0);
    rows.push([
      `${n} ${shape}`,
      us(median(pooled.map((p) => p.ms))),
      us(median(pooled.map((p) => p.cpuMs))),
      ((median(inline) * 1000) / n).toFixed(1),
      daskUs === undefined ? 'not installed here (its docs: ~200 µs/task)' : `${daskUs.wall} / ${daskUs.cpu} (dask ${dask!.version})`,
    ]);
  }
  return table(
    'Dispatch: a trivial op (x => x), µs per op (CPU: this process, all threads)',
    ['graph', 'workerPool(2) wall µs/op', 'workerPool(2) CPU µs/op', 'inline wall µs/op', 'dask threaded scheduler (2 threads) wall / CPU µs/task'],
    rows,
  );
}

/**
 * dask's local threaded scheduler on the same shapes, when dask is installed (Debian's python3-dask); its docs give
 * ~200 µs per task ("Shared Memory", Performance).
 */
function daskMicroseconds(n: number): { version: string; independent: { wall: number; cpu: number }; chain: { wall: number; cpu: number } } | undefined {
  const program = `
import time, dask, dask.threaded
from concurrent.futures import ThreadPoolExecutor
def identity(x): return x
def count(*xs): return len(xs)
def measure(graph, key):
    with ThreadPoolExecutor(2) as pool:
        dask.threaded.get(graph, key, pool=pool)
        runs = []
        for _ in range(5):
            t, c = time.perf_counter(), time.process_time()
            dask.threaded.get(graph, key, pool=pool)
            runs.append((time.perf_counter() - t, time.process_time() - c))
    runs.sort()
    return '%d/%d' % (runs[2][0] * 1e6 / ${n}, runs[2][1] * 1e6 / ${n})
independent = {('x', i): (identity, i) for i in range(${n})}
independent['total'] = (count,) + tuple(('x', i) for i in range(${n}))
chain = {('c', 0): (identity, 0)}
chain.update({('c', i): (identity, ('c', i - 1)) for i in range(1, ${n})})
print(dask.__version__, measure(independent, 'total'), measure(chain, ('c', ${n} - 1)))
`;
  const pair = (text: string): { wall: number; cpu: number } => {
    const [wall, cpu] = text.split('/').map(Number);
    return { wall: wall!, cpu: cpu! };
  };
  // Debian's python3-dask installs into the system Python, which may not be the first python3 on PATH.
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      const [version, independent, chain] = execFileSync(python, ['-c', program], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .trim()
        .split(' ');
      return { version: version!, independent: pair(independent!), chain: pair(chain!) };
    } catch {
      // no python here, or no dask in it: try the next
    }
  }
  return undefined;
}

/** A 64 MB Float64Array made by one worker op and summed by another: moved (released after use) or copied (persisted). */
async function handOff(lib: Library, pool: ReturnType<Library['workerPool']>, smoke: boolean): Promise<string> {
  const length = smoke ? 1 << 16 : 8 << 20;
  const fill = pool.fn<(length: number, value: number) => Float64Array>(OPS, 'fill');
  const sum = pool.fn<(values: Float64Array) => number>(OPS, 'sum');
  const once = async (persist: boolean) => {
    const released: Float64Array[] = [];
    const G = new lib.GraphBuilder({ executor: pool, onRelease: (value) => released.push(value as Float64Array) });
    const values = G.add(fill)(length, 1);
    if (persist) values.persist();
    const { ms, value } = await timed(() => G.add(sum)(values).getAsync());
    if (value !== length) throw new Error(`summed ${value}, expected ${length}`);
    const kept = persist ? (await values.getAsync()).byteLength : released[0]!.byteLength;
    return { ms, kept };
  };
  await once(false);
  const moved: number[] = [];
  const copied: number[] = [];
  let keptMoved = -1;
  let keptCopied = -1;
  for (let i = 0; i < (smoke ? 1 : 5); i++) {
    const m = await once(false);
    const c = await once(true);
    moved.push(m.ms);
    copied.push(c.ms);
    keptMoved = m.kept;
    keptCopied = c.kept;
  }
  const clone = median(
    [0, 1, 2].map(() => {
      const a = new Float64Array(length);
      const t = performance.now();
      structuredClone(a);
      return performance.now() - t;
    }),
  );
  const mb = (length * 8) / 2 ** 20;
  return table(
    `A ${mb} MB Float64Array from one worker op to another (fill → sum)`,
    ['hand-off', 'wall ms (median)', "main thread's array after the sum"],
    [
      ['moved (released after the sum: transferred both ways)', median(moved), `${keptMoved} bytes (detached: its buffer went to the thread)`],
      ['copied to the summing thread (the value is persisted)', median(copied), `${keptCopied} bytes (whole)`],
      [`reference: structuredClone of ${mb} MB in the main thread`, clone, ''],
    ],
  );
}
