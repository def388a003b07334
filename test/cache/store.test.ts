import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheStore } from '../../src/cache/store.js';
import { keyFor, valueFor } from './storeValues.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pyflow-store-'));
}

function entryPath(dir: string, key: string): string {
  return join(dir, 'entries', key.slice(0, 2), key);
}

const CHILD = join(__dirname, 'storeChild.ts');

/** Runs storeChild.ts in its own process; `onLine` sees each line of its stdout. */
function child(args: string[], onLine?: (line: string, kill: () => void) => void) {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (text: string) => {
    out += text;
    for (const line of text.split('\n').filter(Boolean)) onLine?.(line, () => proc.kill('SIGKILL'));
  });
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('cache store', () => {
  it('reads back what it wrote, and leaves no temporary file', () => {
    const dir = tempDir();
    const store = new CacheStore({ dir });
    const key = keyFor(1);
    assert.equal(store.read(key), undefined);
    assert.equal(store.write(key, [Buffer.from('hello '), Buffer.from('world')], 'op_0 (f)'), true);
    assert.equal(store.read(key)?.toString(), 'hello world');
    assert.equal(new CacheStore({ dir }).read(key)?.toString(), 'hello world', 'another process (a new store) reads it too');
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), '# The result cache of pyflow (docs/cache.md): not source.\n*\n');
    assert.deepEqual(store.stats(), { dir, entries: 1, records: 0, bytes: statSync(entryPath(dir, key)).size, maxBytes: 1024 ** 3 });
    rmSync(dir, { recursive: true });
  });

  it('treats a corrupt, truncated or misnamed entry as a miss and deletes it', () => {
    const dir = tempDir();
    const keys = [keyFor(1), keyFor(2), keyFor(3), keyFor(4)];
    const store = new CacheStore({ dir });
    for (const key of keys) store.write(key, [Buffer.from(`value of ${key}`)], 'op');
    const flipped = readFileSync(entryPath(dir, keys[0]!));
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 1;
    writeFileSync(entryPath(dir, keys[0]!), flipped);
    const whole = readFileSync(entryPath(dir, keys[1]!));
    writeFileSync(entryPath(dir, keys[1]!), whole.subarray(0, whole.length - 1));
    writeFileSync(entryPath(dir, keys[2]!), readFileSync(entryPath(dir, keys[3]!)));
    const reader = new CacheStore({ dir });
    assert.deepEqual(
      keys.map((key) => reader.read(key)?.toString()),
      [undefined, undefined, undefined, `value of ${keys[3]}`],
    );
    assert.deepEqual(
      keys.map((key) => existsSync(entryPath(dir, key))),
      [false, false, false, true],
    );
    rmSync(dir, { recursive: true });
  });

  it('keeps the previous entry when a writer is killed mid-write, and cleans its temporary file up later', async () => {
    const dir = tempDir();
    const key = keyFor(7);
    new CacheStore({ dir }).write(key, [Buffer.from('the old value')], 'op');
    let tmpSeenMidWrite: string[] = [];
    const ended = await child(['crash', dir, key, String(16 * 1024 * 1024)], (line, kill) => {
      if (line !== 'mid-write') return;
      tmpSeenMidWrite = readdirSync(join(dir, 'tmp'));
      kill();
    });
    assert.deepEqual({ signal: ended.signal, out: ended.out }, { signal: 'SIGKILL', out: 'mid-write\n' });
    assert.equal(tmpSeenMidWrite.length, 1, 'the child was writing its temporary file when it was killed');
    const store = new CacheStore({ dir });
    assert.equal(store.read(key)?.toString(), 'the old value');
    // A temporary file is a dead writer's once it is old (a live writer's is being written now).
    const old = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, 'tmp', tmpSeenMidWrite[0]!), old, old);
    store.evict();
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    assert.equal(store.read(key)?.toString(), 'the old value');
    rmSync(dir, { recursive: true });
  });

  it('is never read half-written while several processes write and read the same keys', async () => {
    const dir = tempDir();
    const n = 40;
    const writers = ['alpha', 'beta', 'gamma'];
    const [reads, ...writes] = await Promise.all([child(['read', dir, String(n), '30']), ...writers.map((name) => child(['write', dir, name, String(n)]))]);
    assert.deepEqual(
      writes.map((w) => w.out),
      writers.map(() => 'done\n'),
    );
    const valid = (i: number, text: string): boolean => writers.some((name) => valueFor(name, i).toString() === text);
    const seen = JSON.parse(reads!.out) as string[];
    const invalid = seen.filter((entry) => !valid(Number(entry.split('=')[0]), entry.slice(entry.indexOf('=') + 1)));
    assert.deepEqual(invalid, []);
    const store = new CacheStore({ dir });
    const finals = Array.from({ length: n }, (_, i) => store.read(keyFor(i))?.toString() ?? 'missing');
    assert.deepEqual(
      finals.filter((text, i) => !valid(i, text)),
      [],
    );
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    rmSync(dir, { recursive: true });
  });

  it('evicts the least recently used entries once it is over its limit (a read counts as a use)', () => {
    const dir = tempDir();
    const value = Buffer.alloc(1000, 1);
    const store = new CacheStore({ dir, maxBytes: 10 * 1100 });
    const keys = Array.from({ length: 11 }, (_, i) => keyFor(i));
    for (const key of keys.slice(0, 8)) store.write(key, [value], 'op');
    // Distinct past times, oldest first, so the order does not depend on the clock's resolution.
    keys.slice(0, 8).forEach((key, i) => utimesSync(entryPath(dir, key), 1_000_000 + i, 1_000_000 + i));
    assert.ok(store.read(keys[0]!), 'entry 0 is used again: now the most recent');
    for (const key of keys.slice(8)) store.write(key, [value], 'op');
    const kept = keys.map((key) => existsSync(entryPath(dir, key)));
    // Over 10 entries' worth at the 11th write: the oldest go until 80% of the limit (8 entries) remain.
    assert.deepEqual(kept, [true, false, false, false, true, true, true, true, true, true, true]);
    assert.deepEqual(new CacheStore({ dir, maxBytes: 10 * 1100 }).stats().entries, 8);
    rmSync(dir, { recursive: true });
  });

  it('does not store an entry larger than its limit, and clear empties it', () => {
    const dir = tempDir();
    const store = new CacheStore({ dir, maxBytes: 500 });
    assert.equal(store.write(keyFor(1), [Buffer.alloc(600)], 'op'), false);
    assert.equal(store.write(keyFor(2), [Buffer.alloc(100)], 'op'), true);
    assert.deepEqual(store.clear(), { entries: 1, records: 0 });
    assert.equal(store.read(keyFor(2)), undefined);
    assert.equal(new CacheStore({ dir }).stats().entries, 0);
    rmSync(dir, { recursive: true });
  });

  it('counts op records in its size and stats, evicts them after every entry, and clear deletes them', () => {
    const dir = tempDir();
    const store = new CacheStore({ dir, maxBytes: 10 * 1100 });
    const record = 'r'.repeat(1000);
    assert.equal(store.writeRecord(keyFor(100), record), true);
    assert.equal(store.writeRecord(keyFor(100), record), true, 'a record replaced is counted once');
    assert.equal(store.readRecord(keyFor(100)), record);
    const recordBytes = statSync(join(dir, 'ops', keyFor(100))).size;
    for (let i = 0; i < 4; i++) store.write(keyFor(i), [Buffer.alloc(1000)], 'op');
    const entryBytes = statSync(entryPath(dir, keyFor(0))).size;
    assert.deepEqual(store.stats(), { dir, entries: 4, records: 1, bytes: 4 * entryBytes + recordBytes, maxBytes: 10 * 1100 });
    // The record is the oldest file, yet the entries go first: 11 files' worth at the last write, 8 kept.
    utimesSync(join(dir, 'ops', keyFor(100)), 1_000_000, 1_000_000);
    for (let i = 4; i < 10; i++) store.write(keyFor(i), [Buffer.alloc(1000)], 'op');
    assert.deepEqual(new CacheStore({ dir }).stats(), { dir, entries: 7, records: 1, bytes: 7 * entryBytes + recordBytes, maxBytes: 1024 ** 3 });
    assert.equal(store.readRecord(keyFor(100)), record);
    // Records beyond the limit on their own are evicted too.
    const small = new CacheStore({ dir: join(dir, 'small'), maxBytes: 2500 });
    for (let i = 0; i < 3; i++) small.writeRecord(keyFor(200 + i), record);
    assert.equal(small.stats().records, 2);
    assert.deepEqual(store.clear(), { entries: 7, records: 1 });
    assert.deepEqual(readdirSync(join(dir, 'ops')), []);
    assert.equal(store.readRecord(keyFor(100)), undefined);
    rmSync(dir, { recursive: true });
  });
});
