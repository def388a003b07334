import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiskCache } from '../../src/cache/diskCache.js';
import type { CacheOp, ResultCache } from '../../src/core/executor.js';
import type * as Library from '../../src/core/index.js';
import { cpuClock, table, wallClock } from './util.js';

/*
 * `npm run bench -- cache`: the result cache (src/cache) driven by the built library (dist/lib, as users get it), its
 * store in a temporary directory (in the page cache: these are not cold-disk figures). Ratios of runs in this process.
 */

const REPO = resolve(__dirname, '..', '..');

/** Median of `runs` timings of `fn` (after one warm-up), by `clock`. */
function median(fn: () => void, runs: number, clock: () => number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = clock();
    fn();
    times.push(clock() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** A DiskCache that keys and looks up but never stores: the cost of asking the cache, without writing to it. */
class LookupOnly implements ResultCache {
  constructor(private readonly inner: DiskCache) {}
  keyOfValue(value: unknown) {
    return this.inner.keyOfValue(value);
  }
  keyOfOp(op: CacheOp, inputKeys: readonly string[]) {
    return this.inner.keyOfOp(op, inputKeys);
  }
  has(key: string) {
    return this.inner.has(key);
  }
  read(key: string, op: CacheOp) {
    return this.inner.read(key, op);
  }
  write(): void {}
}

export async function cacheBench(smoke: boolean): Promise<string> {
  const { GraphBuilder } = (await import(pathToFileURL(join(REPO, 'dist', 'lib', 'index.mjs')).href)) as typeof Library;
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-bench-cache-'));
  const out: string[] = [];
  try {
    const mb = smoke ? 4 : 100;
    const runs = smoke ? 1 : 3;
    const length = (mb * 1024 * 1024) / 8;
    const load = (n: number) => {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = Math.sqrt(i) * Math.sin(i);
      return a;
    };
    const total = (a: Float64Array) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]!;
      return s;
    };
    // The pipeline: a 100 MB source op, then a summary that is always computed (an edit downstream of the load).
    const pipeline = (cache: ResultCache | undefined) => {
      const G = new GraphBuilder(cache ? { cache } : {});
      return G.add(total, { cache: false })(G.add(load)(length)).get();
    };
    const cacheDir = join(dir, 'pipeline');
    pipeline(new DiskCache({ dir: cacheDir }));
    const computed = median(() => pipeline(undefined), runs, cpuClock);
    const cached = median(() => pipeline(new DiskCache({ dir: cacheDir })), runs, cpuClock);

    // A hit of the 100 MB Float64Array alone: read, check (length, CRC-32), deserialize.
    const reader = new DiskCache({ dir: cacheDir });
    const G = new GraphBuilder({ cache: reader });
    const op: CacheOp = { uid: 'load_0', graph: 'graph', fnName: 'load', site: undefined, nOut: 1, fn: load, options: { nOut: 1 } };
    const key = reader.keyOfOp(op, [reader.keyOfValue(length)!])!;
    void G;
    const hit = () => {
      const found = new DiskCache({ dir: cacheDir }).read(key, op);
      if (!(found?.value instanceof Float64Array) || found.value.length !== length) throw new Error('the bench expected a hit');
    };
    const hitMs = median(hit, runs, cpuClock);
    const hitWallMs = median(hit, runs, wallClock);
    const gbPerS = (ms: number) => mb / 1024 / (ms / 1000);

    // 1e4 trivial ops in a chain: uncached; keys and lookups only (all miss, nothing written); first run (miss + write);
    // second run (all hits: the engine reads every op's result in order).
    const n = smoke ? 200 : 10_000;
    const chain = (cache: ResultCache | undefined) => {
      const g = new GraphBuilder(cache ? { cache } : {});
      const inc = (x: number) => x + 1;
      let d = g.add(inc)(0);
      for (let i = 1; i < n; i++) d = g.add(inc)(d);
      return d.get();
    };
    const perOp = (ms: number) => (ms * 1000) / n;
    const plain = median(() => chain(undefined), runs, cpuClock);
    let unique = 0;
    const nothing: ResultCache = { keyOfValue: () => 'v', keyOfOp: () => `k${unique++}`, has: () => false, read: () => undefined, write: () => {} };
    const floor = median(() => chain(nothing), runs, cpuClock);
    const lookups = median(() => chain(new LookupOnly(new DiskCache({ dir: join(dir, 'empty') }))), runs, cpuClock);
    let round = 0;
    const cold = median(() => chain(new DiskCache({ dir: join(dir, `cold-${round++}`) })), smoke ? 1 : 3, cpuClock);
    const warmDir = join(dir, 'warm');
    chain(new DiskCache({ dir: warmDir }));
    const warm = median(() => chain(new DiskCache({ dir: warmDir })), runs, cpuClock);

    out.push(
      table(
        `Result cache (${mb} MB source, ${n.toLocaleString('en')}-op chain; store in the page cache)`,
        ['what', 'value', 'target'],
        [
          [
            `re-evaluation, ${mb} MB source op cached vs computed: CPU ms (ratio)`,
            `${cached.toFixed(0)} vs ${computed.toFixed(0)} (${(cached / computed).toFixed(2)}x)`,
            '< 1x',
          ],
          [
            `a hit of a ${mb} MB Float64Array (read, CRC-32 check, deserialize): CPU ms (GB/s); wall ms (GB/s)`,
            `${hitMs.toFixed(0)} (${gbPerS(hitMs).toFixed(2)} GB/s); ${hitWallMs.toFixed(0)} (${gbPerS(hitWallMs).toFixed(2)} GB/s)`,
            '>= 1 GB/s',
          ],
          [`${n.toLocaleString('en')} trivial ops, uncached: CPU µs/op`, perOp(plain).toFixed(2), ''],
          [
            'the engine with a cache that does nothing (no hashing, no store): µs/op (ratio to uncached)',
            `${perOp(floor).toFixed(2)} (${(floor / plain).toFixed(2)}x)`,
            '',
          ],
          [
            'keys + lookups (every op a miss, nothing written): µs/op (ratio to uncached)',
            `${perOp(lookups).toFixed(2)} (${(lookups / plain).toFixed(2)}x)`,
            '<= 2x',
          ],
          ['first run (miss, compute, write every op): µs/op (ratio)', `${perOp(cold).toFixed(2)} (${(cold / plain).toFixed(2)}x)`, ''],
          ['second run (every op keyed and read from the cache): µs/op (ratio)', `${perOp(warm).toFixed(2)} (${(warm / plain).toFixed(2)}x)`, ''],
        ],
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out.join('\n');
}
