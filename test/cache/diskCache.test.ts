import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskCache } from '../../src/cache/diskCache.js';
import type { CacheOp } from '../../src/core/executor.js';
import type { CodeFingerprint } from '../../src/protocol/index.js';
import { GraphBuilder } from '../../src/core/index.js';

function op(fn: (...args: never[]) => unknown, extra: Partial<CacheOp> = {}): CacheOp {
  return { uid: 'adding_0', graph: 'graph', fnName: fn.name || 'anonymous', site: undefined, nOut: 1, fn, options: { nOut: 1 }, ...extra };
}

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-disk-cache-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

const double = (x: number) => x * 2;
const triple = (x: number) => x * 3;

describe('DiskCache (the ResultCache of src/cache)', () => {
  it('keys an op by its code, options, inputs and the cache version, and raw inputs by content', () =>
    withDir((dir) => {
      const cache = new DiskCache({ dir });
      const a = cache.keyOfValue(new Float64Array([1, 2, 3]))!;
      assert.equal(cache.keyOfValue(new Float64Array([1, 2, 3])), a);
      assert.notEqual(cache.keyOfValue(new Float64Array([1, 2, 4])), a);
      const key = cache.keyOfOp(op(double), [a]);
      const keys = [
        cache.keyOfOp(op(double), [a]),
        cache.keyOfOp(op(triple), [a]),
        cache.keyOfOp(op(double), [cache.keyOfValue(2)!]),
        cache.keyOfOp(op(double, { nOut: 2, options: { nOut: 2 } }), [a]),
        new DiskCache({ dir, version: '2' }).keyOfOp(op(double), [a]),
      ];
      assert.equal(keys[0], key);
      assert.equal(new Set(keys.slice(1).concat(key)).size, 5, 'code, input, options and version each change the key');
    }));

  it('reads back what it wrote, also in another process (another DiskCache on the same directory)', () =>
    withDir((dir) => {
      const value = { rows: new Float64Array([1.5, 2.5]), names: new Map([['a', [1, 2]]]), when: new Date(0) };
      const cache = new DiskCache({ dir });
      const key = cache.keyOfOp(op(double), [])!;
      assert.equal(cache.read(key, op(double)), undefined);
      cache.write(key, op(double), value);
      assert.deepEqual(new DiskCache({ dir }).read(key, op(double)), { value });
    }));

  it('does not cache what would not come back as it is, and says which op', () =>
    withDir((dir) => {
      const said: string[] = [];
      const cache = new DiskCache({ dir, onDiagnostic: (_op, message) => said.push(message) });
      class Point {
        constructor(readonly x: number) {}
      }
      const values: [string, unknown][] = [
        ['points', [new Point(1)]],
        ['tagged', { tag: Symbol('t') }],
      ];
      for (const [name, value] of values) {
        const o = op(double, { uid: name });
        const key = cache.keyOfOp(o, [])!;
        cache.write(key, o, value);
        assert.equal(cache.read(key, o), undefined);
      }
      const bound = op(double.bind(null), { uid: 'bound' });
      assert.equal(cache.keyOfOp(bound, []), undefined);
      assert.deepEqual(said, [
        'points (double) is not cached: its value holds an instance of Point, which would not come back from the cache as it is',
        'tagged (double) is not cached: its value cannot be serialized (Symbol(t) could not be cloned.)',
        'bound (bound double) is not cached: its function is native or bound, so its text does not say what it computes',
      ]);
      assert.equal(cache.keyOfValue(new Point(2)), undefined, 'a raw input that cannot be keyed: nothing downstream is cached');
    }));

  it('a store that cannot be written (its directory is a file) caches nothing, says so once, and never fails a run', () =>
    withDir((dir) => {
      const said: string[] = [];
      writeFileSync(join(dir, 'blocked'), 'not a directory');
      const cache = new DiskCache({ dir: join(dir, 'blocked'), onDiagnostic: (_op, message) => said.push(message) });
      const G = new GraphBuilder({ cache });
      const twice = G.add((x: number) => x * 2, { alias: 'twice' })(G.add((x: number) => x + 1, { alias: 'inc' })(1));
      assert.equal(twice.get(), 4);
      assert.deepEqual(said, [
        `inc_0 (anonymous) is not cached: its value could not be written to ${join(dir, 'blocked')}`,
        `twice_3 (anonymous) is not cached: its value could not be written to ${join(dir, 'blocked')}`,
      ]);
    }));

  it("with the runner's fingerprints: keys by fingerprint, and leaves unknown or uncacheable code out", () =>
    withDir((dir) => {
      const site = (line: number) => ({ file: '/w/main.ts', line, column: 15 });
      const fingerprints = new Map<string, CodeFingerprint>([
        ['/w/main.ts:3:15', { hash: 'h1', parts: { 'function double': 'h1' } }],
        ['/w/main.ts:4:15', { hash: 'h2', parts: {}, uncacheable: 'its function reads `k` from the code around the `add` call' }],
      ]);
      const said: string[] = [];
      const cache = new DiskCache({ dir, fingerprints, onDiagnostic: (_op, message) => said.push(message) });
      assert.equal(
        cache.keyOfOp(op(double, { site: site(3) }), []),
        cache.keyOfOp(op(triple, { site: site(3) }), []),
        'the fingerprint, not the text, is the code',
      );
      assert.equal(cache.keyOfOp(op(double, { site: site(4), uid: 'b' }), []), undefined);
      assert.equal(cache.keyOfOp(op(double, { site: site(5), uid: 'c' }), []), undefined);
      assert.deepEqual(said, [
        'b (double at /w/main.ts:4) is not cached: its function reads `k` from the code around the `add` call',
        'c (double at /w/main.ts:5) is not cached: pyflow could not read its code when the script was bundled (only `G.add(fn)` calls on a GraphBuilder the file creates are read)',
      ]);
    }));

  it('says why an op is computed: first run, which part of its code changed, an input, evicted', () =>
    withDir((dir) => {
      const site = { file: '/w/main.ts', line: 3, column: 15 };
      const runWith = (parts: Record<string, string>, input: number, clear = false): string[] => {
        const reasons: string[] = [];
        const fingerprints = new Map([['/w/main.ts:3:15', { hash: JSON.stringify(parts), parts }]]);
        const cache = new DiskCache({ dir, fingerprints, onMiss: (_op, reason) => reasons.push(reason) });
        if (clear) cache.store.clear();
        const o = op(double, { site });
        const key = cache.keyOfOp(o, [cache.keyOfValue(input)!])!;
        if (cache.read(key, o) === undefined) cache.write(key, o, input * 2);
        return reasons;
      };
      const v1 = { 'function double': 'a', 'function scale (lib.ts)': 'b', 'package left-pad': '1.3.0' };
      assert.deepEqual(runWith(v1, 1), ['first run']);
      assert.deepEqual(runWith(v1, 1), []);
      const v2 = { ...v1, 'function scale (lib.ts)': 'c' };
      assert.deepEqual(runWith(v2, 1), ['function scale (lib.ts) changed']);
      const v3 = { ...v2, 'package left-pad': '1.3.1' };
      assert.deepEqual(runWith(v3, 1), ['package left-pad 1.3.0 → 1.3.1']);
      assert.deepEqual(runWith(v3, 2), ['input 1 changed']);
      assert.deepEqual(runWith(v3, 2, true), ['evicted from the cache (or cleared)']);
    }));

  it('through the engine: a second graph reads its target alone (`scale_4 cached`); version and refresh recompute', () =>
    withDir((dir) => {
      const calls: string[] = [];
      const lines: string[] = [];
      const adding = (a: number, b: number) => {
        calls.push('adding');
        return a + b;
      };
      const scale = (x: number) => {
        calls.push('scale');
        return new Float64Array([x, x * 2]);
      };
      const evaluate = (options: { version?: string; cache?: 'refresh' } = {}) => {
        calls.length = 0;
        lines.length = 0;
        const G = new GraphBuilder({ cache: new DiskCache({ dir }), verbose: true, log: (line) => lines.push(line) });
        const sum = G.add(adding)(1, 2);
        return { value: G.add(scale, options)(sum).get(), calls: [...calls], lines: lines.filter((l) => /cached|running/.test(l)) };
      };
      const expected = new Float64Array([3, 6]);
      assert.deepEqual(evaluate(), { value: expected, calls: ['adding', 'scale'], lines: ['running adding_0', 'running scale_4'] });
      // The target's result is read alone (its input is neither computed nor read).
      assert.deepEqual(evaluate(), { value: expected, calls: [], lines: ['scale_4 cached'] });
      assert.deepEqual(evaluate({ version: '2' }), { value: expected, calls: ['scale'], lines: ['adding_0 cached', 'running scale_4'] });
      assert.deepEqual(evaluate({ version: '2', cache: 'refresh' }), { value: expected, calls: ['scale'], lines: ['adding_0 cached', 'running scale_4'] });
      assert.deepEqual(evaluate({ version: '2' }), { value: expected, calls: [], lines: ['scale_4 cached'] });
    }));
});
