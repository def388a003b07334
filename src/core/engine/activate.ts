import { DataNode, OperationNode, isNoValue, removedError } from '../nodes.js';
import type { GraphBuilder } from '../graphBuilder.js';
import { PyflowError } from '../errors.js';
import { isCacheHit } from './cache.js';

/*
 * Activation (pyflow's order) and deactivation.
 *
 * Computing a data node without a value reports `computing`, then activates every op it needs: its producer and, through
 * the producer's parents that lack a value, their producers, pre-order, parents in argument order. An activated op
 * keeps its inputs (see release.ts) until it has run; running it deactivates it (run.ts).
 *
 * Invariants:
 * - The engine never releases a data node that an activated op consumes, so once an op is activated its whole missing
 *   ancestry is too: each node is walked once per evaluation (`_walk`), where pyflow walks it again for every path that
 *   reaches it (exponential on lattices). Only user code (`releaseMemory()` in an op's function) takes such a value
 *   away; then it is walked again when it is computed again.
 * - An evaluation remembers the ops it activated, in order; if it fails, those still activated are deactivated in that
 *   order (`abort`), so the graph can be evaluated again. An evaluation nested in an op's function cleans up its own.
 */

export type Target = DataNode | OperationNode;

let evaluations = 0;

/** One evaluation: `get()`, `getAsync()`, `G.run()`, `G.runOnly()` and their async forms. */
export class Evaluation {
  /** Marks the nodes its activation walks passed (`_walk`). */
  readonly walk = ++evaluations;
  /** The ops it activated, in order (`abort`). */
  readonly activated: OperationNode[] = [];
  /** Activated ops whose result the cache has, activated without their inputs (`servedFromCache`) and not read yet. */
  hits: Set<OperationNode> | undefined = undefined;
  /** Every op it needed was activated up front (`G.run()`, several targets): an op target found deactivated has run. */
  runAll = false;
  constructor(
    readonly graph: GraphBuilder,
    readonly targets: readonly Target[],
  ) {}
}

/**
 * Starts an evaluation. `pending` (`G.run()`): these ops are activated first, in order. With several targets, everything
 * they need is activated before any of them runs (pyflow's `run_only`): otherwise a value shared by two targets would
 * be released after the first and computed again for the second.
 */
export function startEvaluation(graph: GraphBuilder, targets: readonly Target[], pending: readonly OperationNode[] | undefined): Evaluation {
  const evaluation = new Evaluation(graph, targets);
  try {
    if (pending !== undefined) {
      evaluation.runAll = true;
      for (const op of pending) activate(evaluation, op);
    } else if (targets.length > 1) {
      evaluation.runAll = true;
      for (const target of targets) {
        if (target._removed) throw removedError(target);
        if (target instanceof OperationNode) activateFrom(evaluation, target);
        else if (isNoValue(target._value) && target._producer !== undefined) activateFrom(evaluation, target._producer);
      }
    }
  } catch (error) {
    // A listener that threw on an `activated` event, or a removed node: nothing stays activated.
    abort(evaluation);
    throw error;
  }
  return evaluation;
}

/** Counts an evaluation's data targets as its own while it runs (`by` 1), or no longer (`by` -1). */
export function holdTargets(targets: readonly Target[], by: number): void {
  for (const target of targets) if (target instanceof DataNode) target._targetOf += by;
}

/** The first op a target needs run (activated), or undefined when there is nothing to run. */
export function firstOp(evaluation: Evaluation, target: Target): OperationNode | undefined {
  if (target._removed) throw removedError(target);
  if (target instanceof DataNode) return isNoValue(target._value) ? beginCompute(evaluation, target) : undefined;
  if (evaluation.runAll && !target._active) return undefined;
  activateFrom(evaluation, target);
  return target;
}

/** `computing for d`: activates what d needs and returns d's producer, to run next. */
export function beginCompute(evaluation: Evaluation, data: DataNode): OperationNode {
  const producer = data._producer;
  if (producer === undefined) throw noValueError(data);
  data._graph._emit?.({ kind: 'computing', uid: data.uid, graph: data._graph.alias });
  if (producer._removed) throw removedError(data);
  // Not walked yet, or run already in this evaluation and its output released since (by an op's function).
  if (producer._walk !== evaluation.walk || !producer._active) activateFrom(evaluation, producer);
  return producer;
}

/**
 * Activates, in pyflow's pre-order, `start` and every op reachable from it through data nodes that lack a value. With a
 * result cache, an op whose result the cache has is activated without its inputs (see `servedFromCache`).
 */
export function activateFrom(evaluation: Evaluation, start: OperationNode): void {
  activateAncestry(evaluation, start, undefined);
}

/**
 * Activates what an activated op needs to be called after all: the cache had its result when it was activated, and no
 * longer has it when it is about to run (evicted, or corrupt).
 */
export function activateInputs(evaluation: Evaluation, op: OperationNode): void {
  activateAncestry(evaluation, undefined, pushMissingParents(op, undefined));
}

function activateAncestry(evaluation: Evaluation, start: OperationNode | undefined, missing: DataNode[] | undefined): void {
  const walk = evaluation.walk;
  // Data nodes only; a producer is walked as soon as its data node is popped, which is the pre-order of a stack
  // holding both. (Made when a parent lacks its value: G.run() activates op after op whose parents have theirs.)
  let stack = missing;
  let op = start;
  for (;;) {
    // (A node walked earlier in this evaluation is walked again if it ran since and user code released its value.)
    if (op !== undefined && (op._walk !== walk || !op._active)) {
      op._walk = walk;
      activate(evaluation, op);
      if (!servedFromCache(evaluation, op)) stack = pushMissingParents(op, stack);
    }
    const data = stack?.pop();
    if (data === undefined) return;
    op = undefined;
    if (!isNoValue(data._value) || (data._walk === walk && (data._producer === undefined || data._producer._active))) continue;
    // Reached from another graph that grafted it, after G.remove() took it out of its own.
    if (data._removed) throw removedError(data);
    data._walk = walk;
    op = data._producer;
  }
}

/** Pushes the parents of `op` that lack a value, the first on top. */
function pushMissingParents(op: OperationNode, stack: DataNode[] | undefined): DataNode[] | undefined {
  const parents = op._parents;
  for (let i = parents.length - 1; i >= 0; i--) if (isNoValue(parents[i]!._value)) (stack ??= []).push(parents[i]!);
  return stack;
}

/**
 * Whether an activated op lacking inputs will be read from its graph's cache, which has its result: its inputs are then
 * not activated (nor computed, nor read). The walk reads it before looking at its inputs (run.ts).
 */
function servedFromCache(evaluation: Evaluation, op: OperationNode): boolean {
  if (op._graph._cache === undefined || !lacksInput(op) || !isCacheHit(op)) return false;
  (evaluation.hits ??= new Set()).add(op);
  return true;
}

function lacksInput(op: OperationNode): boolean {
  const parents = op._parents;
  for (let i = 0; i < parents.length; i++) if (isNoValue(parents[i]!._value)) return true;
  return false;
}

export function activate(evaluation: Evaluation, op: OperationNode): void {
  if (op._active) return;
  op._active = true;
  evaluation.activated.push(op);
  op._graph._emit?.({ kind: 'activated', uid: op.uid, graph: op._graph.alias });
}

export function deactivate(op: OperationNode): void {
  if (!op._active) return;
  op._active = false;
  op._graph._emit?.({ kind: 'deactivated', uid: op.uid, graph: op._graph.alias });
}

/** After a failure: deactivates, in activation order, the ops the evaluation activated that are still activated. */
export function abort(evaluation: Evaluation): void {
  for (const op of evaluation.activated) {
    try {
      deactivate(op);
    } catch {
      // A listener that throws on `deactivated`: the op is deactivated all the same (before the event), and the
      // evaluation fails with its first error; every other op must be deactivated too.
    }
  }
}

export function noValueError(data: DataNode): PyflowError {
  return new PyflowError('NO_VALUE', `${data.uid} is a raw input whose value was released; it cannot be recomputed`, data.uid);
}
