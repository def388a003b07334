import { NO_VALUE, type DataNode, type OperationNode } from './nodes.js';
import type { GraphBuilder } from './graphBuilder.js';
import { currentHost } from './trace.js';
import {
  EvalContext, abort, activate, beginCompute, disturb, newContext, callOp, fail, finishOp, firstOp, isThenable, opFailure, releasedAgainError, resultOf,
  type Frame, type Target,
} from './evaluator.js';

/*
 * The asynchronous evaluator: the same order as the synchronous one (with a frame per waiting op) while ops return plain
 * values, so a synchronous graph prints the same trace under getAsync(). When an op returns a promise
 * its frame is set aside as in flight and the walk goes on with the next parent that is still missing, so
 * independent ops run concurrently (at most `concurrency` promises at once). A frame whose remaining
 * parents are all in flight waits in `blocked` and is resumed when one of them settles.
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

interface InFlight {
  frame: Frame;
  promise: Promise<{ inflight: InFlight; ok: boolean; value: unknown }>;
}

export async function evaluateAsync(graph: GraphBuilder, targets: readonly Target[], preActivate?: readonly OperationNode[]): Promise<unknown[]> {
  currentHost()?.beforeEvaluate?.(graph, targets);
  disturb();
  let ctx: EvalContext | undefined;
  try {
    ctx = newContext(targets, preActivate);
    if (preActivate) for (const op of preActivate) await evaluateTarget(ctx, op, graph._concurrency);
    const results: unknown[] = [];
    for (const target of targets) {
      await evaluateTarget(ctx, target, graph._concurrency);
      results.push(resultOf(target));
    }
    return results;
  } catch (error) {
    if (ctx) abort(ctx);
    throw error;
  }
}

async function evaluateTarget(ctx: EvalContext, target: Target, concurrency: number): Promise<void> {
  const stack: Frame[] = [];
  const blocked: Frame[] = [];
  const inflight = new Map<OperationNode, InFlight>();
  const framed = new Set<OperationNode>();
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
      if (inflight.size >= concurrency) {
        blocked.push(stack.pop()!);
        break;
      }
      stack.pop();
      const result = callOp(frame);
      if (isThenable(result)) {
        const entry: InFlight = { frame, promise: undefined as never };
        entry.promise = Promise.resolve(result).then(
          (value) => ({ inflight: entry, ok: true, value }),
          (value: unknown) => ({ inflight: entry, ok: false, value }),
        );
        inflight.set(frame.op, entry);
        continue;
      }
      framed.delete(frame.op);
      finishOp(frame, result);
    }
    if (inflight.size === 0) {
      if (blocked.length === 0) return;
      stack.push(...blocked.splice(0).reverse());
      continue;
    }
    const settled = await Promise.race([...inflight.values()].map((f) => f.promise));
    const op = settled.inflight.frame.op;
    inflight.delete(op);
    framed.delete(op);
    if (!settled.ok) throw fail(op, opFailure(op, settled.value));
    finishOp(settled.inflight.frame, settled.value);
    stack.push(...blocked.splice(0).reverse());
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
