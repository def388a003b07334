import {
  closeSync,
  fstatSync,
  futimesSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/*
 * The on-disk store of the result cache: one file per entry, `entries/<2 hex>/<key>`, named by the entry's key (a
 * SHA-256 of everything its value depends on: see diskCache.ts), and one small record per op, `ops/<name>` (what
 * its last key was made of, to say why it was recomputed). Invariants:
 * - A file at its final name is always whole: it is written under a unique temporary name in `tmp/` and renamed,
 *   and rename replaces atomically. Concurrent writers of one key each rename a whole file; the last one stays.
 * - Every read checks the file against its header (the key it was written for, the payload's length and CRC-32): a
 *   truncated or corrupt file (a crash without fsync, a disk error, a hand edit) is a miss and is deleted. No fsync:
 *   a write lost to a power cut is a miss, never a wrong value.
 * - A file's mtime is its last use (set on write and on every hit). The size limit counts entries and records;
 *   eviction deletes the least recently used entries first, and records only once no entry is left (they are small,
 *   and without its record a recomputed op's reason reads "first run").
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

/** What `pyflow cache stats` shows: the store's directory, its entry and op record counts, their size, and its limit. */
export interface StoreStats {
  dir: string;
  entries: number;
  /** The op records (`ops/`): what each op's last key was made of. */
  records: number;
  /** The size of the entries and records on disk. */
  bytes: number;
  maxBytes: number;
}

/** What `clear` deleted. */
export interface ClearedCounts {
  entries: number;
  records: number;
}

/** One file of the store, as a scan sees it: `id` is its path under the store's directory. */
interface StoredFile {
  id: string;
  kind: 'entry' | 'record';
  size: number;
  mtimeMs: number;
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
  /** File sizes by id (entries and records) as of the last scan plus this process's writes (undefined until the first write). */
  private sizes: Map<string, number> | undefined;
  private total = 0;
  private readonly madeDirs = new Set<string>();

  constructor(options: CacheStoreOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  private pathOf(key: string): string {
    return join(this.dir, entryId(key));
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
    if (size > this.maxBytes || !this.writeFile(entryId(key), [[header], payload])) return false;
    this.keys?.add(key);
    this.added(entryId(key), size);
    return true;
  }

  /** Stores an op's record under `name` (64 hex digits), replacing the previous one; false if it could not be written. */
  writeRecord(name: string, text: string): boolean {
    if (!KEY.test(name)) throw new Error(`not a record name: ${name}`);
    const bytes = Buffer.from(text);
    if (!this.writeFile(recordId(name), [[bytes]])) return false;
    this.added(recordId(name), bytes.byteLength);
    return true;
  }

  /** The op record stored under `name`, or undefined. */
  readRecord(name: string): string | undefined {
    if (!KEY.test(name)) return undefined;
    try {
      return readFileSync(join(this.dir, recordId(name)), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Writes the pieces of each part in order to a temporary file, and renames it to `id` (see the invariants above). */
  private writeFile(id: string, parts: readonly (readonly Uint8Array[])[]): boolean {
    const tmpDir = join(this.dir, 'tmp');
    const tmp = join(tmpDir, `${basename(id)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const path = join(this.dir, id);
    try {
      this.makeRoot();
      this.makeDir(tmpDir);
      this.makeDir(dirname(path));
      const fd = openSync(tmp, 'w');
      try {
        for (const part of parts) for (const piece of part) writeAll(fd, piece);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
      return true;
    } catch {
      removeQuietly(tmp);
      return false;
    }
  }

  /** Counts a file just written in the store's size, and evicts when the store is over its limit. */
  private added(id: string, size: number): void {
    const sizes = this.knownSizes();
    this.total += size - (sizes.get(id) ?? 0);
    sizes.set(id, size);
    if (this.total > this.maxBytes) this.evict();
  }

  /** The store's directory, with a `.gitignore` that ignores all of it (as pytest's cache does). */
  private makeRoot(): void {
    if (this.madeDirs.has(this.dir)) return;
    mkdirSync(this.dir, { recursive: true });
    try {
      writeFileSync(join(this.dir, '.gitignore'), '# The result cache of pyflow (docs/cache.md): not source.\n*\n', { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    this.madeDirs.add(this.dir);
  }

  private makeDir(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /**
   * Deletes least recently used files, entries before records, until the store holds at most 80% of its limit (a
   * fresh scan decides); returns how many files.
   */
  evict(targetBytes = Math.floor(this.maxBytes * 0.8)): number {
    const files = this.scan(true);
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => (a.kind === b.kind ? a.mtimeMs - b.mtimeMs : a.kind === 'entry' ? -1 : 1));
    let evicted = 0;
    for (const file of files) {
      if (total <= targetBytes) break;
      removeQuietly(join(this.dir, file.id));
      total -= file.size;
      evicted++;
    }
    this.rememberScan(files.slice(evicted));
    this.removeStaleTemporaries(STALE_TMP_MS);
    return evicted;
  }

  /** The entry and record counts and their total size on disk now. */
  stats(): StoreStats {
    const files = this.scan(false);
    const entries = files.filter((f) => f.kind === 'entry').length;
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    return { dir: this.dir, entries, records: files.length - entries, bytes, maxBytes: this.maxBytes };
  }

  /** Deletes every entry and record (and every temporary file not written in the last minute). */
  clear(): ClearedCounts {
    const files = this.scan(false);
    for (const file of files) removeQuietly(join(this.dir, file.id));
    this.removeStaleTemporaries(60_000);
    this.rememberScan([]);
    const entries = files.filter((f) => f.kind === 'entry').length;
    return { entries, records: files.length - entries };
  }

  private rememberScan(files: readonly StoredFile[]): void {
    this.sizes = new Map(files.map((f) => [f.id, f.size]));
    this.keys = new Set(files.filter((f) => f.kind === 'entry').map((f) => basename(f.id)));
    this.total = files.reduce((sum, f) => sum + f.size, 0);
  }

  private knownKeys(): Set<string> {
    this.keys ??= new Set(this.names());
    return this.keys;
  }

  private knownSizes(): Map<string, number> {
    if (this.sizes === undefined) this.rememberScan(this.scan(false));
    return this.sizes!;
  }

  private forget(key: string): void {
    this.keys?.delete(key);
    const size = this.sizes?.get(entryId(key));
    if (size === undefined) return;
    this.sizes!.delete(entryId(key));
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

  private scan(withTimes: boolean): StoredFile[] {
    const out: StoredFile[] = [];
    const add = (id: string, kind: StoredFile['kind']): void => {
      const stat = statQuietly(join(this.dir, id));
      if (stat) out.push({ id, kind, size: stat.size, mtimeMs: withTimes ? stat.mtimeMs : 0 });
    };
    const root = join(this.dir, 'entries');
    for (const shard of listDir(root)) {
      for (const key of listDir(join(root, shard))) if (KEY.test(key)) add(entryId(key), 'entry');
    }
    for (const name of listDir(join(this.dir, 'ops'))) if (KEY.test(name)) add(recordId(name), 'record');
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

function entryId(key: string): string {
  return join('entries', key.slice(0, 2), key);
}

function recordId(name: string): string {
  return join('ops', name);
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
