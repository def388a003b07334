import { randomUUID } from 'node:crypto';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { PyflowError } from '../../core/index.js';
import type { AbortSignalLike, Executor, ExecutorCall, ExecutorOp, ExecutorResult } from '../../core/index.js';
import { connectRedis, describeRedis, type RedisTarget } from './redis.js';
import { ClusterValue, DEFAULT_BLOB_THRESHOLD, RUNS_KEY, ValueStore, aliveKey, runPrefix, type BlobStore } from './store.js';
import { DEFAULT_QUEUE, INLINE_ARG_BYTES, OP_THREW, type ArgRef, type OpJob, type OpJobResult } from './jobs.js';

/** Options of `clusterExecutor(options)`: where Redis is, and how the coordinator uses it. */
export interface ClusterOptions {
  /** `redis://[:password@]host:port[/db]` (`rediss://` for TLS), or ioredis options. */
  readonly redis: RedisTarget;
  /** The code root: op modules are named relative to it, and workers find them under their own `--root`. Default: cwd. */
  readonly root?: string;
  /** The BullMQ queue (workers listen on the same one). Default `pyflow`. */
  readonly queue?: string;
  /** How many ops the engine may have queued or running at once. Default 64. */
  readonly concurrency?: number;
  /** Values whose serialized size is over this many bytes go to the blob store. Default 256 KiB. */
  readonly blobThreshold?: number;
  /** Where large values go (default: Redis itself). */
  readonly blobs?: BlobStore;
}

export interface ClusterExecutor extends Executor {
  /**
   * An op function that runs on the cluster: the export `name` of the module at `module` (under the code root).
   * @typeParam F - The export's function type (what `G.add` sees).
   */
  fn<F extends (...args: never[]) => unknown>(module: URL | string, name: string): F;
  /** This coordinator's run id (its values and jobs are named by it). */
  readonly runId: string;
}

/** How often the run's heartbeat is renewed, and how long it lives without renewal (then the run counts as dead). */
const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TTL_MS = 10_000;

interface Connected {
  redis: Redis;
  eventsRedis: Redis;
  store: ValueStore;
  queue: Queue;
  events: QueueEvents;
  heartbeat: NodeJS.Timeout;
}
interface Pending {
  op: ExecutorOp;
  resolve(result: OpJobResult): void;
  reject(error: unknown): void;
}

/**
 * An Executor that runs the ops of its `fn()` functions on `pyflow worker` processes, on any machine that reaches the
 * same Redis; values stay in Redis (large ones as blobs) until pyflow's rules release them.
 */
export function clusterExecutor(options: ClusterOptions): ClusterExecutor {
  if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new PyflowError('BAD_OPTION', `clusterExecutor: concurrency must be a whole number >= 1, got ${String(options.concurrency)}`);
  }
  const root = options.root ?? process.cwd();
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const runId = randomUUID();
  const modules = new WeakMap<(...args: never[]) => unknown, { module: string; export: string }>();
  const pending = new Map<string, Pending>();
  let seq = 0;
  let connecting: Promise<Connected> | undefined;
  let closed = false;

  /** Rejects every call in flight (Redis lost, executor closed). */
  function failAll(reason: string): void {
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new Error(reason));
    }
  }

  async function connect(): Promise<Connected> {
    const redis = await connectRedis(options.redis, 'pyflow cluster coordinator');
    const store = new ValueStore(redis, { blobThreshold: options.blobThreshold ?? DEFAULT_BLOB_THRESHOLD, ...(options.blobs ? { blobs: options.blobs } : {}) });
    const queue = new Queue(queueName, { connection: redis });
    const eventsRedis = await connectRedis(options.redis, 'pyflow cluster events', { blocking: true });
    const events = new QueueEvents(queueName, { connection: eventsRedis });
    redis.on('end', () => failAll(`lost the connection to Redis at ${describeRedis(options.redis)} (it stopped answering)`));
    // Connection errors are reported through the calls they fail (above); BullMQ would print them otherwise.
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    events.on('completed', ({ jobId, returnvalue }) => {
      const call = pending.get(jobId);
      if (!call) return;
      pending.delete(jobId);
      call.resolve((typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as OpJobResult);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      const call = pending.get(jobId);
      if (!call) return;
      pending.delete(jobId);
      call.reject(Object.assign(new Error(failedReason), { jobId }));
    });
    await events.waitUntilReady();
    await cleanUpDeadRuns(redis, store, queue);
    await redis.multi().set(aliveKey(runId), Date.now(), 'PX', HEARTBEAT_TTL_MS).sadd(RUNS_KEY, runId).exec();
    const heartbeat = setInterval(() => {
      redis.set(aliveKey(runId), Date.now(), 'PX', HEARTBEAT_TTL_MS).catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    return { redis, eventsRedis, store, queue, events, heartbeat };
  }

  /** Uploads an argument (values the engine gives are data; handles of this cluster are passed by key). */
  async function argRef(c: Connected, value: unknown, key: string, uploads: string[]): Promise<ArgRef> {
    if (value instanceof ClusterValue) return { key: value.key };
    if (Array.isArray(value) && value.some((item) => item instanceof ClusterValue)) {
      return { items: await Promise.all(value.map((item, i) => argRef(c, item, `${key}.${i}`, uploads))) };
    }
    const bytes = serialize(value);
    if (bytes.length <= INLINE_ARG_BYTES) return { inline: bytes.toString('base64') };
    if (!(await c.store.write(runId, key, value))) throw new Error('the run was cleaned up (its heartbeat stopped)');
    uploads.push(key);
    return { key };
  }

  async function run(call: ExecutorCall): Promise<ExecutorResult> {
    const { op } = call;
    const target = modules.get(call.fn);
    if (!target) throw new PyflowError('OP_FAILED', `${describeOp(op)} is not a cluster function (make it with cluster.fn(module, name))`, op.uid, op.site);
    if (closed) throw new PyflowError('OP_FAILED', `${describeOp(op)} cannot run: the cluster executor is closed`, op.uid, op.site);
    const jobId = `${runId}.${++seq}`;
    const outputPrefix = `${runPrefix(runId)}value:${seq}:`;
    const uploads: string[] = [];
    let c: Connected;
    try {
      c = await (connecting ??= connect());
    } catch (error) {
      connecting = undefined;
      throw new PyflowError('OP_FAILED', `${describeOp(op)} could not run on the cluster: ${(error as Error).message}`, op.uid, op.site, { cause: error });
    }
    try {
      const args = await Promise.all(
        call.args.map((arg, i) =>
          argRef(c, arg, `${runPrefix(runId)}arg:${seq}:${i}`, uploads).catch((error: unknown) => {
            throw new PyflowError(
              'OP_FAILED',
              `${describeOp(op)} cannot be sent to the cluster: argument [${i}]: ${(error as Error).message}`,
              op.uid,
              op.site,
              {
                cause: error,
              },
            );
          }),
        ),
      );
      const data: OpJob = { run: runId, uid: op.uid, graph: op.graph, fnName: op.fnName, ...target, args, nOut: op.nOut, outputPrefix };
      const done = new Promise<OpJobResult>((resolve, reject) => {
        pending.set(jobId, { op, resolve, reject });
      });
      const abort = (): void => {
        pending.get(jobId)?.reject(new Error('the evaluation was given up'));
        pending.delete(jobId);
        void c.queue.remove(jobId).catch(() => undefined);
      };
      const stopListening = onAbort(call.signal, abort);
      try {
        await c.queue.add(op.fnName, data, { jobId, attempts: 1, removeOnComplete: true, removeOnFail: true });
        const result = await done;
        if ('abandoned' in result) throw new Error(`worker ${result.worker} found the run gone`);
        const values = result.outputs.map((out) => new ClusterValue(out.key, out.bytes));
        return { value: op.nOut === 1 ? values[0] : op.nOut === 0 ? undefined : values, worker: result.worker };
      } finally {
        stopListening();
      }
    } catch (error) {
      throw await opError(c, op, outputPrefix, error);
    } finally {
      pending.delete(jobId);
      for (const key of uploads) void c.store.delete(key).catch(() => undefined);
    }
  }

  /** The PyflowError a failed call rejects with: the op's own error when it threw, else what went wrong around it. */
  async function opError(c: Connected, op: ExecutorOp, outputPrefix: string, error: unknown): Promise<PyflowError> {
    if (error instanceof PyflowError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (message === OP_THREW) {
      const thrown = await c.store.read(`${outputPrefix}error`).catch((e: unknown) => e);
      void c.store.delete(`${outputPrefix}error`).catch(() => undefined);
      const text = thrown instanceof Error ? thrown.message : String(thrown);
      return new PyflowError('OP_FAILED', `${describeOp(op)} threw: ${text}`, op.uid, op.site, { cause: thrown });
    }
    return new PyflowError('OP_FAILED', `${describeOp(op)} failed on the cluster: ${message}`, op.uid, op.site, { cause: error });
  }

  const executor: ClusterExecutor = {
    name: 'cluster',
    runId,
    concurrency: options.concurrency ?? 64,
    fn<F extends (...args: never[]) => unknown>(module: URL | string, name: string): F {
      const file = module instanceof URL || module.startsWith('file:') ? fileURLToPath(module) : module;
      const rel = relative(root, file);
      if (rel.startsWith('..') || rel === '' || /^[a-zA-Z]:|^\//.test(rel)) {
        throw new PyflowError(
          'BAD_OPTION',
          `cluster.fn(${JSON.stringify(file)}, '${name}'): the module is outside the code root ${root} ` +
            '(workers run only modules under their --root); pass clusterExecutor({ root })',
        );
      }
      // It has a `return`: by pyflow's rule the op has one output unless `nOut` says otherwise.
      const stub = (): never => {
        return refuseDirectCall(name);
      };
      Object.defineProperty(stub, 'name', { value: name });
      modules.set(stub, { module: rel.split(sep).join('/'), export: name });
      return stub as unknown as F;
    },
    owns: (fn) => modules.has(fn),
    run,
    async resolve(value) {
      if (Array.isArray(value) && value.some((item) => item instanceof ClusterValue)) return Promise.all(value.map((item) => executor.resolve!(item)));
      if (!(value instanceof ClusterValue)) return value;
      const c = await (connecting ??= connect());
      return c.store.read(value.key);
    },
    release(value) {
      if (!(value instanceof ClusterValue) || !connecting) return;
      void connecting.then((c) => c.store.delete(value.key)).catch(() => undefined);
    },
    async close() {
      if (closed) return;
      closed = true;
      failAll('the cluster executor was closed');
      if (!connecting) return;
      const c = await connecting.catch(() => undefined);
      if (!c) return;
      clearInterval(c.heartbeat);
      try {
        // Redis may be gone: then there is nothing to delete now (the next coordinator cleans up after this run).
        if (c.redis.status === 'ready') {
          await cancelJobs(c.queue, runId);
          await c.store.deleteRun(runId);
        }
      } catch {
        // The same: cleaned up by the next coordinator, by run id.
      } finally {
        await c.events.close();
        await c.queue.close();
        c.redis.disconnect();
        c.eventsRedis.disconnect();
      }
    },
  };
  return executor;
}

/**
 * One listener per signal, whatever the number of calls in flight under it (the engine gives every call of an
 * evaluation the same signal; a listener each would pass Node's 10-listener warning).
 */
const abortHandlers = new WeakMap<AbortSignalLike, Set<() => void>>();
function onAbort(signal: AbortSignalLike, handler: () => void): () => void {
  let handlers = abortHandlers.get(signal);
  if (!handlers) {
    const set = new Set<() => void>();
    handlers = set;
    abortHandlers.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const h of [...set]) h();
      },
      { once: true },
    );
  }
  handlers.add(handler);
  return () => handlers.delete(handler);
}

function refuseDirectCall(name: string): never {
  throw new PyflowError(
    'BAD_ARGUMENT',
    `${name} runs on the cluster: add it to a GraphBuilder made with { executor: cluster } and evaluate it with getAsync()`,
  );
}

function describeOp(op: ExecutorOp): string {
  const site = op.site ? `${op.site.file}:${op.site.line}:${op.site.column}` : 'unknown location (call sites are captured when tracing)';
  return `${op.uid} (${op.fnName}, added at ${site})`;
}

/** Removes a run's jobs that no worker has taken yet (taken ones find the run gone and store nothing). */
async function cancelJobs(queue: Queue, run: string): Promise<void> {
  const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
  await Promise.all(jobs.filter((job) => (job.data as OpJob | undefined)?.run === run).map((job) => job.remove().catch(() => undefined)));
}

/** Cleans up after coordinators that died (their heartbeat expired): their queued jobs and stored values. */
export async function cleanUpDeadRuns(redis: Redis, store: ValueStore, queue: Queue): Promise<string[]> {
  const dead: string[] = [];
  for (const run of await redis.smembers(RUNS_KEY)) {
    if (await redis.exists(aliveKey(run))) continue;
    await cancelJobs(queue, run);
    await store.deleteRun(run);
    dead.push(run);
  }
  return dead;
}
