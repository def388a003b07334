import { TARGET, NO_VALUE, type DataNode, type OperationNode } from './nodes.js';
import type { PyflowError } from './errors.js';
import type { GraphBuilder } from './graphBuilder.js';
import { currentHost } from './trace.js';
import {
  EvalContext, abort, activate, beginCompute, disturb, holdTargets, newContext, callOp, cycleError, fail, finishOp, firstOp, isThenable, opFailure, releasedAgainError, resultOf,
  type Frame, type Target,
} from './evaluator.js';

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
    if (parent._value === NO_VALUE) return parent;
    frame.next++;
  }
  // The parents before `from` had their values, but an op's function may have released one since: computed again,
  // once (as the synchronous evaluator does).
  for (let i = 0; i < from; i++) {
    if (parents[i]!._value === NO_VALUE) {
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
 * and reports `finished`) or fails with its error; the others find it done.
 */
interface Call {
  /** The frame of the evaluation that called it (for the duration reported by `finished`). */
  readonly frame: Frame;
  readonly settled: Promise<void>;
  outcome: { ok: boolean; value: unknown } | undefined;
  done: boolean;
  /** The error of a call that failed: each waiting evaluation fails with it. */
  error: PyflowError | undefined;
}

const calls = new Map<OperationNode, Call>();

/**
 * Which ops' functions the running code was called from, across awaits: an async op's function that awaits and then
 * evaluates something needing the op itself would wait for its own call for ever (`CYCLE` instead). Node's
 * AsyncLocalStorage where there is one (the core uses no Node API it cannot do without: elsewhere that case hangs).
 */
interface CallerChain { readonly op: OperationNode; readonly outer: CallerChain | undefined }
interface ContextStore { run<R>(store: CallerChain, fn: () => R): R; getStore(): CallerChain | undefined }
const callers: ContextStore | undefined = (() => {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const hooks = typeof getBuiltin === 'function' ? getBuiltin('node:async_hooks') as { AsyncLocalStorage?: new () => ContextStore } | undefined : undefined;
  return hooks?.AsyncLocalStorage ? new hooks.AsyncLocalStorage() : undefined;
})();

function callTracked(frame: Frame): unknown {
  if (callers === undefined) return callOp(frame);
  return callers.run({ op: frame.op, outer: callers.getStore() }, () => callOp(frame));
}

function calledFrom(op: OperationNode): boolean {
  for (let c = callers?.getStore(); c !== undefined; c = c.outer) if (c.op === op) return true;
  return false;
}

function startCall(frame: Frame, result: PromiseLike<unknown>): Call {
  const call: Call = { frame, settled: undefined as never, outcome: undefined, done: false, error: undefined };
  (call as { settled: Promise<void> }).settled = Promise.resolve(result).then(
    (value) => { call.outcome = { ok: true, value }; },
    (value: unknown) => { call.outcome = { ok: false, value }; },
  );
  calls.set(frame.op, call);
  return call;
}

/** Finishes a settled call (once, for whichever evaluation comes first), or throws its error. */
function endCall(op: OperationNode, call: Call): void {
  if (calls.get(op) === call) calls.delete(op);
  if (!call.done) {
    call.done = true;
    const outcome = call.outcome!;
    if (!outcome.ok) call.error = fail(op, opFailure(op, outcome.value));
    else finishOp(call.frame, outcome.value);
  }
  if (call.error !== undefined) throw call.error;
}

/**
 * A call this evaluation waits for: its own, or another's (`shared`). Each is awaited through `promise`, which
 * resolves to the entry itself.
 */
interface InFlight {
  readonly frame: Frame;
  readonly call: Call;
  readonly shared: boolean;
  promise: Promise<InFlight>;
}

function waitFor(frame: Frame, call: Call, shared: boolean): InFlight {
  const entry: InFlight = { frame, call, shared, promise: undefined as never };
  entry.promise = call.settled.then(() => entry);
  return entry;
}

export async function evaluateAsync(graph: GraphBuilder, targets: readonly Target[], preActivate?: readonly OperationNode[]): Promise<unknown[]> {
  currentHost()?.beforeEvaluate?.(graph, targets);
  disturb();
  let ctx: EvalContext | undefined;
  holdTargets(targets, TARGET);
  try {
    ctx = newContext(targets, preActivate);
    if (preActivate) for (const op of preActivate) await evaluateTarget(ctx, op, graph._concurrency);
    const results: unknown[] = [];
    for (const target of targets) results.push(await evaluateTarget(ctx, target, graph._concurrency));
    return results;
  } catch (error) {
    if (ctx) abort(ctx);
    throw error;
  } finally {
    holdTargets(targets, -TARGET);
  }
}

/**
 * Evaluates one target and returns its value (undefined for an op). The value is read in the same synchronous stretch
 * as the last op ran: another evaluation running at once may release it as soon as this one awaits.
 */
async function evaluateTarget(ctx: EvalContext, target: Target, concurrency: number): Promise<unknown> {
  const stack: Frame[] = [];
  const blocked: Frame[] = [];
  const inflight = new Map<OperationNode, InFlight>();
  /** How many of `inflight` are other evaluations' calls (they do not count against `concurrency`). */
  let shared = 0;
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
          // Called by another evaluation and still in flight: wait for it rather than call it again (unless this
          // evaluation was started from that very call).
          if (calledFrom(frame.op)) throw fail(frame.op, cycleError(frame.op));
          stack.pop();
          inflight.set(frame.op, waitFor(frame, running, true));
          shared++;
          continue;
        }
        if (inflight.size - shared >= concurrency) {
          blocked.push(stack.pop()!);
          break;
        }
        stack.pop();
        const result = callTracked(frame);
        if (isThenable(result)) {
          inflight.set(frame.op, waitFor(frame, startCall(frame, result), false));
          continue;
        }
        framed.delete(frame.op);
        finishOp(frame, result);
      }
      if (inflight.size === 0) {
        if (blocked.length === 0) return resultOf(target);
        stack.push(...blocked.splice(0).reverse());
        continue;
      }
      const settled = await Promise.race([...inflight.values()].map((f) => f.promise));
      const op = settled.frame.op;
      inflight.delete(op);
      framed.delete(op);
      if (settled.shared) shared--;
      endCall(op, settled.call);
      stack.push(...blocked.splice(0).reverse());
    }
  } finally {
    // Failed (or returned with nothing in flight): a call of ours still in flight is finished by an evaluation waiting
    // for it, else forgotten once it settles (a later evaluation calls the op again).
    for (const entry of inflight.values()) {
      if (!entry.shared) void entry.call.settled.then(() => { if (calls.get(entry.frame.op) === entry.call) calls.delete(entry.frame.op); });
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
    if (p._value !== NO_VALUE) continue;
    const producer = p._producer;
    if (producer === undefined || (!inflight.has(producer) && !framed.has(producer))) return p;
  }
  return 'blocked';
}
