import type { GraphBuilder } from '../graphBuilder.js';
import { DataNode, type OperationNode } from '../nodes.js';
import { handleOwner, heldValueError } from './executors.js';
import { currentHost } from '../trace.js';
import { abort, holdTargets, startEvaluation, type Evaluation, type Target } from './activate.js';
import { beginCall, checkInline, checkSync, finishOp, invoke, resultOf, runCached } from './call.js';
import { Walk, type Driver } from './run.js';

/*
 * The synchronous driver (`get()`, `G.run()`, `G.runOnly()`): each ready op runs at once, inline (or from the cache). An
 * op that returns a promise, runs on an executor or needs a value an executor holds fails with ASYNC_IN_GET.
 */

const runAtOnce: Driver = {
  run(op, read) {
    if (read && runCached(op)) return 'done';
    checkInline(op);
    const started = beginCall(op);
    finishOp(op, started, checkSync(op, invoke(op)));
    return 'done';
  },
  busy: () => false,
  concurrent: false,
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
    const walk = new Walk(evaluation, runAtOnce);
    for (const op of pending ?? []) {
      walk.start(op);
      walk.advance();
    }
    return targets.map((target) => {
      walk.start(target);
      walk.advance();
      const holder = target instanceof DataNode ? handleOwner(target) : undefined;
      if (holder !== undefined) throw heldValueError(target as DataNode, holder);
      return resultOf(target);
    });
  } catch (error) {
    if (evaluation !== undefined) abort(evaluation);
    throw error;
  } finally {
    holdTargets(targets, -1);
  }
}
