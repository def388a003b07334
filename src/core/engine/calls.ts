import type { OperationNode } from '../nodes.js';
import { PyflowError } from '../errors.js';
import type { AbortSignalLike, Executor } from '../executor.js';
import { argumentsOf, beginCall, fail, finishOp, inFlight, invoke, isThenable, opFailure } from './call.js';
import { movableValues } from './release.js';
import { executorFailure, executorOpOf, freeSlot, takeSlot } from './executors.js';

/*
 * The calls getAsync() evaluations have in flight: an op whose function returned a promise, or one dispatched to an
 * executor. One registry for the process: evaluations running at once (two getAsync() of one graph) share a call (an
 * op is called once, not once per evaluation), and a synchronous evaluation that needs an op in flight fails instead of
 * calling it again.
 */

/**
 * An op's call in flight, shared by every evaluation in the process that needs the op meanwhile (two getAsync() at once
 * whose targets share an input fetch it once): the first of them to see it settle finishes the op (stores its outputs
 * and reports `finished`) or fails with its error; the others find it done, or fail with the same error.
 */
export class Call {
  /** Resolves once the op's promise has settled (never rejects). */
  settled: Promise<void> | undefined = undefined;
  outcome: { ok: boolean; value: unknown } | undefined = undefined;
  done = false;
  /** Set when the op's promise rejected, or finishing the op threw (a release hook, say): each waiting evaluation fails with it. */
  failed = false;
  error: unknown = undefined;
  /**
   * The calls that code running inside this one started or waits for (its function awaits an evaluation): a wait that
   * would close a loop of these is a `CYCLE` (see `waitCycle`).
   */
  waitsOn: Call[] | undefined = undefined;
  /** The executor the call was dispatched to (undefined: the op's own function returned a promise), and its worker. */
  executor: Executor | undefined = undefined;
  worker = '';
  /** Aborts an executor's call: when the last evaluation waiting for it gives up (`waiters` back to 0, see `giveUp`). */
  stop: AbortController | undefined = undefined;
  /** How many evaluations wait for the call: the one that started it, and each that found it in flight. */
  waiters = 1;
  constructor(
    readonly op: OperationNode,
    /** When `running` was reported (see `beginCall`): `finished` gets its duration from it. */
    readonly started: number,
  ) {}
}

export const calls = new Map<OperationNode, Call>();
const SETTLED = { ok: true, value: undefined };

/**
 * Which calls the running code runs inside, across awaits, innermost first: an async op's function that awaits and then
 * evaluates something needing the op itself would wait for its own call for ever (`CYCLE` instead). Node's
 * AsyncLocalStorage where there is one (the core needs no Node API: elsewhere that case hangs). Only functions that
 * can await are called inside it (async functions, and those that returned a promise before): entering it costs more
 * than a trivial op.
 */
interface CallerChain {
  readonly call: Call;
  readonly outer: CallerChain | undefined;
}
interface ContextStore {
  run<R>(store: CallerChain, fn: () => R): R;
  getStore(): CallerChain | undefined;
}
const callers: ContextStore | undefined = (() => {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const hooks = typeof getBuiltin === 'function' ? (getBuiltin('node:async_hooks') as { AsyncLocalStorage?: new () => ContextStore } | undefined) : undefined;
  return hooks?.AsyncLocalStorage ? new hooks.AsyncLocalStorage() : undefined;
})();
const AsyncFunction = (async () => undefined).constructor;
/** Plain functions seen returning a promise: called inside `callers` from then on. */
const promiseFunctions = new WeakSet<object>();

/** Calls the op inline: finished at once when its function returned a plain value (undefined), else its Call in flight. */
export function callAsync(op: OperationNode): Call | undefined {
  const fn = op._fn;
  const started = beginCall(op);
  const tracked = callers !== undefined && (fn instanceof AsyncFunction || promiseFunctions.has(fn));
  // Made before the call when the call runs inside `callers` (the chain holds it), else only for a promise.
  const call = tracked ? new Call(op, started) : undefined;
  const result = call !== undefined ? callers!.run({ call, outer: callers!.getStore() }, () => invoke(op)) : invoke(op);
  if (!isThenable(result)) {
    finishOp(op, started, result);
    return undefined;
  }
  promiseFunctions.add(fn);
  const c = call ?? new Call(op, started);
  // (A settled call waits for nothing: its edges go, so that what they hold can be collected.)
  c.settled = Promise.resolve(result).then(
    (value) => {
      c.outcome = { ok: true, value };
      c.waitsOn = undefined;
    },
    (value: unknown) => {
      c.outcome = { ok: false, value };
      c.waitsOn = undefined;
    },
  );
  calls.set(op, c);
  recordWait(c);
  return c;
}

/** The standard AbortController (the core's declarations use neither DOM nor Node typings). */
export interface AbortController {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}
const AbortControllerClass = (globalThis as unknown as { AbortController: new () => AbortController }).AbortController;

/**
 * Dispatches an op its graph's executor owns: `running` now, the call in flight until the executor's promise settles (a
 * rejection, or a throw from `run`, fails the op as an inline throw does). The call has its own abort signal, aborted
 * only when no evaluation waits for it any more (see `giveUp`).
 */
export function dispatch(op: OperationNode, executor: Executor): Call {
  const call = new Call(op, beginCall(op));
  call.executor = executor;
  const stop = new AbortControllerClass();
  call.stop = stop;
  let running: Promise<{ value: unknown; worker: string }>;
  try {
    running = executor.run({ op: executorOpOf(op), fn: op._fn, args: argumentsOf(op), movable: movableValues(op), signal: stop.signal });
  } catch (error) {
    // `run` threw instead of rejecting: the executor's failure, not the function's.
    running = Promise.reject(executorFailure(op, executor, 'could not be run on', error));
  }
  takeSlot(executor);
  call.settled = Promise.resolve(running)
    .then(
      (result) => {
        call.outcome = { ok: true, value: result.value };
        call.worker = result.worker;
      },
      (error: unknown) => {
        call.outcome = { ok: false, value: error };
      },
    )
    .finally(() => freeSlot(executor));
  calls.set(op, call);
  recordWait(call);
  return call;
}

/**
 * An evaluation that gives up no longer waits for the call: the executor's call is aborted when no other evaluation
 * waits for it. Returns the call's settling when it was aborted (to await), else undefined.
 */
export function stopWaiting(call: Call, reason: unknown): Promise<void> | undefined {
  if (--call.waiters > 0 || call.stop === undefined) return undefined;
  call.stop.abort(reason);
  return call.settled;
}

export function forget(call: Call): void {
  const op = call.op;
  if (calls.get(op) === call) calls.delete(op);
}

/** Whether the running code runs inside the op's call in flight, or one that waits for it (see `waitCycle`). */
function insideCall(op: OperationNode): boolean {
  const running = calls.get(op);
  return running !== undefined && waitCycle(running);
}

/** Whether waiting for `target` from here would close a loop: it runs us, or waits (through other calls) for a call that does. */
export function waitCycle(target: Call): boolean {
  const chain = callers?.getStore();
  if (chain === undefined) return false;
  const seen = new Set<Call>();
  const stack = [target];
  while (stack.length > 0) {
    const call = stack.pop()!;
    // A settled call blocks nobody (a job started inside a call keeps its context after the call is over).
    if (call.outcome !== undefined || seen.has(call)) continue;
    seen.add(call);
    for (let c: CallerChain | undefined = chain; c !== undefined; c = c.outer) if (c.call === call) return true;
    if (call.waitsOn !== undefined) stack.push(...call.waitsOn);
  }
  return false;
}

/** Records that the innermost call still running around this code waits for `target`. */
export function recordWait(target: Call): void {
  for (let c = callers?.getStore(); c !== undefined; c = c.outer) {
    if (c.call.outcome === undefined) {
      const waits = (c.call.waitsOn ??= []);
      // An op's function that evaluates again and again while it runs: the calls that settled meanwhile are dropped
      // (every time the list doubles, so each entry is looked at a bounded number of times).
      if (waits.length >= 16 && (waits.length & (waits.length - 1)) === 0) {
        c.call.waitsOn = waits.filter((w) => w.outcome === undefined);
      }
      c.call.waitsOn!.push(target);
      return;
    }
  }
}

/** Finishes a settled call (once, for whichever evaluation comes first), or throws its error. */
export function endCall(call: Call): void {
  const op = call.op;
  forget(call);
  if (!call.done) {
    call.done = true;
    const outcome = call.outcome!;
    // The value is in the op's outputs now: the call no longer holds it (code started inside the call may keep the
    // call itself as long as it runs: a timer, say).
    call.outcome = outcome.ok ? SETTLED : outcome;
    try {
      if (!outcome.ok) throw fail(op, callFailure(call, outcome.value));
      finishOp(op, call.started, outcome.value, call.executor === undefined ? undefined : { executor: call.executor, worker: call.worker });
    } catch (error) {
      call.failed = true;
      call.error = error;
    }
  }
  if (call.failed) throw call.error;
}

/**
 * How a call's rejection fails its op: an inline promise's, or an executor's that passed the function's error through,
 * as an inline throw (OP_FAILED); a PyflowError that names the op, as it is; a PyflowError about something else (a
 * module the executor cannot load, say, reported without the op), as the executor's failure naming the op.
 */
function callFailure(call: Call, error: unknown): PyflowError {
  const op = call.op;
  if (call.executor !== undefined && error instanceof PyflowError && error.uid !== op.uid) {
    return executorFailure(op, call.executor, 'failed on', error);
  }
  return opFailure(op, error);
}

/**
 * A call this evaluation waits for: its own, or another's (`shared`). Each is awaited through `promise`, which
 * resolves to the entry itself.
 */
export interface InFlight {
  readonly call: Call;
  readonly shared: boolean;
  readonly promise: Promise<InFlight>;
}

export function waitFor(call: Call, shared: boolean): InFlight {
  const entry: InFlight = { call, shared, promise: call.settled!.then(() => entry) };
  return entry;
}

inFlight.has = (op) => calls.size > 0 && calls.has(op);
inFlight.inside = insideCall;
