import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import * as workerThreads from 'node:worker_threads';
import Piscina from 'piscina';
import { PyflowError } from '../../core/errors.js';
import type { AbortSignalLike, Executor, ExecutorCall, ExecutorOp, ExecutorResult } from '../../core/executor.js';
import { hashOfModule, opFailure as failure, opStub } from '../shared.js';
import { workerHost as host } from '../workerHost.js';
import { buffersIn, findUncrossable } from './crossing.js';
import type { WorkerOutcome, WorkerTask } from './poolWorker.js';

/** A module the pool's threads import: a file URL (`new URL('./ops.ts', import.meta.url)`) or an absolute path. */
export type ModuleRef = string | { readonly href: string };

/** Heap limits of each worker thread (Node's `resourceLimits`): an op that exceeds them fails, its thread replaced. */
export interface WorkerLimits {
  readonly maxOldGenerationSizeMb?: number;
  readonly maxYoungGenerationSizeMb?: number;
  readonly codeRangeSizeMb?: number;
  readonly stackSizeMb?: number;
}

/** Options of `workerPool(options)`. */
export interface WorkerPoolOptions {
  /** How many worker threads, and so how many ops run at once (default: the machine's parallelism). */
  readonly threads?: number;
  readonly resourceLimits?: WorkerLimits;
}

/** An `Executor` that runs ops on worker threads; its `fn()` makes the functions it runs. */
export interface WorkerPool extends Executor {
  /**
   * The function `exportName` of `module`, to give to `G.add`: a graph whose `executor` is this pool runs it on a
   * worker thread. Its `name` is `exportName` (uids read `heavy_0`, `heavy_3`). Type it as the export:
   * `pool.fn<typeof import('./ops.js').heavy>(new URL('./ops.ts', import.meta.url), 'heavy')`.
   * @typeParam F - The export's function type (what `G.add` sees).
   */
  fn<F extends (...args: never[]) => unknown = (...args: unknown[]) => unknown>(module: ModuleRef, exportName: string): F;
}

interface PoolFunction {
  readonly href: string;
  readonly exportName: string;
}

/** The worker entry beside this file: poolWorker.ts from the sources (under tsx), poolWorker.mjs in dist/lib. */
const WORKER_ENTRY = join(dirname(__filename), __filename.endsWith('.ts') ? 'poolWorker.ts' : 'poolWorker.mjs');

/** Starts the pool's threads; `close()` ends them. */
export function workerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new PyflowError('BAD_OPTION', `workerPool: threads must be a whole number of at least 1 (got ${String(options.threads)})`);
  }
  return new PiscinaPool(threads, options.resourceLimits);
}

class PiscinaPool implements WorkerPool {
  readonly name = 'threads';
  private readonly piscina: Piscina;
  private readonly functions = new WeakMap<(...args: never[]) => unknown, PoolFunction>();
  private readonly loadable = new Map<string, Promise<string>>();
  private readonly fingerprints = new WeakMap<(...args: never[]) => unknown, string | undefined>();
  /** Set by `close()`; `isClosed` once the threads are being ended (a runner may hold the close back, see WorkerHost). */
  private closing: Promise<void> | undefined;
  private isClosed = false;
  private destroyed: Promise<void> | undefined;

  constructor(
    readonly concurrency: number,
    resourceLimits: WorkerLimits | undefined,
  ) {
    this.piscina = new Piscina({
      filename: WORKER_ENTRY,
      minThreads: concurrency,
      maxThreads: concurrency,
      concurrentTasksPerWorker: 1,
      idleTimeout: Infinity,
      ...(resourceLimits ? { resourceLimits } : {}),
    });
    // A thread that dies fails its op (see `run`); the pool's own 'error' event would otherwise crash the process.
    this.piscina.on('error', () => undefined);
    host()?.opened?.(this.closeThreads);
  }

  fn<F extends (...args: never[]) => unknown>(module: ModuleRef, exportName: string): F {
    const href = moduleHref(module);
    const stub = opStub(exportName, 'on worker threads', 'pool');
    this.functions.set(stub, { href, exportName });
    return stub as unknown as F;
  }

  owns(fn: (...args: never[]) => unknown): boolean {
    return this.functions.has(fn);
  }

  /**
   * The module's URL, the export's name and a hash of the module's code (the runner's, which covers its imports, else
   * the module file's own), read once per function `fn()` made; undefined when the module cannot be read (not cached).
   */
  fingerprint(fn: (...args: never[]) => unknown): string | undefined {
    const target = this.functions.get(fn);
    if (target === undefined) return undefined;
    if (!this.fingerprints.has(fn)) {
      const code = host()?.moduleFingerprint?.(target.href) ?? hashOfModule(target.href);
      this.fingerprints.set(fn, code === undefined ? undefined : `${target.href}#${target.exportName} ${code}`);
    }
    return this.fingerprints.get(fn);
  }

  async run(call: ExecutorCall): Promise<ExecutorResult> {
    const { op } = call;
    const target = this.functions.get(call.fn);
    if (target === undefined) throw failure(op, 'is not a function of this worker pool (make it with pool.fn)');
    if (this.isClosed) throw failure(op, 'cannot run: its worker pool is closed');
    const why = findUncrossable(call.args, 'its arguments');
    if (why !== undefined) throw failure(op, `cannot be sent to a worker thread: ${why.replace('its arguments[', 'argument [')}`);
    const task: WorkerTask = { module: await this.loadableModule(target.href, op), exportName: target.exportName, args: call.args };
    let outcome: WorkerOutcome;
    try {
      outcome = (await this.piscina.run(task, { transferList: movableBuffers(call), signal: call.signal as AbortSignal })) as WorkerOutcome;
    } catch (error) {
      throw failure(op, describeDeath(error, call.signal, this.isClosed), error);
    }
    if (outcome.ok) return { value: outcome.value, worker: `thread ${outcome.thread}` };
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    if (outcome.stage === 'call') throw failure(op, `threw: ${message}`, outcome.error);
    if (outcome.stage === 'load') throw failure(op, `could not be loaded in a worker thread: ${message}`, outcome.error);
    throw failure(op, `returned a value that cannot be sent back from its worker thread: ${message.replace('the returned value', 'it')}`, outcome.error);
  }

  close(): Promise<void> {
    this.closing ??= host()?.close(this.closeThreads) ?? this.closeThreads();
    return this.closing;
  }

  /** Ends the threads (once, whoever asks: the script or the runner). */
  private readonly closeThreads = (): Promise<void> => {
    this.isClosed = true;
    this.destroyed ??= this.piscina.destroy();
    return this.destroyed;
  };

  /** The URL threads import for `href`: the runner's bundle of it when a runner hook is installed. */
  private loadableModule(href: string, op: ExecutorOp): Promise<string> {
    const runner = host();
    if (runner === undefined) return Promise.resolve(href);
    let url = this.loadable.get(href);
    if (url === undefined) {
      url = runner.moduleUrl(href);
      this.loadable.set(href, url);
    }
    return url.catch((error: unknown) => {
      throw failure(op, `could not be bundled for worker threads: ${error instanceof Error ? error.message : String(error)}`, error);
    });
  }
}

/** A URL as it is; a path (`C:\\…` included) as its file URL. */
function moduleHref(module: ModuleRef): string {
  if (typeof module !== 'string') return module.href;
  const isUrl = /^[a-z][a-z0-9+.-]+:/i.test(module) && !/^[a-z]:[\\/]/i.test(module);
  return isUrl ? module : pathToFileURL(resolve(module)).href;
}

function describeDeath(error: unknown, signal: AbortSignalLike, closing: boolean): string {
  if (closing) return 'was stopped: its worker pool was closed';
  if (signal.aborted) return 'was stopped: the evaluation was given up';
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'ran out of memory in its worker thread (the thread was replaced)';
  const message = error instanceof Error ? error.message : String(error);
  return `lost its worker thread (${message}; the thread was replaced)`;
}

/**
 * The buffers of the values no one reads after this call, less any that the rest of the arguments still reach: they
 * move to the worker (their views here become empty) instead of being copied.
 */
function movableBuffers(call: ExecutorCall): ArrayBuffer[] {
  if (call.movable.length === 0) return [];
  const kept = buffersIn(call.args, new Set(), new Set(call.movable.filter(isObject)));
  return [...buffersIn(call.movable)].filter((buffer) => !kept.has(buffer) && isTransferable(buffer));
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Node's pooled Buffer memory is marked untransferable (Node 20 copies it silently, later versions throw). */
function isTransferable(buffer: ArrayBuffer): boolean {
  const isMarked = (workerThreads as { isMarkedAsUntransferable?: (value: object) => boolean }).isMarkedAsUntransferable;
  return isMarked === undefined || !isMarked(buffer);
}
