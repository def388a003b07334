import { DataNode, OperationNode, type ArgTemplate } from './nodes.js';
import type { GraphBuilder } from './graphBuilder.js';
import { PyflowError, describeCallSite } from './errors.js';
import { currentHost, type TraceEvent } from './trace.js';
import { dimensionOf, previewValue } from './dims.js';

/*
 * The evaluation algorithm of pyflow, without recursion.
 *
 * get(d) on a data node without a value: emit `computing d`, activate every op that d needs (the op
 * ancestors reachable through data nodes without a value, pre-order, parents in argument order), then run
 * d's producer. Running an op first gets each parent in argument order (recursively computing the ones
 * without a value), then calls the function, stores the outputs, offers each parent for release, and
 * deactivates the op.
 *
 * Invariants:
 * - A data node whose consumer is activated and still lacks an output is never released, so once an op is
 *   activated its whole missing ancestry is activated too; nested gets therefore only walk nodes not yet
 *   visited in this evaluation (pyflow re-walks them: exponential on lattices).
 * - `ctx.activated` lists every op this evaluation activated; on failure each still active one is
 *   deactivated, so the graph can be evaluated again.
 */

type Emit = ((event: TraceEvent) => void) | undefined;

let epoch = 0;

class EvalContext {
  readonly visit = ++epoch;
  readonly activated: OperationNode[] = [];
  readonly emit: Emit;
  readonly previews: boolean;
  constructor(readonly graph: GraphBuilder) {
    this.emit = graph._emitter();
    this.previews = graph._previewValues();
  }
}

/** One op waiting for its parents: `next` is the first parent not yet resolved. */
interface Frame {
  op: OperationNode;
  next: number;
  values: unknown[];
}

export type Target = DataNode | OperationNode;

export function evaluateSync(graph: GraphBuilder, targets: readonly Target[]): unknown[] {
  currentHost()?.beforeEvaluate?.(graph, targets);
  const ctx = new EvalContext(graph);
  try {
    return targets.map((target) => evaluateTarget(ctx, target));
  } catch (error) {
    abort(ctx);
    throw error;
  }
}

export async function evaluateAsync(graph: GraphBuilder, targets: readonly Target[]): Promise<unknown[]> {
  currentHost()?.beforeEvaluate?.(graph, targets);
  const ctx = new EvalContext(graph);
  try {
    const results: unknown[] = [];
    for (const target of targets) results.push(await evaluateTargetAsync(ctx, target));
    return results;
  } catch (error) {
    abort(ctx);
    throw error;
  }
}

function evaluateTarget(ctx: EvalContext, target: Target): unknown {
  const stack = startTarget(ctx, target);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (descend(ctx, stack, frame)) continue;
    const result = call(ctx, frame);
    if (isThenable(result)) {
      void Promise.resolve(result).catch(() => undefined);
      throw fail(ctx, frame.op, new PyflowError('ASYNC_IN_GET',
        `${frame.op.uid} (${frame.op.fnName}, added at ${describeCallSite(frame.op.callSite)}) returned a Promise: ` +
        'evaluate this graph with `await node.getAsync()` instead of `get()`', frame.op.uid, frame.op.callSite));
    }
    finish(ctx, frame, result);
    stack.pop();
  }
  return target instanceof DataNode ? target._value : undefined;
}

async function evaluateTargetAsync(ctx: EvalContext, target: Target): Promise<unknown> {
  const stack = startTarget(ctx, target);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (descend(ctx, stack, frame)) continue;
    let result = call(ctx, frame);
    if (isThenable(result)) {
      try {
        result = await result;
      } catch (error) {
        throw fail(ctx, frame.op, opFailure(frame.op, error));
      }
    }
    finish(ctx, frame, result);
    stack.pop();
  }
  return target instanceof DataNode ? target._value : undefined;
}

function startTarget(ctx: EvalContext, target: Target): Frame[] {
  if (target instanceof DataNode) {
    if (target._hasValue) return [];
    return [startCompute(ctx, target)];
  }
  activateAncestors(ctx, [target]);
  return [{ op: target, next: 0, values: [] }];
}

function startCompute(ctx: EvalContext, data: DataNode): Frame {
  const producer = data._producer;
  if (producer === undefined) {
    throw new PyflowError('NO_VALUE', `${data.uid} is a raw input whose value was released; it cannot be recomputed`, data.uid);
  }
  ctx.emit?.({ kind: 'computing', uid: data.uid, graph: data._graph.alias });
  activateAncestors(ctx, [producer]);
  return { op: producer, next: 0, values: [] };
}

/** Resolves the frame's parents in order; pushes a frame and returns true when one must be computed. */
function descend(ctx: EvalContext, stack: Frame[], frame: Frame): boolean {
  const parents = frame.op._parents;
  while (frame.next < parents.length) {
    const parent = parents[frame.next]!;
    if (!parent._hasValue) {
      stack.push(startCompute(ctx, parent));
      return true;
    }
    frame.values.push(parent._value);
    frame.next++;
  }
  return false;
}

function call(ctx: EvalContext, frame: Frame): unknown {
  const op = frame.op;
  ctx.emit?.({ kind: 'running', uid: op.uid, graph: op._graph.alias });
  const args = op._args === undefined ? frame.values : op._args.map((t) => buildArg(t, frame.values));
  try {
    return (op._fn as (...a: unknown[]) => unknown)(...args);
  } catch (error) {
    throw fail(ctx, op, opFailure(op, error));
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

function finish(ctx: EvalContext, frame: Frame, result: unknown): void {
  const op = frame.op;
  frame.values.length = 0;
  storeOutputs(ctx, op, result);
  releaseParents(ctx, op);
  deactivate(ctx, op);
}

function storeOutputs(ctx: EvalContext, op: OperationNode, result: unknown): void {
  const outputs = op._outputs;
  if (outputs.length === 0) return;
  if (op._nOut === 1) {
    setValue(ctx, outputs[0]!, result);
    return;
  }
  const items = Array.isArray(result) ? result : isIterable(result) ? [...result] : undefined;
  if (items === undefined || items.length !== outputs.length) {
    const got = items === undefined ? `a non-iterable ${typeof result}` : `${items.length} values`;
    throw fail(ctx, op, new PyflowError('OUTPUT_COUNT',
      `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) was declared with nOut: ${op._nOut} but returned ${got}`,
      op.uid, op.callSite));
  }
  for (let i = 0; i < outputs.length; i++) setValue(ctx, outputs[i]!, items[i]);
}

function setValue(ctx: EvalContext, data: DataNode, value: unknown): void {
  data._value = value;
  data._hasValue = true;
  if (ctx.previews && ctx.emit) {
    ctx.emit({ kind: 'value', uid: data.uid, graph: data._graph.alias, preview: previewValue(value), dim: dimensionOf(value) });
  }
}

/** pyflow's release rule: a parent is kept while an activated consumer still lacks an output. */
function releaseParents(ctx: EvalContext, op: OperationNode): void {
  const parents = op._parents;
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    if (parent._persist || !parent._hasValue || parents.indexOf(parent) !== i) continue;
    const neededBy = activeConsumerNeeding(parent);
    if (neededBy !== undefined) {
      ctx.emit?.({ kind: 'stillNeeded', uid: parent.uid, graph: parent._graph.alias, neededBy: neededBy.uid });
    } else {
      releaseValue(ctx.graph, parent);
    }
  }
}

function activeConsumerNeeding(data: DataNode): OperationNode | undefined {
  for (const consumer of data._consumers) {
    if (!consumer._active) continue;
    const outputs = consumer._outputs;
    if (outputs.length === 0) return consumer;
    for (const output of outputs) if (!output._hasValue) return consumer;
  }
  return undefined;
}

/** Drops a value, disposing it if it is disposable, and reports `released`. */
export function releaseValue(graph: GraphBuilder, data: DataNode): void {
  const value = data._value;
  data._value = undefined;
  data._hasValue = false;
  graph._emitter()?.({ kind: 'released', uid: data.uid, graph: data._graph.alias });
  graph._disposeValue(value, data);
}

/**
 * Activates, in pyflow's pre-order, every op reachable from `roots` through data nodes that lack a value.
 * Each node is walked once per evaluation.
 */
function activateAncestors(ctx: EvalContext, starts: readonly (DataNode | OperationNode)[]): void {
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
    activateOp(ctx, node);
    const parents = node._parents;
    for (let i = parents.length - 1; i >= 0; i--) stack.push(parents[i]!);
  }
}

function activateOp(ctx: EvalContext, op: OperationNode): void {
  op._visit = ctx.visit;
  if (op._active) return;
  op._active = true;
  ctx.activated.push(op);
  ctx.emit?.({ kind: 'activated', uid: op.uid, graph: op._graph.alias });
}

function deactivate(ctx: EvalContext, op: OperationNode): void {
  if (!op._active) return;
  op._active = false;
  ctx.emit?.({ kind: 'deactivated', uid: op.uid, graph: op._graph.alias });
}

function abort(ctx: EvalContext): void {
  for (const op of ctx.activated) deactivate(ctx, op);
}

function opFailure(op: OperationNode, error: unknown): PyflowError {
  if (error instanceof PyflowError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PyflowError('OP_FAILED',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) threw: ${message}`, op.uid, op.callSite, { cause: error });
}

function fail(ctx: EvalContext, op: OperationNode, error: PyflowError): PyflowError {
  ctx.emit?.({ kind: 'error', uid: op.uid, graph: op._graph.alias, message: error.message });
  return error;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
