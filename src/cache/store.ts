import { closeSync, fstatSync, futimesSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/*
 * The on-disk store of the result cache: one file per entry, `entries/<2 hex>/<key>`, named by the entry's key (a
 * SHA-256 of everything its value depends on: see resultCache.ts). Invariants:
 * - A file at its final name is always whole: it is written under a unique temporary name in `tmp/` and renamed,
 *   and rename replaces atomically. Concurrent writers of one key each rename a whole file; the last one stays.
 * - Every read checks the file against its header (the key it was written for, the payload's length and CRC-32): a
 *   truncated or corrupt file (a crash without fsync, a disk error, a hand edit) is a miss and is deleted. No fsync:
 *   a write lost to a power cut is a miss, never a wrong value.
 * - A file's mtime is its last use (set on write and on every hit): eviction deletes the least recently used first.
 * - Readers never lock: a file deleted (evicted, cleared) while another process reads it stays readable through
 *   the open descriptor; one deleted before it is opened is a miss.
 */

const MAGIC = Buffer.from('PYFLOWC1');
/** magic, u32 header length; the payload starts at a multiple of 8 so typed arrays can be read in place. */
const PREFIX = MAGIC.length + 4;
const KEY = /^[0-9a-f]{64}$/;
/** A temporary file older than this belongs to a writer that died: eviction and `clear` delete it. */
const STALE_TMP_MS = 10 * 60_000;

export interface StoreHeader {
  key: string;
  /** The payload's length in bytes. */
  length: number;
  crc32: number;
  /** Who wrote it (an op's uid and function), for `pyflow cache stats` and diagnostics. */
  op: string;
}

/** What `pyflow cache stats` shows: the store's directory, its entry count and size, and its limit. */
export interface StoreStats {
  dir: string;
  entries: number;
  bytes: number;
  maxBytes: number;
}

/** Where a `CacheStore` keeps its entries and how large it may grow. */
export interface CacheStoreOptions {
  /** The store's directory (created on first write). */
  dir: string;
  /** Evict least recently used entries once the store is larger than this (default 1 GiB). */
  maxBytes?: number;
}

/** The store's default size limit: 1 GiB. */
export const DEFAULT_MAX_BYTES = 1024 ** 3;

/** A directory of cache entries, shared by every process that opens it (see the invariants above). */
export class CacheStore {
  readonly dir: string;
  readonly maxBytes: number;
  /** The keys present as of this process's first look, plus its own writes (a miss costs no system call). */
  private keys: Set<string> | undefined;
  /** Entry sizes as of the last scan plus this process's writes (undefined until the first write). */
  private sizes: Map<string, number> | undefined;
  private total = 0;
  private readonly madeDirs = new Set<string>();

  constructor(options: CacheStoreOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  private pathOf(key: string): string {
    return join(this.dir, 'entries', key.slice(0, 2), key);
  }

  /** Whether an entry may exist (a scan taken at first use, plus this process's writes; no file is read). */
  has(key: string): boolean {
    return this.knownKeys().has(key);
  }

  /** The payload stored under `key`, checked against its header; undefined on a miss or a bad entry (then deleted). */
  read(key: string): Buffer | undefined {
    if (!KEY.test(key) || !this.knownKeys().has(key)) return undefined;
    const path = this.pathOf(key);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      this.forget(key);
      return undefined;
    }
    let file: Buffer;
    try {
      const size = fstatSync(fd).size;
      file = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, file, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      if (read < size) file = file.subarray(0, read);
      const payload = checkedPayload(file, key);
      if (payload === undefined) {
        this.remove(key);
        return undefined;
      }
      const now = new Date();
      futimesSync(fd, now, now);
      return payload;
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /** Stores a payload (given in pieces, written in order); false if it could not be written (it is then a miss). */
  write(key: string, payload: readonly Uint8Array[], op: string): boolean {
    if (!KEY.test(key)) throw new Error(`not a cache key: ${key}`);
    let length = 0;
    let crc = 0;
    for (const piece of payload) {
      length += piece.byteLength;
      crc = crc32(piece, crc);
    }
    const header = headerBytes({ key, length, crc32: crc, op });
    const size = header.byteLength + length;
    if (size > this.maxBytes) return false;
    const tmpDir = join(this.dir, 'tmp');
    const tmp = join(tmpDir, `${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const path = this.pathOf(key);
    try {
      this.makeDir(tmpDir);
      this.makeDir(join(path, '..'));
      const fd = openSync(tmp, 'w');
      try {
        writeAll(fd, header);
        for (const piece of payload) writeAll(fd, piece);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch {
      removeQuietly(tmp);
      return false;
    }
    const sizes = this.knownSizes();
    this.total += size - (sizes.get(key) ?? 0);
    sizes.set(key, size);
    this.keys?.add(key);
    if (this.total > this.maxBytes) this.evict();
    return true;
  }

  private makeDir(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** Deletes least recently used entries until the store holds at most 80% of its limit (a fresh scan decides). */
  evict(targetBytes = Math.floor(this.maxBytes * 0.8)): number {
    const entries = this.scan(true);
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
    let evicted = 0;
    for (const entry of entries) {
      if (total <= targetBytes) break;
      removeQuietly(this.pathOf(entry.key));
      total -= entry.size;
      evicted++;
    }
    this.sizes = new Map(entries.slice(evicted).map((e) => [e.key, e.size]));
    this.keys = new Set(this.sizes.keys());
    this.total = total;
    this.removeStaleTemporaries(STALE_TMP_MS);
    return evicted;
  }

  /** The entry count and total size on disk now. */
  stats(): StoreStats {
    const entries = this.scan(false);
    return { dir: this.dir, entries: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0), maxBytes: this.maxBytes };
  }

  /** Deletes every entry (and every temporary file not written in the last minute); returns how many entries. */
  clear(): number {
    const entries = this.scan(false);
    for (const entry of entries) removeQuietly(this.pathOf(entry.key));
    this.removeStaleTemporaries(60_000);
    this.sizes = new Map();
    this.keys = new Set();
    this.total = 0;
    return entries.length;
  }

  private knownKeys(): Set<string> {
    this.keys ??= new Set(this.names());
    return this.keys;
  }

  private knownSizes(): Map<string, number> {
    if (this.sizes === undefined) {
      const entries = this.scan(false);
      this.sizes = new Map(entries.map((e) => [e.key, e.size]));
      this.total = entries.reduce((sum, e) => sum + e.size, 0);
    }
    return this.sizes;
  }

  private forget(key: string): void {
    this.keys?.delete(key);
    const size = this.sizes?.get(key);
    if (size === undefined) return;
    this.sizes!.delete(key);
    this.total -= size;
  }

  /** The keys in the store (names only: no file is opened). */
  private names(): string[] {
    const root = join(this.dir, 'entries');
    return listDir(root).flatMap((shard) => listDir(join(root, shard)).filter((name) => KEY.test(name)));
  }

  private remove(key: string): void {
    this.forget(key);
    try {
      unlinkSync(this.pathOf(key));
    } catch {
      // Already gone: another process removed it.
    }
  }

  private scan(withTimes: boolean): { key: string; size: number; mtimeMs: number }[] {
    const root = join(this.dir, 'entries');
    const out: { key: string; size: number; mtimeMs: number }[] = [];
    for (const shard of listDir(root)) {
      for (const key of listDir(join(root, shard))) {
        if (!KEY.test(key)) continue;
        const stat = statQuietly(join(root, shard, key));
        if (stat) out.push({ key, size: stat.size, mtimeMs: withTimes ? stat.mtimeMs : 0 });
      }
    }
    return out;
  }

  private removeStaleTemporaries(olderThanMs: number): void {
    const tmpDir = join(this.dir, 'tmp');
    const now = Date.now();
    for (const name of listDir(tmpDir)) {
      const stat = statQuietly(join(tmpDir, name));
      if (stat && now - stat.mtimeMs > olderThanMs) removeQuietly(join(tmpDir, name));
    }
  }
}

function statQuietly(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Deletes a file if it can; a cache that cannot clean up only wastes space. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Not there, or its directory is gone or unreadable.
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
}

function headerBytes(header: StoreHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const padded = Math.ceil((PREFIX + json.length) / 8) * 8 - PREFIX;
  const out = Buffer.alloc(PREFIX + padded, 0x20);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(padded, MAGIC.length);
  json.copy(out, PREFIX);
  return out;
}

/** The header of a store file, or undefined if it has none that parses. */
export function readHeader(file: Buffer): StoreHeader | undefined {
  if (file.length < PREFIX || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const headerLength = file.readUInt32LE(MAGIC.length);
  if (PREFIX + headerLength > file.length) return undefined;
  try {
    const header = JSON.parse(file.subarray(PREFIX, PREFIX + headerLength).toString()) as StoreHeader;
    return typeof header.key === 'string' && Number.isInteger(header.length) && Number.isInteger(header.crc32) ? header : undefined;
  } catch {
    return undefined;
  }
}

function checkedPayload(file: Buffer, key: string): Buffer | undefined {
  const header = readHeader(file);
  if (header === undefined || header.key !== key) return undefined;
  const start = PREFIX + file.readUInt32LE(MAGIC.length);
  const payload = file.subarray(start);
  if (payload.length !== header.length || crc32(payload) !== header.crc32) return undefined;
  return payload;
}
