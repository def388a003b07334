import { DataNode, NO_EXTRAS, NO_VALUE, OperationNode, REMOVED, TARGET, isNoValue, removedError, type ArgTemplate } from './nodes.js';
import type { GraphBuilder } from './graphBuilder.js';
import { PyflowError, describeCallSite } from './errors.js';
import { currentHost } from './trace.js';
import { dimensionOf, previewValue } from './dims.js';
import { cacheOpOf, keyOfOp, mustRefresh } from './engine/cache.js';
import { executorInGetError, executorOf, handleInGetError, handleOwner, holdsHandles, recordOwner, releasedByEngine } from './engine/executors.js';
import type { Executor } from './executor.js';

/*
 * The evaluation algorithm of pyflow, without recursion.
 *
 * get(d) on a data node without a value: emit `computing d`, activate every op that d needs (the op
 * ancestors reachable through data nodes without a value, pre-order, parents in argument order), then run
 * d's producer. Running an op first gets each parent in argument order (computing the ones without a
 * value the same way), then calls the function, stores the outputs, offers each parent for release, and
 * deactivates the op. An explicit stack (the ops waiting for a parent, and the next parent of each) replaces
 * pyflow's recursion and keeps its order. A graph nobody listens to (no events to order) is evaluated by
 * `evaluateScheduled` instead: a walk lists the same ops in the same order, then a loop runs them, with the same
 * releases; if an op's function releases a value, evaluates or removes ops, the loop goes on as the recursion would
 * from there (tested against pyflow-viz's own algorithm on random graphs, and traced against untraced on random
 * graphs whose op functions do all of that).
 *
 * Invariants:
 * - The evaluator never releases a data node that an activated op consumes (pyflow also asks that the op lack an
 *   output: see `needs`), so once an op is activated its whole missing ancestry is activated too; nested activations
 *   therefore only walk nodes not yet visited in this evaluation (pyflow re-walks them: exponential on lattices).
 *   Only user code can take such a value away (`releaseMemory()` in an op's function): it is computed again, once
 *   per waiting op (then `RELEASED`).
 * - While its function runs, an op's activation number is negative: an evaluation nested in it that reaches it is a
 *   `CYCLE` error.
 * - An evaluation's data targets are held (`TARGET`) until it returns: nothing that runs meanwhile (an evaluation nested
 *   in an op's function or a release hook, or one running at once under getAsync()) releases them before it reads them.
 * - Every activation is numbered (`_activatedSeq`, one counter for the process); on failure the ops still active
 *   whose number is at least the context's first are deactivated, in activation order, so the graph stays
 *   consistent and can be evaluated again. (Numbers instead of a list of activated ops: pushing each op into a
 *   growing list cost 5% of a 1,000-op chain's build and evaluation, measured.) Only the evaluation's ancestors
 *   are looked at, so a nested evaluation cleans up its own ops; two getAsync() evaluations of the same graph running
 *   at once can overlap, and the one that fails may deactivate an op the other waits for: the other activates it
 *   again when it comes to it (a frame whose op was run meanwhile is dropped, see runFrames).
 * - Events go to the graph that owns the node (grafted graphs report their own nodes), and are only
 *   built when that graph has a listener.
 */

let epoch = 0;
/**
 * Counts what user code can do during an evaluation that makes a `schedule` list out of date: releasing a value
 * (`releaseMemory()`), evaluating (a nested get/run), removing ops. The untraced loop checks it after each op.
 */
let disturbances = 0;
export function disturb(): void {
  disturbances++;
}
/** Numbers every activation (see `abort`). */
let activationSeq = 0;
const NO_OPS: readonly OperationNode[] = [];

export class EvalContext {
  readonly visit = ++epoch;
  /** Activations numbered from here on belong to this evaluation (or to one nested in it, which cleans up its own). */
  readonly firstSeq = activationSeq + 1;
  /** `G.run()`: every pending op was activated up front; op targets that already ran are skipped. */
  runAll = false;
  constructor(
    /** Where the evaluation starts: everything it activated is among their ancestors (`abort`). */
    readonly targets: readonly Target[],
    readonly preActivated: readonly OperationNode[],
  ) {}
}

/**
 * Creates the context of one evaluation. `preActivate` ops are activated first, in order (`G.run()`).
 * With several targets, everything they need is activated before any of them runs (pyflow's
 * `run_only`): otherwise a value shared by two targets would be released after the first and computed
 * again for the second, which on a lattice multiplies without bound.
 */
export function newContext(targets: readonly Target[], preActivate?: readonly OperationNode[]): EvalContext {
  const ctx = new EvalContext(targets, preActivate ?? NO_OPS);
  try {
    activateUpFront(ctx, targets, preActivate);
  } catch (error) {
    // A listener that threw on an `activated` event, or a removed node reached through a grafting graph: nothing
    // stays activated (the caller has no context to abort yet).
    abort(ctx);
    throw error;
  }
  return ctx;
}

function activateUpFront(ctx: EvalContext, targets: readonly Target[], preActivate: readonly OperationNode[] | undefined): void {
  if (preActivate) {
    ctx.runAll = true;
    // (The pending ops are of one graph: untraced, they are numbered in a plain loop.)
    if (preActivate.length > 0 && preActivate[0]!._graph._emit === undefined) {
      let seq = activationSeq;
      for (let i = 0; i < preActivate.length; i++) {
        const op = preActivate[i]!;
        if (op._activatedSeq === 0) op._activatedSeq = ++seq;
      }
      activationSeq = seq;
    } else for (const op of preActivate) activate(op);
  } else if (targets.length > 1) {
    ctx.runAll = true;
    const starts: OperationNode[] = [];
    for (const t of targets) {
      if (t._removed) throw removedError(t);
      if (t instanceof OperationNode) starts.push(t);
      else if (isNoValue(t._value) && t._producer !== undefined) starts.push(t._producer);
    }
    for (let s = 0; s < starts.length; s++) activateFrom(ctx, starts[s]!);
  }
}

/**
 * One op waiting for its parents: `next` is the first parent not known to have a value. Values are read when the op
 * is called: the evaluator never releases a parent of an activated op (see the invariants above).
 */
export interface Frame {
  op: OperationNode;
  next: number;
  started: number;
  /** getAsync: a parent it had seen with its value was computed again (see releasedAgainError). */
  recomputed: boolean;
}

export type Target = DataNode | OperationNode;

/**
 * Evaluates the targets and returns their values (undefined for op targets). `preActivate` (`G.run()`): these
 * ops are activated first and run, in order, before the targets.
 */
export function evaluateSync(graph: GraphBuilder, targets: readonly Target[], preActivate?: readonly OperationNode[]): unknown[] {
  currentHost()?.beforeEvaluate?.(graph, targets);
  disturbances++;
  let ctx: EvalContext | undefined;
  const base = waitingTop;
  const scheduledBase = scheduledTop;
  // Untraced (nobody listens to the graph): the same order and releases, in a walk and a loop (see `schedule`).
  const untraced = graph._emit === undefined && graph._executor === undefined && graph._cache === undefined;
  holdTargets(targets, TARGET);
  if (base === 0 && scheduledBase === 0) {
    if (spareStacks !== undefined) reuseSpareStacks();
    else if (untraced) freshStacks();
    waitingHigh = scheduledHigh = 0;
  }
  try {
    ctx = newContext(targets, preActivate);
    // The op being called: called and finished at once, so one frame serves every op of this evaluation.
    const call: Frame = { op: undefined as never, next: 0, started: 0, recomputed: false };
    const evaluate = untraced ? evaluateScheduled : evaluateTarget;
    if (preActivate && untraced) runPending(ctx, preActivate, call);
    else if (preActivate) runPendingTraced(ctx, preActivate, call);
    const values = new Array<unknown>(targets.length);
    for (let i = 0; i < targets.length; i++) values[i] = evaluate(ctx, targets[i]!, call);
    return values;
  } catch (error) {
    if (ctx) abort(ctx);
    throw error;
  } finally {
    holdTargets(targets, -TARGET);
    for (let i = base; i < waitingTop; i++) waitingOps[i] = undefined;
    waitingTop = base;
    for (let i = scheduledBase; i < scheduledTop; i++) scheduled[i] = undefined;
    scheduledTop = scheduledBase;
    if (base === 0 && scheduledBase === 0 && (waitingOps.length > KEEP_STACK || scheduled.length > KEEP_STACK)) spareLargeStacks();
  }
}

/** Adds `TARGET` to (or takes it from) the targets that are data nodes. */
export function holdTargets(targets: readonly Target[], by: number): void {
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    if (target instanceof DataNode) target._hold += by;
  }
}

/*
 * The ops waiting for their parents, and the next parent of each to look at: one stack for every synchronous
 * evaluation in the process (an evaluation nested in an op's function stacks above the one running it), kept
 * between evaluations instead of allocated for each (a 1,000-op chain needs 1,000 entries).
 */
let waitingOps: (OperationNode | undefined)[] = [];
let waitingNext: number[] = [];
let waitingTop = 0;
/**
 * The ops an untraced evaluation runs, in order (`schedule`), and where it fails, a raw input without its value; nested
 * evaluations stack above, as on `waitingOps`.
 */
let scheduled: (OperationNode | DataNode | undefined)[] = [];
/** The walk's depth of each listed op (0 for the root; -1 for a data node): `resumeRecursion` rebuilds frames from it. */
let scheduledDepth: number[] = [];
let scheduledTop = 0;

/*
 * Stacks longer than this (a 1e6-op chain needs 1e6 entries) are not kept for good after the evaluation: they are held
 * through a WeakRef, so the next large evaluation reuses them unless the garbage collector has taken them. (Dropping
 * them instead, so that each large evaluation grew its own again, made a 1e5-op chain's evaluation 5x slower: 400
 * against 80 ns per op, measured.) Only swapped when both stacks are empty: then no evaluation holds anything on them
 * (an evaluation nested in a running op's function may swap them; the one running the op holds nothing there then).
 */
const KEEP_STACK = 1 << 16;
interface Stacks {
  waitingOps: (OperationNode | undefined)[];
  waitingNext: number[];
  scheduled: (OperationNode | DataNode | undefined)[];
  scheduledDepth: number[];
}
let spareStacks: WeakRef<Stacks> | undefined;

function spareLargeStacks(): void {
  spareStacks = new WeakRef({ waitingOps, waitingNext, scheduled, scheduledDepth });
  waitingOps = [];
  waitingNext = [];
  scheduled = [];
  scheduledDepth = [];
}

/*
 * The two stacks that hold ops are made anew, young, for a large untraced evaluation (sized by the last one's use). A
 * graph that was just built is young too, and every young op stored into a long-lived (old) array costs V8 a
 * remembered-set entry, which the next minor collection then visits: 8% of a 1,000-op chain's build and evaluation in a
 * profile. With fresh stacks a chain's build and evaluation took 0.81-0.93x the time at 1e3 and 1e4, a tree's
 * evaluation 0.93-0.96x at 1e3 (A/Bs in one process). Small evaluations keep the old ones (an allocation costs them
 * more); the stacks of numbers need no write barrier.
 */
const FRESH_STACK = 512;
/** How far `scheduled` and `waitingOps` were filled by `schedule` in the current (then the last) top-level evaluation. */
let scheduledHigh = 0;
let waitingHigh = 0;

function freshStacks(): void {
  if (waitingHigh >= FRESH_STACK) waitingOps = new Array(Math.min(waitingHigh, KEEP_STACK));
  if (scheduledHigh >= FRESH_STACK) scheduled = new Array(Math.min(scheduledHigh, KEEP_STACK));
}

function reuseSpareStacks(): void {
  const spare = spareStacks!.deref();
  spareStacks = undefined;
  if (spare === undefined) return;
  ({ waitingOps, waitingNext, scheduled, scheduledDepth } = spare);
}

function evaluateTarget(ctx: EvalContext, target: Target, call: Frame): unknown {
  const first = firstOp(ctx, target);
  if (first !== undefined) runFrom(ctx, first, call);
  return resultOf(target);
}

/**
 * `G.run()` traced: the graph's pending ops (all activated), in order, each after whatever it still needs. Most find
 * their parents computed: they run at once, as `runFrames` would run them. (An op with its parents has nothing to
 * activate; it is marked walked in this evaluation, as `activateWalk` would mark it, so that a later walk of the same
 * evaluation skips it as before.)
 */
function runPendingTraced(ctx: EvalContext, ops: readonly OperationNode[], call: Frame): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op._removed) throw removedError(op);
    if (op._activatedSeq === 0) continue;
    if (!hasEveryValue(op._parents)) {
      evaluateTarget(ctx, op, call);
      continue;
    }
    op._visit = ctx.visit;
    runCall(call, op);
  }
}

/** Calls an op whose parents have their values, in `call` (the evaluation's one frame), and finishes it. */
function runCall(call: Frame, op: OperationNode): void {
  if (op._graph._cache !== undefined && runCached(op)) return;
  call.op = op;
  call.started = 0;
  finishOp(call, checkSync(op, callOp(call)));
}

/** Runs `first` after whatever it needs, depth first, parents in argument order: pyflow's recursion, on a stack. */
function runFrom(ctx: EvalContext, first: OperationNode, call: Frame): void {
  const base = waitingTop;
  waitingOps[waitingTop] = first;
  waitingNext[waitingTop++] = 0;
  runFrames(ctx, base, call);
}

/** Runs the frames above `base` (each op after whatever it still needs), the top one first. */
function runFrames(ctx: EvalContext, base: number, call: Frame): void {
  while (waitingTop > base) {
    const top = waitingTop - 1;
    const op = waitingOps[top]!;
    if (op._activatedSeq === 0) {
      // Deactivated while this frame waited: another evaluation ran it (one nested in an op's function, or a
      // concurrent getAsync()), or failed and deactivated it. Run already: nothing left to do; else activated again.
      if (!op._lacksOutput()) {
        waitingOps[top] = undefined;
        waitingTop = top;
        continue;
      }
      activate(op);
    }
    const parents = op._parents;
    // A frame that already computed again a parent it had seen with its value holds ~next (negative).
    let from = waitingNext[top]!;
    const recomputed = from < 0;
    if (recomputed) from = ~from;
    let next = from;
    while (next < parents.length && !isNoValue(parents[next]!._value)) next++;
    let again = false;
    if (next === parents.length && from !== 0) {
      // The parents before `from` had their values, but an op's function may have released one since: computed again,
      // once (an op's function that keeps releasing what another op waits for would make this go on for ever).
      next = 0;
      while (next < from && !isNoValue(parents[next]!._value)) next++;
      if (next === from) next = parents.length;
      else if (recomputed) throw fail(op, releasedAgainError(parents[next]!, op));
      else again = true;
    }
    if (next < parents.length) {
      waitingNext[top] = again || recomputed ? ~next : next;
      waitingOps[waitingTop] = beginCompute(ctx, parents[next]!);
      waitingNext[waitingTop++] = 0;
      continue;
    }
    runCall(call, op);
    waitingOps[top] = undefined;
    waitingTop = top;
  }
}

/**
 * An untraced evaluation of one target: `schedule` lists (and activates) the ops it needs in the order `runFrom`
 * would run them, then they run in a plain loop. The same ops run in the same order and the same values are released
 * (the differential tests compare it with pyflow-viz's own algorithm and with the traced evaluator); what it saves is
 * the walk that interleaves looking for parents with running ops (half the time of a 1e4-op chain or tree). An op
 * whose function releases a value, evaluates or removes ops (`disturbances`) hands over to `resumeRecursion`.
 */
function evaluateScheduled(ctx: EvalContext, target: Target, call: Frame): unknown {
  if (target._removed) throw removedError(target);
  let root: OperationNode;
  if (target instanceof DataNode) {
    if (!isNoValue(target._value)) return target._value;
    if (target._producer === undefined) throw noValueError(target);
    root = target._producer;
  } else {
    if (ctx.runAll && target._activatedSeq === 0) return undefined;
    root = target;
  }
  // A target of another graph that someone listens to (G.runOnly of a grafted node).
  if (root._graph._emit !== undefined) return evaluateTarget(ctx, target, call);
  if (hasEveryValue(root._parents)) {
    if (root._activatedSeq === 0) root._activatedSeq = ++activationSeq;
    runReady(root);
    return resultOf(target);
  }
  const start = scheduledTop;
  if (!schedule(root)) return evaluateTarget(ctx, target, call);
  // The ops before a raw input without its value run, then the evaluation fails there, as the traced one does.
  const end = missingAt < 0 ? scheduledTop : missingAt;
  for (let k = start; k < end; k++) {
    const op = scheduled[k] as OperationNode;
    scheduled[k] = undefined;
    const before = disturbances;
    // Its parents have their values: the evaluator releases none that an activated op consumes, and what user code
    // does (below) ends the loop.
    runReady(op);
    // The op's function released a value or evaluated something: the list may be out of date, the recursion is not.
    if (disturbances !== before) {
      resumeRecursion(ctx, start, k, op, call);
      return resultOf(target);
    }
  }
  if (end !== scheduledTop) throw noValueError(scheduled[end] as DataNode);
  scheduledTop = start;
  return resultOf(target);
}

/**
 * Goes on, after listed op `k` ran, the way the traced evaluator would from there: with the frames pyflow's recursion
 * holds at that point, each of k's ancestors on the walk waiting at the parent it went up through. They are listed
 * after k, each the first one a level shallower; the rest of the list is dropped (its ops are still activated, and
 * the recursion runs those it still needs).
 */
function resumeRecursion(ctx: EvalContext, start: number, k: number, done: OperationNode, call: Frame): void {
  // Nearest ancestor first.
  const path: OperationNode[] = [];
  let depth = scheduledDepth[k]! - 1;
  for (let j = k + 1; j < scheduledTop; j++) {
    const entry = scheduled[j];
    scheduled[j] = undefined;
    if (depth >= 0 && scheduledDepth[j] === depth) {
      path.push(entry as OperationNode);
      depth--;
    }
  }
  scheduledTop = start;
  const base = waitingTop;
  for (let i = path.length - 1; i >= 0; i--) {
    const op = path[i]!;
    const child = i === 0 ? done : path[i - 1]!;
    waitingOps[waitingTop] = op;
    waitingNext[waitingTop++] = Math.max(0, op._parents.findIndex((p) => p._producer === child));
  }
  runFrames(ctx, base, call);
}

/** `G.run()` untraced: the graph's pending ops (all activated), in order; most find their parents computed. */
function runPending(ctx: EvalContext, ops: readonly OperationNode[], call: Frame): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    // Removed by an op's function since G.run() listed it (checked first, as the traced evaluator does).
    if (op._removed) throw removedError(op);
    // Not activated any more: already run for an earlier one, or by an evaluation nested in an op's function.
    if (op._activatedSeq === 0) continue;
    if (hasEveryValue(op._parents)) runReady(op);
    else evaluateScheduled(ctx, op, call);
  }
}

/** Runs an op whose parents have their values: no events to send (nobody listens to its graph), except for parents of other graphs. */
function runReady(op: OperationNode): void {
  const seq = op._activatedSeq;
  const out = op._output;
  const graph = op._graph;
  if (op._rare === NO_EXTRAS && seq > 0 && out !== undefined && asyncCalls === undefined && graph._cache === undefined && graph._executor === undefined) {
    // The usual op (one output, DataNode arguments, no options), called directly; what `invoke`, `storeOutputs` and
    // `releaseParents` do for it, without their checks for the rest (`invoke`'s call cost 100 instructions per op more
    // on a tree, callgrind).
    let result: unknown;
    op._activatedSeq = -seq;
    try {
      result = callWith(op._fn as (...a: unknown[]) => unknown, op._parents);
    } catch (error) {
      // (Reported while the op is still marked running, as `invoke` does: a listener that evaluates it gets CYCLE.)
      const failure = fail(op, opFailure(op, error));
      op._activatedSeq = seq;
      throw failure;
    }
    op._activatedSeq = seq;
    // (checkSync only for objects: called for every result, it cost 40 instructions per op on a tree.)
    if (typeof result === 'object' && result !== null) checkSync(op, result);
    out._value = result;
    releaseReadyParents(op, op._parents);
    op._activatedSeq = 0;
    return;
  }
  if (graph._cache !== undefined && runCached(op)) return;
  const result = checkSync(op, invoke(op));
  if (out !== undefined && op._rare.moreOutputs.length === 0 && graph._cache === undefined) out._value = result;
  else storeOutputs(op, result);
  releaseParents(op);
  op._activatedSeq = 0;
}

function hasEveryValue(nodes: readonly DataNode[]): boolean {
  for (let i = 0; i < nodes.length; i++) if (isNoValue(nodes[i]!._value)) return false;
  return true;
}

/**
 * Lists on `scheduled`, in the order `runFrom` would run them, the ops that `root` needs (reachable through data
 * nodes without a value, each once) and root last, and activates them: a depth-first walk, parents in argument order,
 * each op listed once all its parents are (a raw input without its value is listed where the traced evaluator fails
 * for it: `missingAt`). Returns false, having undone its activations, when it meets an op of another graph that someone
 * listens to (a grafted graph being traced): its events need the traced evaluator.
 */
function schedule(root: OperationNode): boolean {
  const walk = ++epoch;
  const firstSeq = activationSeq + 1;
  const graph = root._graph;
  const base = waitingTop;
  const start = scheduledTop;
  // The stack tops and the activation count live in locals while walking (a module variable is read and written
  // through memory each time).
  let top = base;
  let end = start;
  let seq = activationSeq;
  let missing = -1;
  let deepest = top + 1;
  // (No user code runs during the walk: the stacks stay these arrays, which may only grow.)
  const ops = waitingOps;
  const nexts = waitingNext;
  const list = scheduled;
  const depths = scheduledDepth;
  root._visit = walk;
  if (root._activatedSeq === 0) root._activatedSeq = ++seq;
  ops[top] = root;
  nexts[top++] = 0;
  try {
    while (top > base) {
      const op = ops[top - 1]!;
      const parents = op._parents;
      let i = nexts[top - 1]!;
      let producer: OperationNode | undefined;
      for (; i < parents.length; i++) {
        const parent = parents[i]!;
        if (!isNoValue(parent._value)) continue;
        // (Data nodes are not marked: their producers are. G.remove() marks an op and its outputs removed together.)
        producer = parent._producer;
        if (producer === undefined) {
          if (parent._visit === REMOVED) throw removedError(parent);
          // Listed where pyflow would fail for it; the walk goes on, as pyflow's activation does (`missingAt`).
          if (missing < 0) missing = end;
          depths[end] = -1;
          list[end++] = parent;
          continue;
        }
        const seen = producer._visit;
        if (seen !== walk) {
          if (seen === REMOVED) throw removedError(parent);
          break;
        }
        producer = undefined;
      }
      if (producer !== undefined) {
        if (producer._graph !== graph && producer._graph._emit !== undefined) {
          waitingTop = top;
          scheduledTop = end;
          activationSeq = seq;
          unschedule(base, start, firstSeq);
          top = base;
          end = start;
          return false;
        }
        producer._visit = walk;
        if (producer._activatedSeq === 0) producer._activatedSeq = ++seq;
        nexts[top - 1] = i + 1;
        ops[top] = producer;
        nexts[top++] = 0;
        if (top > deepest) deepest = top;
        continue;
      }
      depths[end] = top - 1 - base;
      list[end++] = op;
      ops[--top] = undefined;
    }
    return true;
  } finally {
    // On a throw too, so that the evaluation's cleanup empties what the walk filled.
    waitingTop = top;
    scheduledTop = end;
    activationSeq = seq;
    missingAt = missing;
    if (end > scheduledHigh) scheduledHigh = end;
    if (deepest > waitingHigh) waitingHigh = deepest;
  }
}

/** Where the last `schedule` listed the first raw input without its value (a data node), or -1. */
let missingAt = -1;

/** Undoes a `schedule` walk that stopped: deactivates what it activated, and empties its frames and list. */
function unschedule(base: number, start: number, firstSeq: number): void {
  for (let i = base; i < waitingTop; i++) {
    const op = waitingOps[i]!;
    if (op._activatedSeq >= firstSeq) op._activatedSeq = 0;
    waitingOps[i] = undefined;
  }
  waitingTop = base;
  for (let i = start; i < scheduledTop; i++) {
    const op = scheduled[i]!;
    if (op instanceof OperationNode && op._activatedSeq >= firstSeq) op._activatedSeq = 0;
    scheduled[i] = undefined;
  }
  scheduledTop = start;
}

/** A synchronous evaluation cannot wait for a promise: the op's result, or the error telling the user what to use. */
function checkSync(op: OperationNode, result: unknown): unknown {
  if (!isThenable(result)) return result;
  void Promise.resolve(result).catch(() => undefined);
  throw fail(op, new PyflowError('ASYNC_IN_GET',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) returned a Promise: ` +
    'evaluate this graph with `await node.getAsync()` (or runAsync/runOnlyAsync) instead of `get()`', op.uid, op.callSite));
}

/** What an evaluation returns for a target: a data node's value, undefined for an op. */
export function resultOf(target: Target): unknown {
  return target instanceof DataNode && !isNoValue(target._value) ? target._value : undefined;
}

/** The first op a target needs run (activated), or undefined when it already has its value. */
export function firstOp(ctx: EvalContext, target: Target): OperationNode | undefined {
  if (target._removed) throw removedError(target);
  if (target instanceof DataNode) return !isNoValue(target._value) ? undefined : beginCompute(ctx, target);
  if (ctx.runAll && target._activatedSeq === 0) return undefined;
  activateFrom(ctx, target);
  return target;
}

/** `computing for d`: activates what d needs and returns d's producer, to run next. */
export function beginCompute(ctx: EvalContext, data: DataNode): OperationNode {
  const producer = data._producer;
  if (producer === undefined) throw noValueError(data);
  data._graph._emit?.({ kind: 'computing', uid: data.uid, graph: data._graph.alias });
  if (producer._visit === REMOVED) throw removedError(data);
  // Not visited yet, or run already in this evaluation and its output released since (by an op's function): the walk
  // activates what computing it (again) needs.
  if (producer._visit !== ctx.visit || producer._activatedSeq === 0) activateFrom(ctx, producer);
  return producer;
}

function noValueError(data: DataNode): PyflowError {
  return new PyflowError('NO_VALUE', `${data.uid} is a raw input whose value was released; it cannot be recomputed`, data.uid);
}

/** Calls the op's function with its arguments, reporting `running` (and timing it) in `frame`. */
export function callOp(frame: Frame): unknown {
  return invoke(frame.op, frame);
}

/**
 * Calls the op's function with its parents' values; a throw becomes a PyflowError. With a frame (the traced
 * evaluators), `running` is reported first and the call is timed.
 */
function invoke(op: OperationNode, frame?: Frame): unknown {
  const seq = op._activatedSeq;
  // While its function runs, an op's activation number is negated (it stays activated): an evaluation nested in the
  // function that reaches the op again is a cycle, reported rather than run again (pyflow would recurse for ever).
  if (seq < 0) throw fail(op, cycleError(op));
  if (asyncCalls !== undefined && asyncCalls.has(op)) throw fail(op, inAsyncCall!(op) ? cycleError(op) : inFlightError(op));
  const executor = executorOf(op);
  if (executor !== undefined) throw fail(op, executorInGetError(op, executor));
  if (holdsHandles(op._parents)) {
    const data = op._parents.find((p) => handleOwner(p) !== undefined)!;
    throw fail(op, handleInGetError(op, data, handleOwner(data)!));
  }
  if (frame !== undefined && op._graph._emit !== undefined) {
    op._graph._emit({ kind: 'running', uid: op.uid, graph: op._graph.alias });
    frame.started = clock.now();
  }
  const parents = op._parents;
  const fn = op._fn as (...a: unknown[]) => unknown;
  const rare = op._rare;
  const templates = rare.args;
  // (Never -0: a field that once holds -0 becomes a double field, 8 bytes more per op for the rest of the process.)
  if (seq > 0) op._activatedSeq = -seq;
  try {
    if (templates === undefined && rare.moreOutputs.length === 0) return callWith(fn, parents);
    const values = new Array<unknown>(parents.length);
    for (let i = 0; i < parents.length; i++) values[i] = parents[i]!._value;
    const result = fn(...(templates === undefined ? values : templates.map((t) => buildArg(t, values))));
    // An op with several outputs may return a generator: it runs here, while the op is marked as running (CYCLE).
    return rare.moreOutputs.length === 0 || Array.isArray(result) || !isIterable(result) ? result : [...result];
  } catch (error) {
    throw fail(op, opFailure(op, error));
  } finally {
    if (seq > 0) op._activatedSeq = seq;
  }
}

/**
 * The ops whose promise a getAsync() evaluation awaits (evaluateAsync's calls in flight), undefined when there are none:
 * a synchronous evaluation cannot wait for them, and calling them again would start a second call (and, from the op's
 * own function after an await, a new one from each call, without end).
 */
let asyncCalls: ReadonlyMap<OperationNode, unknown> | undefined;
/** Whether the running code runs inside the op's call in flight (after an await): then it is a cycle. */
let inAsyncCall: ((op: OperationNode) => boolean) | undefined;
export function setAsyncCalls(calls: ReadonlyMap<OperationNode, unknown>, inside: (op: OperationNode) => boolean): void {
  asyncCalls = calls.size > 0 ? calls : undefined;
  inAsyncCall = inside;
}

/** The arguments an op's function is called with, rebuilt from its parents' values. */
export function argumentsOf(op: OperationNode): unknown[] {
  const parents = op._parents;
  const values = new Array<unknown>(parents.length);
  for (let i = 0; i < parents.length; i++) values[i] = parents[i]!._value;
  const templates = op._rare.args;
  return templates === undefined ? values : templates.map((t) => buildArg(t, values));
}

/**
 * The parents' values that no one reads after `op` (released once it finishes): not kept, persisted, raw or a running
 * evaluation's target, and no other activated op consumes them.
 */
export function movableValues(op: OperationNode): unknown[] {
  const movable: unknown[] = [];
  const parents = op._parents;
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    if (parent._hold !== 0 || isNoValue(parent._value) || parents.indexOf(parent) !== i) continue;
    if (activeConsumerNeeding(parent, op) === undefined) movable.push(parent._value);
  }
  return movable;
}

/** Calls `fn` with the parents' values; the usual arities directly, without an argument array to build and spread. */
function callWith(fn: (...a: unknown[]) => unknown, parents: readonly DataNode[]): unknown {
  switch (parents.length) {
    case 1: return fn(parents[0]!._value);
    case 2: return fn(parents[0]!._value, parents[1]!._value);
    case 0: return fn();
    case 3: return fn(parents[0]!._value, parents[1]!._value, parents[2]!._value);
    default: {
      const values = new Array<unknown>(parents.length);
      for (let i = 0; i < parents.length; i++) values[i] = parents[i]!._value;
      return fn(...values);
    }
  }
}

function inFlightError(op: OperationNode): PyflowError {
  return new PyflowError('ASYNC_IN_GET',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) is being computed by a getAsync() evaluation ` +
    '(its outputs are not stored yet): a synchronous get(), run() or runOnly() cannot wait for it; use getAsync() ' +
    '(or runAsync/runOnlyAsync)', op.uid, op.callSite);
}

export function releasedAgainError(data: DataNode, op: OperationNode): PyflowError {
  return new PyflowError('RELEASED',
    `${data.uid} was released while ${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) waited for its ` +
    'other inputs, after an input of it released the same way had already been computed again (once per waiting op): user ' +
    'code (an op\'s function or an onRelease hook) keeps releasing values this op needs', op.uid, op.callSite);
}

export function cycleError(op: OperationNode): PyflowError {
  return new PyflowError('CYCLE',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) was asked for while it runs: an evaluation ` +
    'started from an op\'s function (a nested get(), getAsync(), run() or runOnly()) needs it, which would never end', op.uid, op.callSite);
}

function buildArg(template: ArgTemplate, values: unknown[]): unknown {
  switch (template.kind) {
    case 'parent':
      return values[template.index];
    case 'array':
      return template.items.map((item) => buildArg(item, values));
    case 'object':
      return Object.fromEntries(template.entries.map(([key, item]) => [key, buildArg(item, values)]));
  }
}

/**
 * Stores the outputs, releases what no activated consumer needs any more, deactivates the op. `ran`: the executor that
 * ran it, and its worker.
 */
export function finishOp(frame: Frame, result: unknown, ran?: { executor: Executor; worker: string }): void {
  const op = frame.op;
  storeOutputs(op, result, ran?.executor);
  const emit = op._graph._emit;
  if (emit !== undefined) {
    const durationMs = clock.now() - frame.started;
    emit(ran === undefined
      ? { kind: 'finished', uid: op.uid, graph: op._graph.alias, durationMs }
      : { kind: 'finished', uid: op.uid, graph: op._graph.alias, durationMs, worker: ran.worker });
  }
  releaseParents(op);
  deactivate(op);
}

/**
 * The graph's result cache has the op's result (its parents have their values): stores it as the op's outputs without
 * calling it (`cached` instead of `running` and `finished`), releases and deactivates as `finishOp` does.
 */
export function runCached(op: OperationNode): boolean {
  // (An op asked for while it runs is a CYCLE, or while a getAsync() awaits it: left to the call's own checks.)
  if (op._activatedSeq < 0 || asyncCalls?.has(op) === true || mustRefresh(op)) return false;
  const cache = op._graph._cache!;
  let hit: { readonly value: unknown } | undefined;
  try {
    const key = keyOfOp(cache, op);
    if (key === null) return false;
    hit = cache.read(key, cacheOpOf(op));
  } catch (error) {
    throw fail(op, opFailure(op, error));
  }
  if (hit === undefined) return false;
  op._graph._emit?.({ kind: 'cached', uid: op.uid, graph: op._graph.alias });
  storeOutputs(op, hit.value, undefined, true);
  releaseParents(op);
  deactivate(op);
  return true;
}

/** Writes a result the op's function (or an executor) returned to the graph's cache, when it has a key. */
function writeCache(op: OperationNode, value: unknown): void {
  const cache = op._graph._cache!;
  try {
    const key = keyOfOp(cache, op);
    if (key !== null) cache.write(key, cacheOpOf(op), value);
  } catch (error) {
    throw fail(op, opFailure(op, error));
  }
}

/**
 * Stores an op's result as its outputs. `executor`: the one that returned it (told when they are released); `fromCache`:
 * read from the graph's cache (not written back).
 */
function storeOutputs(op: OperationNode, result: unknown, executor?: Executor, fromCache = false): void {
  const first = op._output;
  if (first === undefined) return;
  if (op._graph._cache !== undefined && !fromCache && executor?.resolve === undefined) writeCache(op, result);
  if (op._rare.moreOutputs.length === 0) {
    setValue(first, result);
    if (executor !== undefined) recordOwner(first, executor);
    return;
  }
  const outputs = op.outputs;
  let items: unknown[] | undefined;
  try {
    items = Array.isArray(result) ? result : isIterable(result) ? [...result] : undefined;
  } catch (error) {
    // A generator that throws: the op's own failure.
    throw fail(op, opFailure(op, error));
  }
  if (items === undefined || items.length !== outputs.length) {
    const got = items === undefined ? `a non-iterable ${result === null ? 'null' : typeof result}` : `${items.length} values`;
    throw fail(op, new PyflowError('OUTPUT_COUNT',
      `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) was declared with nOut: ${outputs.length} but returned ${got}`,
      op.uid, op.callSite));
  }
  for (let i = 0; i < outputs.length; i++) {
    setValue(outputs[i]!, items[i]);
    if (executor !== undefined) recordOwner(outputs[i]!, executor);
  }
}

function setValue(data: DataNode, value: unknown): void {
  data._value = value;
  const graph = data._graph;
  if (graph._emit !== undefined && graph._previewValues()) {
    graph._emit({ kind: 'value', uid: data.uid, graph: graph.alias, preview: previewValue(value), dim: dimensionOf(value) });
  }
}

/** pyflow's release rule: a parent is kept while an activated consumer still needs it (see `needs`). */
function releaseParents(op: OperationNode): void {
  const parents = op._parents;
  // The first release hook (`onRelease`, `Symbol.dispose`) that threw: the other parents are still released, then the
  // evaluation fails with it.
  let failure: PyflowError | undefined;
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    // A parent passed twice is offered once: released the first time, it no longer has a value; still needed,
    // it is said once (only looked for when someone listens).
    if (parent._hold !== 0 || isNoValue(parent._value)) continue;
    // The op that just ran has its outputs: it needs nothing more (an output-less op, as in pyflow, still "needs"
    // its inputs: pyflow says they are still needed at it, and keeps them).
    const neededBy = activeConsumerNeeding(parent, op._output === undefined ? undefined : op);
    if (neededBy === undefined) {
      const error = releaseParent(parent);
      if (error !== undefined) failure ??= error;
    } else if (parent._graph._emit !== undefined) stillNeeded(parents, i, neededBy);
  }
  if (failure !== undefined) throw failure;
}

/**
 * `releaseParents` for an op that has an output, in a graph nobody listens to: a parent of the op's own graph whose value
 * is not an object is released in place when the graph has no onRelease hook; anything else takes `releaseParents`.
 */
function releaseReadyParents(op: OperationNode, parents: readonly DataNode[]): void {
  const graph = op._graph;
  // The op's function may have subscribed the graph's first listener: it hears the releases from here on.
  if (graph._emit !== undefined) return releaseParents(op);
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    if (parent._hold !== 0) continue;
    const value = parent._value;
    if (isNoValue(value)) continue;
    // (A parent of another graph may be traced: its `stillNeeded` and `released` events.)
    if (parent._graph !== graph) return releaseParents(op);
    if (activeConsumerNeeding(parent, op) !== undefined) continue;
    if ((typeof value === 'object' && value !== null) || graph._hasReleaseHook()) return releaseParents(op);
    parent._value = NO_VALUE;
  }
}

/** Releases a parent; a release hook that throws is returned as a RELEASE_FAILED error. */
function releaseParent(data: DataNode): PyflowError | undefined {
  try {
    releaseValue(data);
    return undefined;
  } catch (error) {
    return new PyflowError('RELEASE_FAILED',
      `releasing ${data.uid} (graph "${data._graph.alias}") failed: its onRelease hook, the value's Symbol.dispose or a trace listener threw: ` +
      (error instanceof Error ? error.message : String(error)), data.uid, undefined, { cause: error });
  }
}

/** `data_3 still needed at return2_4`, once for a parent passed more than once. */
function stillNeeded(parents: readonly DataNode[], i: number, neededBy: OperationNode): void {
  const parent = parents[i]!;
  for (let j = 0; j < i; j++) if (parents[j] === parent) return;
  parent._graph._emit?.({ kind: 'stillNeeded', uid: parent.uid, graph: parent._graph.alias, neededBy: neededBy.uid });
}

/** An activated consumer of `data`, other than `done` (the op that just ran: it needs nothing more). */
function activeConsumerNeeding(data: DataNode, done: OperationNode | undefined): OperationNode | undefined {
  const first = data._consumer;
  if (first !== done && first !== undefined && needs(first)) return first;
  const more = data._moreConsumers;
  if (more === undefined) return undefined;
  if (!Array.isArray(more)) return more !== done && needs(more) ? more : undefined;
  for (let i = 0; i < more.length; i++) {
    const consumer = more[i]!;
    if (consumer !== done && needs(consumer)) return consumer;
  }
  return undefined;
}

/**
 * Whether an op still needs its inputs: it is activated (it has yet to run in an evaluation). pyflow also asks that it
 * lack an output, which differs only for an op asked for again while its outputs are kept (`runOnly(op)`): pyflow then
 * releases an input it has already read while the op waits for another, and the op runs with the value it holds. Ours
 * reads its inputs when it runs, and released values may be disposed: so the input is kept until the op has run.
 */
function needs(consumer: OperationNode): boolean {
  return consumer._activatedSeq !== 0;
}

/** Drops a value, reports `released`, and disposes it (Symbol.dispose / asyncDispose) or hands it to onRelease. */
export function releaseValue(data: DataNode): void {
  const value = data._value;
  data._value = NO_VALUE;
  data._graph._emit?.({ kind: 'released', uid: data.uid, graph: data._graph.alias });
  releasedByEngine(data, value);
  data._graph._disposeValue(value, data);
}

/**
 * Activates, in pyflow's pre-order, `start` and every op reachable from it through data nodes that lack a value.
 * Each node is walked once per evaluation.
 */
export function activateFrom(ctx: EvalContext, start: OperationNode): void {
  activateWalk(ctx.visit, start);
}

/** `activateFrom`, marking the nodes it walks with `visit`. */
function activateWalk(visit: number, start: OperationNode): void {
  // Data nodes only (one type on the stack, no type test per node); a producer is walked as soon as its data
  // node is popped, which is the pre-order of a stack holding both.
  // Made only when a parent lacks its value (G.run() activates op after op whose parents all have theirs).
  let stack: DataNode[] | undefined;
  let op: OperationNode | undefined = start;
  for (;;) {
    // (A node visited earlier in this evaluation is walked again if it has run since and user code released its value:
    // computing it again needs its inputs activated again, as pyflow's get() does.)
    if (op !== undefined && (op._visit !== visit || op._activatedSeq === 0)) {
      op._visit = visit;
      activate(op);
      const parents = op._parents;
      for (let i = parents.length - 1; i >= 0; i--) {
        const parent = parents[i]!;
        if (isNoValue(parent._value)) (stack ??= []).push(parent);
      }
    }
    const data = stack?.pop();
    if (data === undefined) break;
    op = undefined;
    if (!isNoValue(data._value) || (data._visit === visit && (data._producer === undefined || data._producer._activatedSeq !== 0))) continue;
    // Reached from another graph that grafted it, after G.remove() took it out of its own.
    if (data._visit === REMOVED) throw removedError(data);
    data._visit = visit;
    op = data._producer;
  }
}

export function activate(op: OperationNode): void {
  if (op._activatedSeq !== 0) return;
  op._activatedSeq = ++activationSeq;
  op._graph._emit?.({ kind: 'activated', uid: op.uid, graph: op._graph.alias });
}

function deactivate(op: OperationNode): void {
  if (op._activatedSeq === 0) return;
  op._activatedSeq = 0;
  op._graph._emit?.({ kind: 'deactivated', uid: op.uid, graph: op._graph.alias });
}

/**
 * After a failure: deactivates everything this evaluation activated (in activation order), so the graph can be
 * run again. Those ops are ancestors of the evaluation's starts; the walk is rare, so it may allocate.
 */
export function abort(ctx: EvalContext): void {
  const seen = new Set<Target>();
  const stack: Target[] = [...ctx.preActivated, ...ctx.targets];
  const active: OperationNode[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node instanceof DataNode) {
      if (node._producer !== undefined) stack.push(node._producer);
      continue;
    }
    if (node._activatedSeq >= ctx.firstSeq) active.push(node);
    for (const parent of node._parents) stack.push(parent);
  }
  active.sort((a, b) => a._activatedSeq - b._activatedSeq);
  for (const op of active) {
    try {
      deactivate(op);
    } catch {
      // A listener that throws on the `deactivated` event: the op is deactivated all the same (before the event), and
      // the evaluation fails with its first error; every other op must be deactivated too.
    }
  }
}

export function opFailure(op: OperationNode, error: unknown): PyflowError {
  if (error instanceof PyflowError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PyflowError('OP_FAILED',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) threw: ${message}`, op.uid, op.callSite, { cause: error });
}

export function fail(op: OperationNode, error: PyflowError): PyflowError {
  op._graph._emit?.({ kind: 'error', uid: op.uid, graph: op._graph.alias, message: error.message });
  return error;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/** The clock of `finished.durationMs`: performance.now() (Date.now() where there is none), read as `clock.now()`. */
const clock: { now(): number } = (globalThis as { performance?: { now(): number } }).performance ?? Date;
