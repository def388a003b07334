import { DataNode as DataNodeClass, TARGET, isNoValue, type DataNode, type OperationNode } from './nodes.js';
import type { GraphBuilder } from './graphBuilder.js';
import { currentHost } from './trace.js';
import {
  EvalContext, abort, activate, argumentsOf, beginCompute, disturb, holdTargets, movableValues, newContext, callOp, cycleError, fail, finishOp, firstOp,
  isThenable, opFailure, releasedAgainError, resultOf, runCached, setAsyncCalls,
  type Frame, type Target,
} from './evaluator.js';
import type { AbortSignalLike, Executor } from './executor.js';
import { executorOf, executorOpOf, freeSlot, hasSlot, holdsHandles, resolveHandle, slotFreed, takeSlot } from './engine/executors.js';

/*
 * The asynchronous evaluator: the same order as the synchronous one (with a frame per waiting op) while ops return plain
 * values, so a synchronous graph prints the same trace under getAsync(). When an op returns a promise
 * its frame is set aside as in flight and the walk goes on with the next parent that is still missing, so
 * independent ops run concurrently (at most `concurrency` promises at once). A frame whose remaining
 * parents are all in flight waits in `blocked` and is resumed when one of them settles. Evaluations running at once
 * (two getAsync() of one graph) share the calls in flight (`calls`): an op is called once, not once per evaluation.
 */

function newFrame(op: OperationNode): Frame {
  return { op, next: 0, started: 0, recomputed: false };
}

/** The first parent (in argument order) that must be computed before the op can run. */
function nextMissingParent(frame: Frame): DataNode | undefined {
  const parents = frame.op._parents;
  const from = frame.next;
  while (frame.next < parents.length) {
    const parent = parents[frame.next]!;
    if (isNoValue(parent._value)) return parent;
    frame.next++;
  }
  // The parents before `from` had their values, but an op's function may have released one since: computed again,
  // once (as the synchronous evaluator does).
  for (let i = 0; i < from; i++) {
    if (isNoValue(parents[i]!._value)) {
      if (frame.recomputed) throw fail(frame.op, releasedAgainError(parents[i]!, frame.op));
      frame.recomputed = true;
      frame.next = i;
      return parents[i];
    }
  }
  return undefined;
}

/**
 * An op's call in flight, shared by every evaluation in the process that needs the op meanwhile (two getAsync() at once
 * whose targets share an input fetch it once): the first of them to see it settle finishes the op (stores its outputs
 * and reports `finished`) or fails with its error; the others find it done, or fail with the same error.
 */
class Call {
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
  constructor(
    /** The frame the op was called with: `finishOp` runs with it (its start time gives `finished` its duration). */
    readonly frame: Frame,
  ) {}
}

const calls = new Map<OperationNode, Call>();
const SETTLED = { ok: true, value: undefined };

/**
 * Which calls the running code runs inside, across awaits, innermost first: an async op's function that awaits and then
 * evaluates something needing the op itself would wait for its own call for ever (`CYCLE` instead). Node's
 * AsyncLocalStorage where there is one (the core needs no Node API: elsewhere that case hangs). Only functions that
 * can await are called inside it (async functions, and those that returned a promise before): entering it costs more
 * than a trivial op.
 */
interface CallerChain { readonly call: Call; readonly outer: CallerChain | undefined }
interface ContextStore { run<R>(store: CallerChain, fn: () => R): R; getStore(): CallerChain | undefined }
const callers: ContextStore | undefined = (() => {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const hooks = typeof getBuiltin === 'function' ? getBuiltin('node:async_hooks') as { AsyncLocalStorage?: new () => ContextStore } | undefined : undefined;
  return hooks?.AsyncLocalStorage ? new hooks.AsyncLocalStorage() : undefined;
})();
const AsyncFunction = (async () => undefined).constructor;
/** Plain functions seen returning a promise: called inside `callers` from then on. */
const promiseFunctions = new WeakSet<object>();

/** Calls the op: its result, or its Call when the function returned a promise. */
function callAsync(frame: Frame): unknown {
  const fn = frame.op._fn;
  const tracked = callers !== undefined && (fn instanceof AsyncFunction || promiseFunctions.has(fn));
  // Made before the call when the call runs inside `callers` (the chain holds it), else only for a promise.
  const call = tracked ? new Call(frame) : undefined;
  const result = call !== undefined ? callers!.run({ call, outer: callers!.getStore() }, () => callOp(frame)) : callOp(frame);
  if (!isThenable(result)) return result;
  promiseFunctions.add(fn);
  const c = call ?? new Call(frame);
  // (A settled call waits for nothing: its edges go, so that what they hold can be collected.)
  c.settled = Promise.resolve(result).then(
    (value) => { c.outcome = { ok: true, value }; c.waitsOn = undefined; },
    (value: unknown) => { c.outcome = { ok: false, value }; c.waitsOn = undefined; },
  );
  calls.set(frame.op, c);
  setAsyncCalls(calls, insideCall);
  recordWait(c);
  return c;
}

/**
 * Dispatches an op its graph's executor owns: `running` now, the call in flight until the executor's promise settles (a
 * rejection, or a throw from `run`, fails the op as an inline throw does).
 */
function dispatch(frame: Frame, executor: Executor, signal: AbortSignalLike): Call {
  const op = frame.op;
  const emit = op._graph._emit;
  if (emit !== undefined) {
    emit({ kind: 'running', uid: op.uid, graph: op._graph.alias });
    frame.started = clock.now();
  }
  const call = new Call(frame);
  call.executor = executor;
  let running: Promise<{ value: unknown; worker: string }>;
  try {
    running = executor.run({ op: executorOpOf(op), fn: op._fn, args: argumentsOf(op), movable: movableValues(op), signal });
  } catch (error) {
    running = Promise.reject(error);
  }
  takeSlot(executor);
  call.settled = Promise.resolve(running).then(
    (result) => { call.outcome = { ok: true, value: result.value }; call.worker = result.worker; },
    (error: unknown) => { call.outcome = { ok: false, value: error }; },
  ).finally(() => freeSlot(executor));
  calls.set(op, call);
  setAsyncCalls(calls, insideCall);
  recordWait(call);
  return call;
}

/** The standard AbortController (the core's declarations use neither DOM nor Node typings). */
interface AbortController { readonly signal: AbortSignalLike; abort(reason?: unknown): void }
const AbortControllerClass = (globalThis as unknown as { AbortController: new () => AbortController }).AbortController;

/** The clock of `finished.durationMs` (as the evaluator's). */
const clock: { now(): number } = (globalThis as { performance?: { now(): number } }).performance ?? Date;

function forget(call: Call): void {
  const op = call.frame.op;
  if (calls.get(op) === call) {
    calls.delete(op);
    setAsyncCalls(calls, insideCall);
  }
}

/** Whether the running code runs inside the op's call in flight, or one that waits for it (see `waitCycle`). */
function insideCall(op: OperationNode): boolean {
  const running = calls.get(op);
  return running !== undefined && waitCycle(running);
}

/** Whether waiting for `target` from here would close a loop: it runs us, or waits (through other calls) for a call that does. */
function waitCycle(target: Call): boolean {
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
function recordWait(target: Call): void {
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
function endCall(call: Call): void {
  const op = call.frame.op;
  forget(call);
  if (!call.done) {
    call.done = true;
    const outcome = call.outcome!;
    // The value is in the op's outputs now: the call no longer holds it (code started inside the call may keep the
    // call itself as long as it runs: a timer, say).
    call.outcome = outcome.ok ? SETTLED : outcome;
    try {
      if (!outcome.ok) throw fail(op, opFailure(op, outcome.value));
      finishOp(call.frame, outcome.value, call.executor === undefined ? undefined : { executor: call.executor, worker: call.worker });
    } catch (error) {
      call.failed = true;
      call.error = error;
    }
  }
  if (call.failed) throw call.error;
}

/**
 * A call this evaluation waits for: its own, or another's (`shared`). Each is awaited through `promise`, which
 * resolves to the entry itself.
 */
interface InFlight {
  readonly call: Call;
  readonly shared: boolean;
  readonly promise: Promise<InFlight>;
}

function waitFor(call: Call, shared: boolean): InFlight {
  const entry: InFlight = { call, shared, promise: call.settled!.then(() => entry) };
  return entry;
}

export async function evaluateAsync(graph: GraphBuilder, targets: readonly Target[], preActivate?: readonly OperationNode[]): Promise<unknown[]> {
  currentHost()?.beforeEvaluate?.(graph, targets);
  disturb();
  let ctx: EvalContext | undefined;
  // Aborted when the evaluation fails: the executors' calls still in flight for it give up.
  const stop = new AbortControllerClass();
  holdTargets(targets, TARGET);
  try {
    ctx = newContext(targets, preActivate);
    if (preActivate) for (const op of preActivate) await evaluateTarget(ctx, op, graph._concurrency, stop);
    const results: unknown[] = [];
    for (const target of targets) results.push(await evaluateTarget(ctx, target, graph._concurrency, stop));
    return results;
  } catch (error) {
    if (ctx) abort(ctx);
    throw error;
  } finally {
    holdTargets(targets, -TARGET);
  }
}

/** Evaluates one target and returns its value (undefined for an op). */
async function evaluateTarget(ctx: EvalContext, target: Target, concurrency: number, stop: AbortController): Promise<unknown> {
  const stack: Frame[] = [];
  const blocked: Frame[] = [];
  const inflight = new Map<OperationNode, InFlight>();
  /** How many of `inflight` are other evaluations' calls (they do not count against `concurrency`). */
  let shared = 0;
  /** How many of `inflight` are calls on executors (they count against the executor's own `concurrency`). */
  let offloaded = 0;
  /** A frame waits for an executor that has no free slot (its calls in flight are other evaluations'). */
  let slot: Promise<void> | undefined;
  const framed = new Set<OperationNode>();
  try {
    const first = firstOp(ctx, target);
    if (first !== undefined) {
      stack.push(newFrame(first));
      framed.add(first);
    }
    for (;;) {
      while (stack.length > 0) {
        const frame = stack[stack.length - 1]!;
        if (frame.op._activatedSeq === 0) {
          // Deactivated while this frame waited (see runFrames): run already by another evaluation, or activated again.
          if (!frame.op._lacksOutput()) {
            stack.pop();
            framed.delete(frame.op);
            continue;
          }
          activate(frame.op);
        }
        const next = startableParent(frame, inflight, framed);
        if (next === 'blocked') {
          blocked.push(stack.pop()!);
          continue;
        }
        if (next !== undefined) {
          const child = newFrame(beginCompute(ctx, next));
          framed.add(child.op);
          stack.push(child);
          continue;
        }
        const running = calls.get(frame.op);
        if (running !== undefined) {
          // Called by another evaluation and still in flight: wait for it rather than call it again (unless that call
          // is waiting, through other calls, for this evaluation).
          if (waitCycle(running)) throw fail(frame.op, cycleError(frame.op));
          recordWait(running);
          stack.pop();
          inflight.set(frame.op, waitFor(running, true));
          shared++;
          continue;
        }
        const executor = executorOf(frame.op);
        if (executor === undefined ? inflight.size - shared - offloaded >= concurrency : !hasSlot(executor)) {
          if (executor !== undefined) slot = slotFreed(executor);
          blocked.push(stack.pop()!);
          break;
        }
        if (executor === undefined && holdsHandles(frame.op._parents)) {
          // An inline op needs values an executor holds: fetched first, then the frame is looked at again.
          await Promise.all(frame.op._parents.map(resolveHandle));
          continue;
        }
        stack.pop();
        if (frame.op._graph._cache !== undefined && runCached(frame.op)) {
          framed.delete(frame.op);
          continue;
        }
        if (executor !== undefined && frame.op._activatedSeq < 0) throw fail(frame.op, cycleError(frame.op));
        const result = executor !== undefined ? dispatch(frame, executor, stop.signal) : callAsync(frame);
        if (result instanceof Call) {
          inflight.set(frame.op, waitFor(result, false));
          if (executor !== undefined) offloaded++;
          continue;
        }
        framed.delete(frame.op);
        finishOp(frame, result);
      }
      if (inflight.size === 0) {
        if (blocked.length === 0) {
          if (target instanceof DataNodeClass) await resolveHandle(target);
          return resultOf(target);
        }
        if (slot !== undefined) await slot;
        slot = undefined;
        stack.push(...blocked.splice(0).reverse());
        continue;
      }
      const waits = [...inflight.values()].map((f) => f.promise);
      const settled = await Promise.race(slot === undefined ? waits : [...waits, slot]);
      slot = undefined;
      if (settled === undefined) {
        stack.push(...blocked.splice(0).reverse());
        continue;
      }
      const op = settled.call.frame.op;
      inflight.delete(op);
      framed.delete(op);
      if (settled.shared) shared--;
      else if (settled.call.executor !== undefined) offloaded--;
      endCall(settled.call);
      stack.push(...blocked.splice(0).reverse());
    }
  } catch (error) {
    // The executors' calls of this evaluation still in flight give up; the evaluation fails once they have settled, so
    // that nothing it started is left running.
    stop.abort(error);
    await Promise.all([...inflight.values()].filter((f) => !f.shared && f.call.executor !== undefined).map((f) => f.call.settled));
    throw error;
  } finally {
    // Failed (or returned with nothing in flight): a call of ours still in flight is finished by an evaluation waiting
    // for it, else forgotten once it settles (a later evaluation calls the op again).
    for (const { call, shared } of inflight.values()) {
      if (!shared) void call.settled!.then(() => forget(call));
    }
  }
}

/**
 * The first missing parent (argument order) whose producer is not already being computed; 'blocked' when
 * every missing parent is; undefined when all parents have values.
 */
function startableParent(frame: Frame, inflight: Map<OperationNode, InFlight>, framed: Set<OperationNode>): DataNode | 'blocked' | undefined {
  if (nextMissingParent(frame) === undefined) return undefined;
  const parents = frame.op._parents;
  for (let i = frame.next; i < parents.length; i++) {
    const p = parents[i]!;
    if (!isNoValue(p._value)) continue;
    const producer = p._producer;
    if (producer === undefined || (!inflight.has(producer) && !framed.has(producer))) return p;
  }
  return 'blocked';
}
