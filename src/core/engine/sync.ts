import type { GraphBuilder } from '../graphBuilder.js';
import type { OperationNode } from '../nodes.js';
import { currentHost } from '../trace.js';
import { abort, holdTargets, startEvaluation, type Evaluation, type Target } from './activate.js';
import { callInline, checkSync, finishOp, resultOf, runCached } from './call.js';
import { Walk, type Driver } from './run.js';

/*
 * The synchronous driver (`get()`, `G.run()`, `G.runOnly()`): each ready op runs at once, inline (or from the cache). An
 * op that returns a promise, runs on an executor or needs a value an executor holds fails with ASYNC_IN_GET.
 */

const runAtOnce: Driver = {
  run(frame) {
    if (!runCached(frame.op)) finishOp(frame, checkSync(frame.op, callInline(frame)));
    return 'done';
  },
  busy: () => false,
};

/**
 * Evaluates the targets and returns their values (undefined for op targets). `pending` (`G.run()`): these ops are
 * activated first and run, in order, before the targets.
 */
export function evaluateSync(graph: GraphBuilder, targets: readonly Target[], pending?: readonly OperationNode[]): unknown[] {
  currentHost()?.beforeEvaluate?.(graph, targets);
  let evaluation: Evaluation | undefined;
  holdTargets(targets, 1);
  try {
    evaluation = startEvaluation(graph, targets, pending);
    if (pending !== undefined) for (const op of pending) new Walk(evaluation, runAtOnce, op).advance();
    const values = new Array<unknown>(targets.length);
    for (let i = 0; i < targets.length; i++) {
      new Walk(evaluation, runAtOnce, targets[i]!).advance();
      values[i] = resultOf(targets[i]!);
    }
    return values;
  } catch (error) {
    if (evaluation !== undefined) abort(evaluation);
    throw error;
  } finally {
    holdTargets(targets, -1);
  }
}
