import { hostname } from 'node:os';
import { realpathSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, describeRedis, type RedisTarget } from './redis.js';
import { redisLibraries } from './libraries.js';
import { DEFAULT_BLOB_THRESHOLD, ValueStore, aliveKey, runPrefix, type BlobStore } from './store.js';
import { DEFAULT_QUEUE, OP_THREW, WORKER_KEY_PREFIX, type ArgRef, type OpJob, type OpJobResult, type WorkerInfo } from './jobs.js';

/** Loads a module file of the code root (the CLI bundles TypeScript with esbuild) and returns its exports. */
export type ModuleLoader = (file: string) => Promise<Record<string, unknown>>;

/** Options of `startWorker(options)` (`pyflow worker`'s flags). */
export interface WorkerOptions {
  readonly redis: RedisTarget;
  /** Only modules under this directory run. */
  readonly root: string;
  readonly load: ModuleLoader;
  readonly concurrency?: number;
  readonly queue?: string;
  readonly blobThreshold?: number;
  readonly blobs?: BlobStore;
  /**
   * How long a job stays locked without renewal: when a worker dies, its ops are given to another worker after this
   * (BullMQ's stalled-job check). An op that blocks the event loop longer than this is taken for stalled too.
   */
  readonly lockMs?: number;
  /** Told of what the worker does (a line per event; the CLI prints them). */
  readonly log?: (line: string) => void;
}

/** A running worker: its name, and how to stop it. */
export interface ClusterWorker {
  readonly name: string;
  /** Stops taking jobs, waits for those running, and disconnects. */
  close(): Promise<void>;
}

const INFO_TTL_MS = 15_000;
const INFO_EVERY_MS = 5_000;

/** Starts a worker: takes op jobs from the queue, runs them, stores their values. Rejects if Redis cannot be reached. */
export async function startWorker(options: WorkerOptions): Promise<ClusterWorker> {
  const { Worker, UnrecoverableError } = (await redisLibraries()).bullmq;
  const root = realpathSync(resolve(options.root));
  const name = `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => undefined);
  const redis = await connectRedis(options.redis, `pyflow worker ${name}`, { blocking: true, persistent: true });
  const store = new ValueStore(redis, { blobThreshold: options.blobThreshold ?? DEFAULT_BLOB_THRESHOLD, ...(options.blobs ? { blobs: options.blobs } : {}) });
  const queue = options.queue ?? DEFAULT_QUEUE;
  const concurrency = options.concurrency ?? 1;
  const functions = new Map<string, Promise<(...args: unknown[]) => unknown>>();
  const counts = { running: 0, done: 0 };
  const startedAt = new Date().toISOString();

  function findFunction(job: OpJob): Promise<(...args: unknown[]) => unknown> {
    const id = `${job.module}#${job.export}`;
    let found = functions.get(id);
    if (!found) {
      found = loadFunction(root, options.load, job);
      functions.set(id, found);
      found.catch(() => functions.delete(id));
    }
    return found;
  }

  async function readArg(ref: ArgRef): Promise<unknown> {
    if ('items' in ref) return Promise.all(ref.items.map(readArg));
    return 'inline' in ref ? deserialize(Buffer.from(ref.inline, 'base64')) : store.read(ref.key);
  }

  async function runJob(bull: Job<OpJob>): Promise<OpJobResult> {
    const job = bull.data;
    // A job writes only under its own run's value keys: never another run's values, nor BullMQ's or anything else.
    if (
      typeof job.run !== 'string' ||
      job.run.includes(':') ||
      typeof job.outputPrefix !== 'string' ||
      !job.outputPrefix.startsWith(`${runPrefix(job.run)}value:`)
    ) {
      log(`refused ${String(job.uid)}: its output keys (${String(job.outputPrefix)}) are not its run's`);
      throw new UnrecoverableError(`pyflow worker: job ${String(job.uid)} names output keys outside its run`);
    }
    if (!(await redis.exists(aliveKey(job.run)))) {
      log(`skipped ${job.uid} (${job.fnName}): its run ${job.run} is gone (the coordinator stopped)`);
      return { worker: name, abandoned: true };
    }
    counts.running++;
    try {
      let outputs: unknown[];
      try {
        const fn = await findFunction(job);
        const args = await Promise.all(job.args.map(readArg));
        const value = await fn(...args);
        outputs = splitOutputs(job, value);
      } catch (error) {
        await store.write(job.run, `${job.outputPrefix}error`, asCloneable(error));
        throw new UnrecoverableError(OP_THREW);
      }
      const stored = [];
      for (let i = 0; i < outputs.length; i++) {
        const value = await store.write(job.run, `${job.outputPrefix}${i}`, outputs[i]).catch(async (error: unknown) => {
          await store.write(job.run, `${job.outputPrefix}error`, new Error(`its value cannot be stored: ${(error as Error).message}`));
          throw new UnrecoverableError(OP_THREW);
        });
        if (!value) return { worker: name, abandoned: true };
        stored.push({ key: value.key, bytes: value.bytes });
      }
      return { worker: name, outputs: stored };
    } finally {
      counts.running--;
      counts.done++;
    }
  }

  const worker = new Worker<OpJob, OpJobResult>(queue, runJob, {
    connection: redis,
    concurrency,
    name,
    lockDuration: options.lockMs ?? 30_000,
    stalledInterval: Math.min(options.lockMs ?? 30_000, 30_000),
    maxStalledCount: 2,
  });
  worker.on('failed', (job, error) => {
    if (error.message !== OP_THREW) log(`${job?.data.uid ?? '?'} failed: ${error.message}`);
  });
  worker.on('error', (error) => log(`error: ${error.message}`));
  await worker.waitUntilReady();

  const writeInfo = (): Promise<unknown> => {
    const info: WorkerInfo = { name, host: hostname(), pid: process.pid, concurrency, root, queue, startedAt, ...counts };
    return redis.set(`${WORKER_KEY_PREFIX}${name}`, JSON.stringify(info), 'PX', INFO_TTL_MS).catch(() => undefined);
  };
  await writeInfo();
  const timer = setInterval(writeInfo, INFO_EVERY_MS);
  log(`worker ${name} ready: queue ${queue} on ${describeRedis(options.redis)}, ${concurrency} at once, code root ${root}`);

  return {
    name,
    async close() {
      clearInterval(timer);
      await worker.close();
      await redis.del(`${WORKER_KEY_PREFIX}${name}`).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** The function `job` names, if its module is under `root` (the real path: links resolved, see startWorker) and exports it. */
async function loadFunction(root: string, load: ModuleLoader, job: OpJob): Promise<(...args: unknown[]) => unknown> {
  const file = resolve(root, job.module);
  if (isAbsolute(job.module) || isOutside(root, file)) {
    throw new Error(`refused to run ${job.module}#${job.export}: the module is outside this worker's code root ${root}`);
  }
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    throw new Error(`no module ${job.module} under this worker's code root ${root} (start the worker with --root at a copy of the code)`);
  }
  if (isOutside(root, real)) throw new Error(`refused to run ${job.module}#${job.export}: it links outside this worker's code root ${root}`);
  const exports = await load(real);
  const fn = exports[job.export];
  if (typeof fn !== 'function') throw new Error(`${job.module} has no exported function ${job.export} (exports: ${Object.keys(exports).join(', ') || 'none'})`);
  return fn as (...args: unknown[]) => unknown;
}

/** Whether `path` is outside `root` (both absolute; the worker compares them with their links resolved). */
function isOutside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

function splitOutputs(job: OpJob, value: unknown): unknown[] {
  if (job.nOut === 0) return [];
  if (job.nOut === 1) return [value];
  if (!Array.isArray(value) || value.length !== job.nOut) {
    throw new Error(`was declared with nOut: ${job.nOut} but returned ${Array.isArray(value) ? `${value.length} values` : 'a non-array'}`);
  }
  return value;
}

/** A thrown value as v8.serialize can carry it (errors keep name, message, stack and cause). */
function asCloneable(error: unknown): unknown {
  if (error instanceof Error) {
    const copy = new Error(error.message, error.cause === undefined ? {} : { cause: asCloneable(error.cause) });
    copy.name = error.name;
    copy.stack = error.stack ?? '';
    return copy;
  }
  try {
    structuredClone(error);
    return error;
  } catch {
    return String(error);
  }
}

export type { Redis };
