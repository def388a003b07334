import type { CallSite } from './trace.js';

/*
 * Where an op's function runs. The engine decides what runs and when and applies pyflow's activation, keep and release
 * rules; an executor only runs calls. Ops whose function no executor owns run inline, in the calling thread.
 *
 * Planned executors: `workerPool` (worker threads), `clusterExecutor` (processes on other machines, through Redis).
 * A result cache is not an executor: it is asked by the engine before a call is made (see `ResultCache`).
 */

/** The op a call is made for, as errors and traces name it. */
export interface ExecutorOp {
  readonly uid: string;
  /** The graph's alias (trace events carry it). */
  readonly graph: string;
  readonly fnName: string;
  /** Where the op was added, when call sites are captured. */
  readonly site: CallSite | undefined;
  /** How many outputs the engine expects (0: output-less; above 1: the value must be an array of that many). */
  readonly nOut: number;
}

/** One call of an op's function that the engine hands to an {@link Executor}. */
export interface ExecutorCall {
  /** The op being run. */
  readonly op: ExecutorOp;
  /** The function given to `add`: one this executor owns (see `owns`). */
  readonly fn: (...args: never[]) => unknown;
  /** The arguments, rebuilt from the parents' values as an inline call gets them. */
  readonly args: readonly unknown[];
  /**
   * The parents' values that no one will read after this call (the engine releases them once it finishes): buffers
   * they hold may be moved (transferred) to the worker instead of copied. Every other value must be left intact.
   */
  readonly movable: readonly unknown[];
  /**
   * Aborted when no evaluation waits for the call any more: each that needed it was given up (another op failed, the
   * run was stopped). A call two evaluations share goes on while one of them still waits. A standard AbortSignal.
   */
  readonly signal: AbortSignalLike;
}

/**
 * The part of the standard `AbortSignal` an executor may use (the object is a real AbortSignal; declared here because the
 * core's declarations use neither DOM nor Node typings: cast it where an API wants the global type).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `listener` when the signal aborts. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  /** Stops calling `listener`. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What an {@link Executor} gives back for one call. */
export interface ExecutorResult {
  /** The function's return value (or a handle the executor can `resolve`, see there). */
  readonly value: unknown;
  /** Who ran it (`thread 2`, `worker host-a:3`): trace events of the op carry it. */
  readonly worker: string;
}

/** Runs op calls somewhere other than inline (worker threads, a cluster); the engine decides what runs when. */
export interface Executor {
  /** Shown in traces and errors: `threads`, `cluster`. */
  readonly name: string;
  /** How many calls it runs at once: the engine never has more than this in flight on it. */
  readonly concurrency: number;
  /** Whether `fn` is one of this executor's functions (made by its `fn()`). */
  owns(fn: (...args: never[]) => unknown): boolean;
  /**
   * A fingerprint of the code one of its functions runs (`fn` is only a stand-in: its text says nothing of it), e.g. its
   * module's URL, the export's name and a hash of the module's code; it goes into the op's result-cache key
   * (`CacheOp.executorCode`). Must change whenever the code that runs may have. Absent, or undefined: the ops on it are
   * not cached, nor anything computed from them.
   */
  fingerprint?(fn: (...args: never[]) => unknown): string | undefined;
  /**
   * Runs one call. Rejects with a PyflowError naming the op (`cause`: the original error) when the function throws,
   * its worker dies, or a value cannot cross; never hangs on a dead worker.
   */
  run(call: ExecutorCall): Promise<ExecutorResult>;
  /**
   * For executors that leave values where they were made (a cluster's store): the value behind a handle `run`
   * returned, when an inline op or a target needs it. Absent: `run` returns values themselves.
   */
  resolve?(value: unknown): Promise<unknown>;
  /** Told when the engine releases a value this executor returned (it may delete it from its store). */
  release?(value: unknown): void;
  /** Ends every thread, process or connection it holds; calls in flight reject. */
  close(): Promise<void>;
}

/** What a cross-run result cache knows of an op (see `ResultCache`). */
export interface CacheOp extends ExecutorOp {
  /** The function given to `add`. */
  readonly fn: (...args: never[]) => unknown;
  /** The `add` options that can change the value (not styling). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * For an op an executor runs: the executor's fingerprint of the code that runs (`fn` is then its stand-in; see
   * `Executor.fingerprint`). A key must cover it. Undefined for inline ops.
   */
  readonly executorCode?: string | undefined;
}

/**
 * A cross-run store of op results, asked by the engine before a call is made and told after. Keys chain: an op's key
 * is made of its code, its options and its inputs' keys (raw inputs: their content), so a large value is never hashed
 * again downstream, and keys are known before any value is: an evaluation whose target is stored reads that result
 * alone. Synchronous, so that `get()` can use it.
 */
export interface ResultCache {
  /** The key of a raw input, from its content; undefined: it cannot be keyed (nothing downstream is cached). */
  keyOfValue(value: unknown): string | undefined;
  /** The key of an op's result; undefined: not cached (a parent has no key, the op opted out). */
  keyOfOp(op: CacheOp, inputKeys: readonly string[]): string | undefined;
  /**
   * Whether a result is stored under `key`, without reading it: asked while activating, so that the inputs of an op whose
   * result is stored are neither computed nor read. Cheap; `read` may still miss later (an entry found corrupt, or
   * evicted meanwhile): the op's inputs are then computed after all.
   */
  has(key: string): boolean;
  /** The stored result, or undefined (a miss; a corrupt entry is a miss too). */
  read(key: string, op: CacheOp): { readonly value: unknown } | undefined;
  /** Stores a result (values that cannot be serialized are skipped, with a diagnostic naming the op). */
  write(key: string, op: CacheOp, value: unknown): void;
}
