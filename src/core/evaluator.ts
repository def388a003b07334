import { DataNode, OperationNode, removedError, type ArgTemplate } from './nodes.js';
import type { GraphBuilder } from './graphBuilder.js';
import { PyflowError, describeCallSite } from './errors.js';
import { currentHost } from './trace.js';
import { dimensionOf, previewValue } from './dims.js';

/*
 * The evaluation algorithm of pyflow, without recursion.
 *
 * get(d) on a data node without a value: emit `computing d`, activate every op that d needs (the op
 * ancestors reachable through data nodes without a value, pre-order, parents in argument order), then run
 * d's producer. Running an op first gets each parent in argument order (computing the ones without a
 * value the same way), then calls the function, stores the outputs, offers each parent for release, and
 * deactivates the op. The explicit stack of frames replaces pyflow's recursion and keeps its order.
 *
 * Invariants:
 * - A data node whose consumer is activated and still lacks an output is never released, so once an op is
 *   activated its whole missing ancestry is activated too; nested activations therefore only walk nodes
 *   not yet visited in this evaluation (pyflow re-walks them: exponential on lattices).
 * - `ctx.activated` lists every op this evaluation activated; on failure each one still active is
 *   deactivated, so the graph stays consistent and can be evaluated again.
 * - Events go to the graph that owns the node (grafted graphs report their own nodes), and are only
 *   built when that graph has a listener.
 */

let epoch = 0;
/** Marks the parents already offered for release by the op being finished (a parent may be passed twice). */
let releaseMark = 0;

export class EvalContext {
  readonly visit = ++epoch;
  readonly activated: OperationNode[] = [];
  /** `G.run()`: every pending op was activated up front; op targets that already ran are skipped. */
  runAll = false;
}

/**
 * Creates the context of one evaluation. `preActivate` ops are activated first, in order (`G.run()`).
 * With several targets, everything they need is activated before any of them runs (pyflow's
 * `run_only`): otherwise a value shared by two targets would be released after the first and computed
 * again for the second, which on a lattice multiplies without bound.
 */
export function newContext(targets: readonly Target[], preActivate?: readonly OperationNode[]): EvalContext {
  const ctx = new EvalContext();
  if (preActivate) {
    ctx.runAll = true;
    for (const op of preActivate) activate(ctx, op);
  } else if (targets.length > 1) {
    ctx.runAll = true;
    const starts: OperationNode[] = [];
    for (const t of targets) {
      if (t._removed) throw removedError(t);
      if (t instanceof OperationNode) starts.push(t);
      else if (!t._hasValue && t._producer !== undefined) starts.push(t._producer);
    }
    activateAncestors(ctx, starts);
  }
  return ctx;
}

/**
 * One op waiting for its parents: `next` is the first parent not known to have a value. Values are read
 * when the op is called: a parent of an activated op that still lacks an output is never released.
 */
export interface Frame {
  op: OperationNode;
  next: number;
  started: number;
}

export type Target = DataNode | OperationNode;

export function evaluateSync(graph: GraphBuilder, targets: readonly Target[], preActivate?: readonly OperationNode[]): unknown[] {
  currentHost()?.beforeEvaluate?.(graph, targets);
  let ctx: EvalContext | undefined;
  try {
    ctx = newContext(targets, preActivate);
    return targets.map((target) => evaluateTarget(ctx!, target));
  } catch (error) {
    if (ctx) abort(ctx);
    throw error;
  }
}

function evaluateTarget(ctx: EvalContext, target: Target): unknown {
  // The frames of this evaluation, reused as the stack grows and shrinks (one per depth, not one per op).
  const frames: Frame[] = [];
  let depth = 0;
  const push = (op: OperationNode): void => {
    const frame = frames[depth];
    if (frame === undefined) frames[depth] = { op, next: 0, started: 0 };
    else {
      frame.op = op;
      frame.next = 0;
      frame.started = 0;
    }
    depth++;
  };
  const first = firstOp(ctx, target);
  if (first !== undefined) push(first);
  while (depth > 0) {
    const frame = frames[depth - 1]!;
    const parent = nextMissingParent(frame);
    if (parent !== undefined) {
      push(beginCompute(ctx, parent));
      continue;
    }
    const result = callOp(frame);
    if (isThenable(result)) {
      void Promise.resolve(result).catch(() => undefined);
      const op = frame.op;
      throw fail(op, new PyflowError('ASYNC_IN_GET',
        `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) returned a Promise: ` +
        'evaluate this graph with `await node.getAsync()` (or runAsync/runOnlyAsync) instead of `get()`', op.uid, op.callSite));
    }
    finishOp(frame, result);
    depth--;
  }
  // Let the frames go now (a 1e6 chain has as many), not whenever V8 drops this closure's context.
  frames.length = 0;
  return target instanceof DataNode ? target._value : undefined;
}

/** The first op a target needs run (activated), or undefined when it already has its value. */
export function firstOp(ctx: EvalContext, target: Target): OperationNode | undefined {
  if (target._removed) throw removedError(target);
  if (target instanceof DataNode) return target._hasValue ? undefined : beginCompute(ctx, target);
  if (ctx.runAll && !target._active) return undefined;
  activateAncestors(ctx, [target]);
  return target;
}

/** `computing for d`: activates what d needs and returns d's producer, to run next. */
export function beginCompute(ctx: EvalContext, data: DataNode): OperationNode {
  const producer = data._producer;
  if (producer === undefined) {
    throw new PyflowError('NO_VALUE', `${data.uid} is a raw input whose value was released; it cannot be recomputed`, data.uid);
  }
  data._graph._emit?.({ kind: 'computing', uid: data.uid, graph: data._graph.alias });
  if (producer._visit !== ctx.visit) activateAncestors(ctx, [producer]);
  return producer;
}

export function newFrame(op: OperationNode): Frame {
  return { op, next: 0, started: 0 };
}

/** The first parent (in argument order) that must be computed before the op can run. */
export function nextMissingParent(frame: Frame): DataNode | undefined {
  const parents = frame.op._parents;
  while (frame.next < parents.length) {
    const parent = parents[frame.next]!;
    if (!parent._hasValue) return parent;
    frame.next++;
  }
  return undefined;
}

/** Calls the op's function with its arguments (`running`); a throw becomes a PyflowError. */
export function callOp(frame: Frame): unknown {
  const op = frame.op;
  const emit = op._graph._emit;
  if (emit !== undefined) {
    emit({ kind: 'running', uid: op.uid, graph: op._graph.alias });
    frame.started = now();
  }
  const parents = op._parents;
  const fn = op._fn as (...a: unknown[]) => unknown;
  if (op._args === undefined && parents.length <= 3) {
    // The usual arities, called directly: no argument array to build and spread.
    try {
      switch (parents.length) {
        case 0: return fn();
        case 1: return fn(parents[0]!._value);
        case 2: return fn(parents[0]!._value, parents[1]!._value);
        default: return fn(parents[0]!._value, parents[1]!._value, parents[2]!._value);
      }
    } catch (error) {
      throw fail(op, opFailure(op, error));
    }
  }
  const values = new Array<unknown>(parents.length);
  for (let i = 0; i < parents.length; i++) values[i] = parents[i]!._value;
  const args = op._args === undefined ? values : op._args.map((t) => buildArg(t, values));
  try {
    return fn(...args);
  } catch (error) {
    throw fail(op, opFailure(op, error));
  }
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

/** Stores the outputs, releases what no activated consumer needs any more, deactivates the op. */
export function finishOp(frame: Frame, result: unknown): void {
  const op = frame.op;
  storeOutputs(op, result);
  const emit = op._graph._emit;
  if (emit !== undefined) emit({ kind: 'finished', uid: op.uid, graph: op._graph.alias, durationMs: now() - frame.started });
  releaseParents(op);
  deactivate(op);
}

function storeOutputs(op: OperationNode, result: unknown): void {
  const outputs = op._outputs;
  if (outputs.length === 0) return;
  if (outputs.length === 1) {
    setValue(outputs[0]!, result);
    return;
  }
  const items = Array.isArray(result) ? result : isIterable(result) ? [...result] : undefined;
  if (items === undefined || items.length !== outputs.length) {
    const got = items === undefined ? `a non-iterable ${result === null ? 'null' : typeof result}` : `${items.length} values`;
    throw fail(op, new PyflowError('OUTPUT_COUNT',
      `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) was declared with nOut: ${outputs.length} but returned ${got}`,
      op.uid, op.callSite));
  }
  for (let i = 0; i < outputs.length; i++) setValue(outputs[i]!, items[i]);
}

function setValue(data: DataNode, value: unknown): void {
  data._value = value;
  data._hasValue = true;
  const graph = data._graph;
  if (graph._emit !== undefined && graph._previewValues()) {
    graph._emit({ kind: 'value', uid: data.uid, graph: graph.alias, preview: previewValue(value), dim: dimensionOf(value) });
  }
}

/** pyflow's release rule: a parent is kept while an activated consumer still lacks an output. */
function releaseParents(op: OperationNode): void {
  const parents = op._parents;
  const mark = ++releaseMark;
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    if (parent._mark === mark) continue;
    parent._mark = mark;
    if (parent._persist || parent._keep || !parent._hasValue) continue;
    const neededBy = activeConsumerNeeding(parent);
    if (neededBy === undefined) releaseValue(parent);
    else parent._graph._emit?.({ kind: 'stillNeeded', uid: parent.uid, graph: parent._graph.alias, neededBy: neededBy.uid });
  }
}

function activeConsumerNeeding(data: DataNode): OperationNode | undefined {
  const first = data._consumer;
  if (first === undefined || needs(first)) return first;
  for (const consumer of data._moreConsumers) if (needs(consumer)) return consumer;
  return undefined;
}

/** Whether an op is activated and still lacks an output (so its inputs must be kept). */
function needs(consumer: OperationNode): boolean {
  if (!consumer._active) return false;
  const outputs = consumer._outputs;
  if (outputs.length === 0) return true;
  for (const output of outputs) if (!output._hasValue) return true;
  return false;
}

/** Drops a value, reports `released`, and disposes it (Symbol.dispose / asyncDispose) or hands it to onRelease. */
export function releaseValue(data: DataNode): void {
  const value = data._value;
  data._value = undefined;
  data._hasValue = false;
  data._graph._emit?.({ kind: 'released', uid: data.uid, graph: data._graph.alias });
  data._graph._disposeValue(value, data);
}

/**
 * Activates, in pyflow's pre-order, every op reachable from `starts` through data nodes that lack a value.
 * Each node is walked once per evaluation.
 */
export function activateAncestors(ctx: EvalContext, starts: readonly (DataNode | OperationNode)[]): void {
  const visit = ctx.visit;
  const stack: (DataNode | OperationNode)[] = [];
  for (let i = starts.length - 1; i >= 0; i--) stack.push(starts[i]!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node instanceof DataNode) {
      if (node._hasValue || node._visit === visit) continue;
      node._visit = visit;
      if (node._producer !== undefined) stack.push(node._producer);
      continue;
    }
    if (node._visit === visit) continue;
    node._visit = visit;
    activate(ctx, node);
    const parents = node._parents;
    for (let i = parents.length - 1; i >= 0; i--) stack.push(parents[i]!);
  }
}

export function activate(ctx: EvalContext, op: OperationNode): void {
  if (op._active) return;
  op._active = true;
  ctx.activated.push(op);
  op._graph._emit?.({ kind: 'activated', uid: op.uid, graph: op._graph.alias });
}

function deactivate(op: OperationNode): void {
  if (!op._active) return;
  op._active = false;
  op._graph._emit?.({ kind: 'deactivated', uid: op.uid, graph: op._graph.alias });
}

/** After a failure: deactivates everything this evaluation activated, so the graph can be run again. */
export function abort(ctx: EvalContext): void {
  for (const op of ctx.activated) deactivate(op);
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

const clock = (globalThis as { performance?: { now(): number } }).performance;
function now(): number {
  return clock ? clock.now() : Date.now();
}
