import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serialize } from 'node:v8';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PyflowError } from '../../core/index.js';
import type { Executor, ExecutorCall, ExecutorOp, ExecutorResult } from '../../core/index.js';
import { hashOfModule, onAbort, opFailure, opStub } from '../shared.js';
import { workerHost } from '../workerHost.js';
import { readJobEvents } from './jobEvents.js';
import { redisLibraries } from './libraries.js';
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
  /**
   * An op without a result this many milliseconds after it was queued fails, naming the op (its job is removed; a
   * worker already running it finishes and stores nothing). Default: no limit.
   */
  readonly jobTimeoutMs?: number;
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

/** For tests: `executor[GIVEN_UP_SIZE]()` is how many given-up jobs the coordinator still remembers. */
export const GIVEN_UP_SIZE = Symbol('pyflow.cluster.givenUpSize');

/** How often the run's heartbeat is renewed, and how long it lives without renewal (then the run counts as dead). */
const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TTL_MS = 10_000;

interface Connected {
  redis: Redis;
  /** Where job results are read (a blocking read: a connection of its own). */
  eventsRedis: Redis;
  store: ValueStore;
  queue: Queue;
  events: { stop(): void };
  heartbeat: NodeJS.Timeout;
}

/** What connect() opened so far, closed in reverse order when a later step fails. */
type Opened = (() => unknown)[];
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
  for (const [name, value] of [
    ['concurrency', options.concurrency],
    ['jobTimeoutMs', options.jobTimeoutMs],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new PyflowError('BAD_OPTION', `clusterExecutor: ${name} must be a whole number >= 1, got ${String(value)}`);
    }
  }
  const root = realPath(options.root ?? process.cwd());
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const runId = randomUUID();
  const modules = new WeakMap<(...args: never[]) => unknown, { module: string; export: string }>();
  /** Each function's module file, and its fingerprint once asked (see `fingerprint`). */
  const files = new WeakMap<(...args: never[]) => unknown, { given: string; real: string }>();
  const fingerprints = new WeakMap<(...args: never[]) => unknown, string | undefined>();
  const pending = new Map<string, Pending>();
  /** Jobs whose calls were given up (aborted, timed out) while they may still run: what they store is deleted. */
  const givenUp = new Set<string>();
  const host = workerHost();
  let seq = 0;
  let connecting: Promise<Connected> | undefined;
  /** What `connecting` resolved to. */
  let connected: Connected | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  /** Calls and reads in flight: under a runner, the connections keep the process alive only while there are some. */
  let busy = 0;

  /** Rejects every call in flight (Redis lost, executor closed). */
  function failAll(reason: string): void {
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new Error(reason));
    }
  }

  /** Whether the connections hold the process open (see WorkerHost.opened): only while something is in flight. */
  function holdProcess(c: Connected): void {
    if (!host) return;
    for (const client of [c.redis, c.eventsRedis]) {
      const socket = (client as unknown as { stream?: { ref?(): void; unref?(): void } }).stream;
      if (busy > 0) socket?.ref?.();
      else socket?.unref?.();
    }
  }

  /** Runs `work` counted as in flight (synchronously: between two calls the event loop must not find nothing held). */
  async function track<T>(work: () => Promise<T>): Promise<T> {
    if (busy++ === 0 && connected) holdProcess(connected);
    try {
      return await work();
    } finally {
      if (--busy === 0 && connected) holdProcess(connected);
    }
  }

  async function connect(): Promise<Connected> {
    const { bullmq } = await redisLibraries();
    const opened: Opened = [];
    try {
      const redis = await connectRedis(options.redis, 'pyflow cluster coordinator');
      opened.push(() => redis.disconnect());
      const eventsRedis = await connectRedis(options.redis, 'pyflow cluster events', { blocking: true });
      opened.push(() => eventsRedis.disconnect());
      // Either connection lost for good (its reconnection tries used up): no result can come any more.
      const lost = (): void => failAll(`lost the connection to Redis at ${describeRedis(options.redis)} (it stopped answering)`);
      redis.on('end', lost);
      eventsRedis.on('end', lost);
      const store = new ValueStore(redis, {
        blobThreshold: options.blobThreshold ?? DEFAULT_BLOB_THRESHOLD,
        ...(options.blobs ? { blobs: options.blobs } : {}),
      });
      const queue = new bullmq.Queue(queueName, { connection: redis });
      opened.push(() => queue.close());
      // Connection errors are reported through the calls they fail (above); BullMQ would print them otherwise.
      queue.on('error', () => undefined);
      const events = await readJobEvents(eventsRedis, queue.keys.events!, (event) => {
        const call = pending.get(event.jobId);
        if (event.event === 'completed') {
          const result = JSON.parse(event.returnvalue) as OpJobResult;
          if (!call) return deleteLate(event.jobId, result);
          pending.delete(event.jobId);
          call.resolve(result);
        } else {
          if (!call) return deleteLate(event.jobId, undefined);
          pending.delete(event.jobId);
          call.reject(Object.assign(new Error(event.failedReason), { jobId: event.jobId }));
        }
      });
      opened.push(() => events.stop());
      await cleanUpDeadRuns(redis, store, queue);
      await redis.multi().set(aliveKey(runId), Date.now(), 'PX', HEARTBEAT_TTL_MS).sadd(RUNS_KEY, runId).exec();
      const heartbeat = setInterval(() => {
        redis.set(aliveKey(runId), Date.now(), 'PX', HEARTBEAT_TTL_MS).catch(() => undefined);
      }, HEARTBEAT_MS);
      heartbeat.unref();
      const c = { redis, eventsRedis, store, queue, events, heartbeat };
      // A reconnected client has a new socket, which must follow the same rule.
      for (const client of [redis, eventsRedis]) client.on('connect', () => holdProcess(c));
      connected = c;
      return c;
    } catch (error) {
      for (const close of opened.reverse()) await Promise.resolve(close()).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Deletes what a job stored after its call was given up (aborted, timed out): its values or its error.
   */
  function deleteLate(jobId: string, result: OpJobResult | undefined): void {
    if (!givenUp.delete(jobId) || !connecting) return;
    const prefix = outputPrefixOf(jobId.slice(runId.length + 1));
    const keys = [`${prefix}error`, ...(result && 'outputs' in result ? result.outputs.map((out) => out.key) : [])];
    void connecting.then((c) => Promise.all(keys.filter((key) => key.startsWith(prefix)).map((key) => c.store.delete(key)))).catch(() => undefined);
  }

  const outputPrefixOf = (job: string): string => `${runPrefix(runId)}value:${job}:`;

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
    if (!target) throw opFailure(op, 'is not a cluster function (make it with cluster.fn(module, name))');
    if (closed) throw opFailure(op, 'cannot run: the cluster executor is closed');
    const job = String(++seq);
    const jobId = `${runId}.${job}`;
    const outputPrefix = outputPrefixOf(job);
    const uploads: string[] = [];
    let c: Connected;
    try {
      c = await (connecting ??= connect());
    } catch (error) {
      connecting = undefined;
      throw opFailure(op, `could not run on the cluster: ${(error as Error).message}`, error);
    }
    try {
      const args = await Promise.all(
        call.args.map((arg, i) =>
          argRef(c, arg, `${runPrefix(runId)}arg:${job}:${i}`, uploads).catch((error: unknown) => {
            throw opFailure(op, `cannot be sent to the cluster: argument [${i}]: ${(error as Error).message}`, error);
          }),
        ),
      );
      const data: OpJob = { run: runId, uid: op.uid, graph: op.graph, fnName: op.fnName, ...target, args, nOut: op.nOut, outputPrefix };
      const done = new Promise<OpJobResult>((resolve, reject) => {
        pending.set(jobId, { op, resolve, reject });
      });
      // It may be rejected (given up, closed, Redis lost) before the queue.add below returns and it is awaited.
      done.catch(() => undefined);
      const giveUp = (why: string): void => {
        givenUp.add(jobId);
        pending.get(jobId)?.reject(new Error(why));
        pending.delete(jobId);
        removeJob();
      };
      const removeJob = (): void => {
        // Removed before a worker took it: no event will come to take it out of givenUp.
        void c.queue
          .remove(jobId)
          .then((removed) => {
            if (removed) givenUp.delete(jobId);
          })
          .catch(() => undefined);
      };
      const stopListening = onAbort(call.signal, () => giveUp('the evaluation was given up'));
      const timer =
        options.jobTimeoutMs === undefined
          ? undefined
          : setTimeout(() => giveUp(`it had no result ${options.jobTimeoutMs} ms after it was queued (clusterExecutor jobTimeoutMs)`), options.jobTimeoutMs);
      try {
        // Given up while connecting or uploading: the listener above came too late to hear it.
        if (call.signal.aborted) throw new Error('the evaluation was given up');
        await c.queue.add(op.fnName, data, { jobId, attempts: 1, removeOnComplete: true, removeOnFail: true });
        // Given up while it was being added: the removal may have come first and found nothing.
        if (givenUp.has(jobId)) removeJob();
        const result = await done;
        if ('abandoned' in result) throw new Error(`worker ${result.worker} found the run gone`);
        if (call.signal.aborted) {
          // Finished as the evaluation was given up: no one will release these values.
          givenUp.add(jobId);
          deleteLate(jobId, result);
          throw new Error('the evaluation was given up');
        }
        const values = result.outputs.map((out) => new ClusterValue(out.key, out.bytes));
        return { value: op.nOut === 1 ? values[0] : op.nOut === 0 ? undefined : values, worker: result.worker };
      } finally {
        stopListening();
        clearTimeout(timer);
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
      return opFailure(op, `threw: ${text}`, thrown);
    }
    return opFailure(op, `failed on the cluster: ${message}`, error);
  }

  /** Cancels the run's queued jobs, deletes its values, and disconnects (once, whoever asks: the script or the runner). */
  function closeNow(): Promise<void> {
    closing ??= (async () => {
      closed = true;
      failAll('the cluster executor was closed');
      if (!connecting) return;
      const c = await connecting.catch(() => undefined);
      if (!c) return;
      clearInterval(c.heartbeat);
      // Closing is work in flight too: the process waits for it.
      busy++;
      holdProcess(c);
      try {
        // Redis may be gone: then there is nothing to delete now (the next coordinator cleans up after this run).
        if (c.redis.status === 'ready') {
          await cancelJobs(c.queue, runId);
          await c.store.deleteRun(runId);
        }
      } catch {
        // The same: cleaned up by the next coordinator, by run id.
      } finally {
        c.events.stop();
        await c.queue.close().catch(() => undefined);
        c.redis.disconnect();
        c.eventsRedis.disconnect();
      }
    })();
    return closing;
  }

  const executor: ClusterExecutor = {
    name: 'cluster',
    runId,
    concurrency: options.concurrency ?? 64,
    fn<F extends (...args: never[]) => unknown>(module: URL | string, name: string): F {
      const given = module instanceof URL || module.startsWith('file:') ? fileURLToPath(module) : resolve(module);
      const file = realPath(given);
      const rel = relative(root, file);
      if (rel.startsWith('..') || rel === '' || isAbsolute(rel)) {
        throw new PyflowError(
          'BAD_OPTION',
          `cluster.fn(${JSON.stringify(file)}, '${name}'): the module is outside the code root ${root} ` +
            '(workers run only modules under their --root); pass clusterExecutor({ root })',
        );
      }
      const stub = opStub(name, 'on the cluster', 'cluster');
      modules.set(stub, { module: rel.split(sep).join('/'), export: name });
      files.set(stub, { given: pathToFileURL(given).href, real: pathToFileURL(file).href });
      return stub as F;
    },
    owns: (fn) => modules.has(fn),
    fingerprint(fn) {
      const target = modules.get(fn);
      if (!target) return undefined;
      if (!fingerprints.has(fn)) {
        // The code as the coordinator has it: workers run their copy of the same code root.
        // The runner knows a module by the URL the script named it with (links unresolved), the workers by its real path.
        const { given, real } = files.get(fn)!;
        const code = host?.moduleFingerprint?.(given) ?? host?.moduleFingerprint?.(real) ?? hashOfModule(real);
        fingerprints.set(fn, code === undefined ? undefined : `${target.module}#${target.export} ${code}`);
      }
      return fingerprints.get(fn);
    },
    run: (call) => track(() => run(call)),
    resolve(value) {
      if (Array.isArray(value) && value.some((item) => item instanceof ClusterValue)) return Promise.all(value.map((item) => executor.resolve!(item)));
      if (!(value instanceof ClusterValue)) return Promise.resolve(value);
      return track(async () => (await (connecting ??= connect())).store.read(value.key));
    },
    release(value) {
      if (!(value instanceof ClusterValue) || !connecting) return;
      void connecting.then((c) => c.store.delete(value.key)).catch(() => undefined);
    },
    close: () => host?.close(closeNow) ?? closeNow(),
  };
  Object.defineProperty(executor, GIVEN_UP_SIZE, { value: () => givenUp.size });
  host?.opened?.(closeNow);
  return executor;
}

/** A path with its links resolved (the code root and the modules under it are compared as the workers see them). */
function realPath(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
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
