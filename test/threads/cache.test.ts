import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GraphBuilder, type TraceEvent } from '../../src/index.js';
import { DiskCache } from '../../src/cache/diskCache.js';
import { workerPool } from '../../src/executors/threads/workerPool.js';

/*
 * Worker-pool ops in the result cache: the pool fingerprints the code an op runs (module URL, export, a hash of the
 * module), so its ops are keyed like inline ones. Each run has its own pool and DiskCache over one directory, as two
 * runs of a script would.
 */

function opsModule(factor: number): string {
  return `export function scale(x) { return x * ${factor}; }\nexport function shift(x) { return x + ${factor}; }\n`;
}

/** One run: `fnName` of the module on a new pool, then an inline op; what ran and what was read. */
async function run(dir: string, module: URL, fnName: 'scale' | 'shift', input: number) {
  const pool = workerPool({ threads: 1 });
  try {
    const G = new GraphBuilder({ executor: pool, cache: new DiskCache({ dir: join(dir, 'cache'), onDiagnostic: (_op, m) => assert.fail(m) }) });
    const events: TraceEvent[] = [];
    G.subscribe((e) => events.push(e));
    const onPool = G.add(pool.fn<(x: number) => number>(module, fnName))(input);
    const value = await G.add(function negate(x: number) {
      return -x;
    })(onPool).getAsync();
    const names = (kind: string) => events.filter((e) => e.kind === kind).map((e) => e.uid.replace(/_\d+$/, ''));
    return { value, ran: names('running'), cached: names('cached') };
  } finally {
    await pool.close();
  }
}

describe('worker-pool ops in the result cache', () => {
  it('are cached across runs; editing the export recomputes it; another export of the module has its own key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-pool-cache-'));
    try {
      const file = join(dir, 'ops.mjs');
      const module = pathToFileURL(file);
      writeFileSync(file, opsModule(3));
      assert.deepEqual(await run(dir, module, 'scale', 2), { value: -6, ran: ['scale', 'negate'], cached: [] });
      assert.deepEqual(await run(dir, module, 'scale', 2), { value: -6, ran: [], cached: ['negate'] });
      // Another export of the same module, same input: its own key, no collision with scale's.
      assert.deepEqual(await run(dir, module, 'shift', 2), { value: -5, ran: ['shift', 'negate'], cached: [] });
      assert.deepEqual(await run(dir, module, 'shift', 2), { value: -5, ran: [], cached: ['negate'] });
      writeFileSync(file, opsModule(4));
      assert.deepEqual(await run(dir, module, 'scale', 2), { value: -8, ran: ['scale', 'negate'], cached: [] });
      assert.deepEqual(await run(dir, module, 'scale', 2), { value: -8, ran: [], cached: ['negate'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pool op whose target downstream is edited is read from the cache, not run on a thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-pool-cache-'));
    try {
      const file = join(dir, 'ops.mjs');
      writeFileSync(file, opsModule(5));
      const module = pathToFileURL(file);
      assert.deepEqual(await run(dir, module, 'scale', 1), { value: -5, ran: ['scale', 'negate'], cached: [] });
      // Another input: both compute; the first input again, with negate's entry deleted from the store: scale is read.
      const cache = new DiskCache({ dir: join(dir, 'cache') });
      const pool = workerPool({ threads: 1 });
      try {
        const G = new GraphBuilder({ executor: pool, cache });
        const events: TraceEvent[] = [];
        G.subscribe((e) => events.push(e));
        const scaled = G.add(pool.fn<(x: number) => number>(module, 'scale'))(1);
        const value = await G.add(function plusOne(x: number) {
          return x + 1;
        })(scaled).getAsync();
        assert.equal(value, 6);
        assert.deepEqual(
          events.filter((e) => e.kind === 'running' || e.kind === 'cached').map((e) => `${e.kind} ${e.uid.replace(/_\d+$/, '')}`),
          ['cached scale', 'running plusOne'],
        );
      } finally {
        await pool.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
