import { DataNode, type OperationNode } from '../nodes.js';
import type { GraphBuilder } from '../graphBuilder.js';
import { currentHost } from '../trace.js';
import { abort, holdTargets, startEvaluation, type Evaluation, type Target } from './activate.js';
import { cycleError, fail, resultOf, runCached } from './call.js';
import { callAsync, calls, dispatch, endCall, forget, recordWait, stopWaiting, waitCycle, waitFor, type InFlight } from './calls.js';
import { executorOf, hasSlot, holdsHandles, resolveHandle, slotFreed } from './executors.js';
import { Walk, type Driver } from './run.js';

/*
 * The asynchronous driver (`getAsync()`, `runAsync`, `runOnlyAsync`). A ready op whose function returns a plain value
 * finishes at once, so a synchronous graph runs in the same order, with the same trace, as under get(). An op whose
 * function returns a promise, or that the graph's executor owns, is left in flight (calls.ts) and the walk goes on
 * with what does not depend on it: independent ops run at once, at most `concurrency` promises of inline functions and
 * at most the executor's `concurrency` calls on it. When the evaluation fails, the executors' calls it has in flight
 * that no other evaluation waits for are aborted and awaited.
 */

/** The driver of one target's walk: the calls it waits for. */
class AsyncDriver implements Driver {
  readonly inflight = new Map<OperationNode, InFlight>();
  /** How many of `inflight` are other evaluations' calls (they count against no limit of this one). */
  private shared = 0;
  /** How many of `inflight` are on executors (they count against the executor's own `concurrency`). */
  private offloaded = 0;
  /** Something else to wait for: an executor's free slot, or values an executor holds being fetched. */
  private wake: Promise<undefined> | undefined = undefined;
  readonly concurrent = true;

  constructor(private readonly concurrency: number) {}

  run(op: OperationNode, read: boolean): 'done' | 'waiting' | 'later' {
    const running = calls.get(op);
    if (running !== undefined) {
      // Called by another evaluation and still in flight: wait for it rather than call it again (unless that call is
      // waiting, through other calls, for this evaluation).
      if (waitCycle(running)) throw fail(op, cycleError(op));
      recordWait(running);
      running.waiters++;
      this.inflight.set(op, waitFor(running, true));
      this.shared++;
      return 'waiting';
    }
    const executor = executorOf(op);
    if (executor === undefined ? this.inflight.size - this.shared - this.offloaded >= this.concurrency : !hasSlot(executor)) {
      if (executor !== undefined) this.waitAlso(slotFreed(executor));
      return 'later';
    }
    if (executor === undefined && holdsHandles(op._parents)) {
      // An inline op needs values an executor holds: fetched first, then the op is looked at again.
      this.waitAlso(Promise.all(op._parents.map(resolveHandle)));
      return 'later';
    }
    if (read && runCached(op)) return 'done';
    const call = executor !== undefined ? dispatch(op, executor) : callAsync(op);
    if (call === undefined) return 'done';
    this.inflight.set(op, waitFor(call, false));
    if (executor !== undefined) this.offloaded++;
    return 'waiting';
  }

  private waitAlso(promise: Promise<unknown>): void {
    const done = promise.then(() => undefined);
    this.wake = this.wake === undefined ? done : Promise.race([this.wake, done]);
  }

  busy(): boolean {
    return this.inflight.size > 0 || this.wake !== undefined;
  }

  /** Waits for the first call in flight to settle and finishes its op (or throws its error); undefined: `wake` came first. */
  async next(): Promise<OperationNode | undefined> {
    const waits: Promise<InFlight | undefined>[] = [...this.inflight.values()].map((f) => f.promise);
    if (this.wake !== undefined) waits.push(this.wake);
    const settled = await Promise.race(waits);
    // (Looked at again from scratch: a frame still waiting for a slot or for values sets `wake` again.)
    this.wake = undefined;
    if (settled === undefined) return undefined;
    const op = settled.call.op;
    this.inflight.delete(op);
    if (settled.shared) this.shared--;
    else if (settled.call.executor !== undefined) this.offloaded--;
    endCall(settled.call);
    return op;
  }

  /**
   * After a failure: this walk no longer waits for its calls in flight. An executor's call that no other evaluation
   * waits for is aborted, and awaited, so that nothing runs on for no one; one that another evaluation (a second
   * getAsync()) still waits for goes on for it.
   */
  async giveUp(error: unknown): Promise<void> {
    const aborted: Promise<void>[] = [];
    for (const { call } of this.inflight.values()) {
      const settling = stopWaiting(call, error);
      if (settling !== undefined) aborted.push(settling);
    }
    await Promise.all(aborted);
  }

  /**
   * A call of this walk still in flight (after a failure) is finished by an evaluation waiting for it, else forgotten once
   * it settles (a later evaluation calls the op again).
   */
  letGo(): void {
    for (const { call, shared } of this.inflight.values()) if (!shared) void call.settled!.then(() => forget(call));
  }
}

export async function evaluateAsync(graph: GraphBuilder, targets: readonly Target[], pending?: readonly OperationNode[]): Promise<unknown[]> {
  currentHost()?.beforeEvaluate?.(graph, targets);
  let evaluation: Evaluation | undefined;
  let driver: AsyncDriver | undefined;
  holdTargets(targets, 1);
  try {
    evaluation = startEvaluation(graph, targets, pending);
    driver = new AsyncDriver(graph._concurrency);
    const walk = new Walk(evaluation, driver);
    // G.runAsync(): each pending op is started as soon as the ones before it are started or in flight, so independent
    // ops run at once; then the targets (which have their values by then, or are computed as under getAsync()).
    for (const op of pending ?? []) {
      walk.start(op);
      walk.advance();
    }
    while (!walk.advance()) walk.settled(await driver.next());
    const results: unknown[] = [];
    for (const target of targets) results.push(await evaluateTarget(walk, driver, target));
    return results;
  } catch (error) {
    await driver?.giveUp(error);
    if (evaluation !== undefined) abort(evaluation);
    throw error;
  } finally {
    driver?.letGo();
    holdTargets(targets, -1);
  }
}

/** Evaluates one target and returns its value (undefined for an op). */
async function evaluateTarget(walk: Walk, driver: AsyncDriver, target: Target): Promise<unknown> {
  walk.start(target);
  while (!walk.advance()) walk.settled(await driver.next());
  if (target instanceof DataNode) await resolveHandle(target);
  return resultOf(target);
}
