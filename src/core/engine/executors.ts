import type { Executor, ExecutorOp } from '../executor.js';
import { PyflowError, describeCallSite } from '../errors.js';
import type { DataNode, OperationNode } from '../nodes.js';

/*
 * What the engine keeps about executors (see `Executor`): which executor runs an op, how many calls each has in flight,
 * and which data nodes hold a value an executor returned (it is told when they are released; an executor with `resolve`
 * returned a handle, resolved when an inline op or a target needs the value).
 */

/** The executor that runs `op`: its graph's, when that owns the op's function; undefined: the op runs inline. */
export function executorOf(op: OperationNode): Executor | undefined {
  const executor = op._graph._executor;
  return executor?.owns(op._fn) ? executor : undefined;
}

export function executorOpOf(op: OperationNode): ExecutorOp {
  return { uid: op.uid, graph: op._graph.alias, fnName: op.fnName, site: op.callSite, nOut: op.outputs.length };
}

/**
 * The executor's own failure for an op (not the op's function's: `run` threw instead of rejecting, `resolve` failed, or
 * a PyflowError about something else), as a PyflowError naming the op and its `add` line, the original as `cause`.
 */
export function executorFailure(op: OperationNode, executor: Executor, what: string, error: unknown): PyflowError {
  const message = error instanceof Error ? error.message : String(error);
  return new PyflowError(
    'EXECUTOR_FAILED',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) ${what} the executor "${executor.name}": ${message}`,
    op.uid,
    op.callSite,
    { cause: error },
  );
}

/** A synchronous get() cannot wait for an executor. */
export function executorInGetError(op: OperationNode, executor: Executor): PyflowError {
  return new PyflowError(
    'ASYNC_IN_GET',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) runs on the executor "${executor.name}": a synchronous ` +
      'get(), run() or runOnly() cannot wait for it; use getAsync() (or runAsync/runOnlyAsync)',
    op.uid,
    op.callSite,
  );
}

export function handleInGetError(op: OperationNode, data: DataNode, executor: Executor): PyflowError {
  return new PyflowError(
    'ASYNC_IN_GET',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) needs ${data.uid}, whose value the executor "${executor.name}" ` +
      'holds: a synchronous get(), run() or runOnly() cannot fetch it; use getAsync() (or runAsync/runOnlyAsync)',
    op.uid,
    op.callSite,
  );
}

/** `get()` of a data node whose value an executor holds (a handle). */
export function heldValueError(data: DataNode, executor: Executor): PyflowError {
  return new PyflowError('ASYNC_IN_GET', `${data.uid}'s value is held by the executor "${executor.name}": get() cannot fetch it; use getAsync()`, data.uid);
}

// ------------------------------------------------------------------------------------------------ calls in flight

const inFlight = new Map<Executor, { calls: number; waiters: (() => void)[] }>();

/** Whether the executor can take one more call (the engine never has more than `concurrency` in flight on it). */
export function hasSlot(executor: Executor): boolean {
  return (inFlight.get(executor)?.calls ?? 0) < executor.concurrency;
}

export function takeSlot(executor: Executor): void {
  const load = inFlight.get(executor);
  if (load === undefined) inFlight.set(executor, { calls: 1, waiters: [] });
  else load.calls++;
}

export function freeSlot(executor: Executor): void {
  const load = inFlight.get(executor)!;
  load.calls--;
  const waiters = load.waiters.splice(0);
  if (load.calls === 0) inFlight.delete(executor);
  for (const wake of waiters) wake();
}

/** Resolves once the executor has a free slot (at once if it has one). */
export function slotFreed(executor: Executor): Promise<void> {
  if (hasSlot(executor)) return Promise.resolve();
  return new Promise((resolve) => inFlight.get(executor)!.waiters.push(resolve));
}

// ------------------------------------------------------------------------------------------------ values executors returned

const owners = new WeakMap<DataNode, Executor>();
/** How many data nodes hold a value an executor returned (0: nothing to look up). */
let owned = 0;
/** How many of them hold a handle (their executor has `resolve`). */
let handles = 0;

export function recordOwner(data: DataNode, executor: Executor): void {
  if (owners.has(data)) return;
  owners.set(data, executor);
  owned++;
  if (executor.resolve !== undefined) handles++;
}

function forgetOwner(data: DataNode, executor: Executor): void {
  owners.delete(data);
  owned--;
  if (executor.resolve !== undefined) handles--;
}

/** Tells the executor that returned a released value (called with the value the node held). */
export function releasedByEngine(data: DataNode, value: unknown): void {
  if (owned === 0) return;
  const executor = owners.get(data);
  if (executor === undefined) return;
  forgetOwner(data, executor);
  executor.release?.(value);
}

/** The executor holding the value behind `data`'s handle, if it holds a handle. */
export function handleOwner(data: DataNode): Executor | undefined {
  if (handles === 0) return undefined;
  const executor = owners.get(data);
  return executor?.resolve !== undefined ? executor : undefined;
}

/** Whether any parent of `op` holds a handle (an inline op needs the values). */
export function holdsHandles(parents: readonly DataNode[]): boolean {
  if (handles === 0) return false;
  for (const parent of parents) if (handleOwner(parent) !== undefined) return true;
  return false;
}

function fetchFailure(op: OperationNode, data: DataNode, executor: Executor, error: unknown): PyflowError {
  const failure = executorFailure(op, executor, `returned ${data.uid}, whose value could not be fetched from`, error);
  op._graph._emit?.({ kind: 'error', uid: op.uid, graph: op._graph.alias, message: failure.message });
  return failure;
}

/** The handles being resolved: whoever else needs one meanwhile waits for the same resolution. */
const resolving = new Map<DataNode, Promise<void>>();

/**
 * Replaces the handle `data` holds with its value (the executor is told the handle is released). A node released meanwhile
 * keeps no value.
 */
export function resolveHandle(data: DataNode): Promise<void> {
  const executor = handleOwner(data);
  if (executor === undefined) return Promise.resolve();
  let pending = resolving.get(data);
  if (pending === undefined) {
    const handle = data._value;
    pending = new Promise<unknown>((resolve) => resolve(executor.resolve!(handle)))
      .then(
        (value) => {
          if (owners.get(data) !== executor || data._value !== handle) return;
          forgetOwner(data, executor);
          data._value = value;
          executor.release?.(handle);
        },
        (error: unknown) => {
          const producer = data._producer;
          if (producer === undefined) throw error;
          throw fetchFailure(producer, data, executor, error);
        },
      )
      .finally(() => resolving.delete(data));
    resolving.set(data, pending);
  }
  return pending;
}
