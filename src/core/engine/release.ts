import { NO_VALUE, isNoValue, type DataNode, type OperationNode } from '../nodes.js';
import { PyflowError } from '../errors.js';
import { releasedByEngine } from './executors.js';

/*
 * pyflow's release rule: once an op has run, each of its parents is released unless something keeps it (kept by
 * run/runOnly, persisted, raw, or the target of an evaluation still running) or an activated consumer still needs it.
 * Released values are disposed (`Symbol.dispose`, `Symbol.asyncDispose`) and handed to the graph's `onRelease`; the
 * executor that returned one is told.
 */

/** Whether a data node's value stays after use, whoever needs it. */
export function isKept(data: DataNode): boolean {
  return data._kept || data._persisted || data._targetOf > 0;
}

/** Releases the parents of `op` (which just ran) that nobody needs any more; reports `still needed` for the others. */
export function releaseParents(op: OperationNode): void {
  const parents = op._parents;
  // The first release hook that threw: the other parents are still released, then the evaluation fails with it.
  let failure: PyflowError | undefined;
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    // A parent passed twice is looked at once: released the first time, it no longer has a value.
    if (isKept(parent) || isNoValue(parent._value)) continue;
    // The op that just ran has its outputs: it needs nothing more (an output-less op, as in pyflow, still "needs" its
    // inputs: pyflow says they are still needed at it, and keeps them).
    const neededBy = activeConsumerNeeding(parent, op._output === undefined ? undefined : op);
    if (neededBy === undefined) {
      const error = releaseParent(parent);
      if (error !== undefined) failure ??= error;
    } else if (parent._graph._emit !== undefined && parents.indexOf(parent) === i) {
      parent._graph._emit({ kind: 'stillNeeded', uid: parent.uid, graph: parent._graph.alias, neededBy: neededBy.uid });
    }
  }
  if (failure !== undefined) throw failure;
}

/**
 * An activated consumer of `data` other than `done` (the op that just ran). pyflow also asks that the consumer lack an
 * output, which differs only for an op asked for again while its outputs are kept (`runOnly(op)`): ours reads its inputs
 * when it runs, and released values may be disposed, so the input is kept until the op has run.
 */
function activeConsumerNeeding(data: DataNode, done: OperationNode | undefined): OperationNode | undefined {
  const first = data._consumer;
  if (first !== undefined && first !== done && first._active) return first;
  const more = data._moreConsumers;
  if (more !== undefined) for (let i = 0; i < more.length; i++) if (more[i] !== done && more[i]!._active) return more[i];
  return undefined;
}

/** Releases a parent; a release hook that throws is returned as a RELEASE_FAILED error. */
function releaseParent(data: DataNode): PyflowError | undefined {
  try {
    releaseValue(data);
    return undefined;
  } catch (error) {
    return new PyflowError(
      'RELEASE_FAILED',
      `releasing ${data.uid} (graph "${data._graph.alias}") failed: its onRelease hook, the value's Symbol.dispose or a trace listener threw: ` +
        (error instanceof Error ? error.message : String(error)),
      data.uid,
      undefined,
      { cause: error },
    );
  }
}

/** Drops a value, reports `released`, and disposes it or hands it to onRelease (also `releaseMemory()`). */
export function releaseValue(data: DataNode): void {
  const value = data._value;
  data._value = NO_VALUE;
  data._graph._emit?.({ kind: 'released', uid: data.uid, graph: data._graph.alias });
  releasedByEngine(data, value);
  data._graph._disposeValue(value, data);
}

/**
 * The parents' values that no one reads after `op` (released once it finishes), which an executor may move instead of
 * copying: not kept, and no other activated op consumes them (one running on an executor counts until it finishes).
 */
export function movableValues(op: OperationNode): unknown[] {
  const movable: unknown[] = [];
  const parents = op._parents;
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    if (isKept(parent) || isNoValue(parent._value) || parents.indexOf(parent) !== i) continue;
    if (activeConsumerNeeding(parent, op) === undefined) movable.push(parent._value);
  }
  return movable;
}
