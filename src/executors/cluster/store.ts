import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Redis } from 'ioredis';

/*
 * Where values live between ops. Every value has a key under its run (`pyflow:run:<run>:value:<job>:<output>`); the
 * key holds the serialized bytes themselves (small values) or the content hash of a blob (values over the blob
 * threshold), so one large value sent to many ops, or made twice, is stored once. A blob is deleted when the last
 * value key naming it is deleted. Values are serialized with v8.serialize (structured clone): data only, no code.
 *
 * Invariant: a value is written only while its run is alive (the coordinator's heartbeat key exists), in one Lua
 * script, so a run that was cleaned up after its coordinator died gets no new values from workers still busy with it.
 */

/** Where blobs are kept: Redis by default; an S3-compatible store can implement the same three calls. */
export interface BlobStore {
  /** Stores bytes under their hash (idempotent: the same hash always means the same bytes). */
  put(hash: string, bytes: Buffer): Promise<void>;
  /** The bytes stored under `hash`, or null if there are none (deleted, or never stored). */
  get(hash: string): Promise<Buffer | null>;
  /** Deletes the bytes under `hash` (nothing if there are none). */
  delete(hash: string): Promise<void>;
}

export function redisBlobStore(redis: Redis): BlobStore {
  return {
    async put(hash, bytes) {
      await redis.set(blobKey(hash), bytes, 'NX');
    },
    async get(hash) {
      return redis.getBuffer(blobKey(hash));
    },
    async delete(hash) {
      await redis.del(blobKey(hash));
    },
  };
}

/** A value stored in the cluster's store: what `run` returns and `resolve` reads. */
export class ClusterValue {
  constructor(
    readonly key: string,
    readonly bytes: number,
  ) {}
}

export const PREFIX = 'pyflow:';
export const RUNS_KEY = `${PREFIX}runs`;
export const runPrefix = (run: string): string => `${PREFIX}run:${run}:`;
export const aliveKey = (run: string): string => `${runPrefix(run)}alive`;
const blobKey = (hash: string): string => `${PREFIX}blob:${hash}`;
const blobRefsKey = (hash: string): string => `${PREFIX}blob:${hash}:refs`;

const INLINE = 0;
const BLOB = 1;

/** KEYS: alive, value, refs (or ''), ARGV: record. 1: written, 0: the run is gone. */
const WRITE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if KEYS[3] ~= '' then redis.call('SADD', KEYS[3], KEYS[2]) end
redis.call('SET', KEYS[2], ARGV[1])
return 1`;

/** KEYS: value; ARGV: blob-refs key prefix. Deletes the value; returns the hash of a blob no value names any more. */
const DELETE = `
local record = redis.call('GETRANGE', KEYS[1], 0, 64)
if record == '' then return false end
redis.call('DEL', KEYS[1])
if string.byte(record, 1) ~= ${BLOB} then return false end
local hash = string.sub(record, 2)
local refs = ARGV[1] .. hash .. ':refs'
redis.call('SREM', refs, KEYS[1])
if redis.call('SCARD', refs) == 0 then return hash end
return false`;

export interface StoreOptions {
  /** Values whose serialized size is over this many bytes go to the blob store. */
  readonly blobThreshold: number;
  readonly blobs?: BlobStore;
}

/** Values larger than this (serialized, in bytes) are stored once as blobs addressed by their hash: 256 KiB. */
export const DEFAULT_BLOB_THRESHOLD = 256 * 1024;

export class ValueStore {
  readonly blobs: BlobStore;
  constructor(
    private readonly redis: Redis,
    private readonly options: StoreOptions,
  ) {
    this.blobs = options.blobs ?? redisBlobStore(redis);
  }

  /** Serializes and stores a value under `key` for `run`; false when the run is gone (nothing is stored). */
  async write(run: string, key: string, value: unknown): Promise<ClusterValue | undefined> {
    const bytes = serialize(value);
    let record: Buffer;
    let refs = '';
    if (bytes.length > this.options.blobThreshold) {
      const hash = createHash('sha256').update(bytes).digest('hex');
      await this.blobs.put(hash, bytes);
      record = Buffer.concat([Buffer.from([BLOB]), Buffer.from(hash)]);
      refs = blobRefsKey(hash);
    } else {
      record = Buffer.concat([Buffer.from([INLINE]), bytes]);
    }
    const written = await this.redis.eval(WRITE, 3, aliveKey(run), key, refs, record);
    return written === 1 ? new ClusterValue(key, bytes.length) : undefined;
  }

  async read(key: string): Promise<unknown> {
    const record = await this.redis.getBuffer(key);
    if (!record) throw new Error(`the value ${key} is not in the store any more (released, or its run was cleaned up)`);
    if (record[0] === INLINE) return deserialize(record.subarray(1));
    const hash = record.subarray(1).toString();
    const bytes = await this.blobs.get(hash);
    if (!bytes) throw new Error(`the blob ${hash} of ${key} is missing from the blob store`);
    return deserialize(bytes);
  }

  async delete(key: string): Promise<void> {
    const orphan = await this.redis.eval(DELETE, 1, key, `${PREFIX}blob:`);
    if (typeof orphan === 'string') await this.blobs.delete(orphan);
  }

  /** Deletes every key of a run (its values, its blobs' references, its heartbeat). */
  async deleteRun(run: string): Promise<void> {
    const keys: string[] = [];
    for await (const batch of this.redis.scanStream({ match: `${runPrefix(run)}*`, count: 500 }) as AsyncIterable<string[]>) keys.push(...batch);
    // The heartbeat goes first: from then on workers store nothing more for this run.
    await this.redis.del(aliveKey(run));
    for (const key of keys) await this.delete(key);
    await this.redis.srem(RUNS_KEY, run);
  }
}
