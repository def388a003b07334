import { DataNode, isNoValue, type ArgTemplate, type OperationNode } from '../nodes.js';
import { PyflowError, describeCallSite } from '../errors.js';
import { dimensionOf, previewValue } from '../dims.js';
import type { Executor } from '../executor.js';
import { deactivate } from './activate.js';
import { releaseParents } from './release.js';
import { cacheOpOf, isStored, keyOfOp, mustRefresh } from './cache.js';
import { executorInGetError, executorOf, handleInGetError, handleOwner, holdsHandles, recordOwner } from './executors.js';

/*
 * Running one op whose parents have their values: its call (inline here; on an executor, see async.ts), or its result
 * read from the graph's cache; then its outputs are stored, its parents offered for release, and it is deactivated.
 * Events: `running`, then `finished` (or `cached` alone), `value` per output when previews are on, `stillNeeded` /
 * `released` per parent, `deactivated`; `error` when it fails.
 */

/** The clock of `finished.durationMs`: performance.now() (Date.now() where there is none). */
export const clock: { now(): number } = (globalThis as { performance?: { now(): number } }).performance ?? Date;

/**
 * The ops whose call a getAsync() evaluation has in flight (see async.ts): a synchronous evaluation cannot wait for them,
 * and calling one again would start a second call. `inside(op)`: whether the running code runs inside that call.
 */
export const inFlight: { has(op: OperationNode): boolean; inside(op: OperationNode): boolean } = { has: () => false, inside: () => false };

/**
 * Checks that the op can be called now, reports `running`, and returns when it did (0 without a listener: the start of
 * `finished.durationMs`). The caller calls it (`invoke`), then finishes it (`finishOp`).
 */
export function beginCall(op: OperationNode): number {
  if (op._running) throw fail(op, cycleError(op));
  if (inFlight.has(op)) throw fail(op, inFlight.inside(op) ? cycleError(op) : inFlightError(op));
  const emit = op._graph._emit;
  if (emit === undefined) return 0;
  emit({ kind: 'running', uid: op.uid, graph: op._graph.alias });
  return clock.now();
}

/** A synchronous evaluation calls inline: an op an executor owns, or one needing a value an executor holds, cannot be. */
export function checkInline(op: OperationNode): void {
  const executor = executorOf(op);
  if (executor !== undefined) throw fail(op, executorInGetError(op, executor));
  if (holdsHandles(op._parents)) {
    const held = op._parents.find((p) => handleOwner(p) !== undefined)!;
    throw fail(op, handleInGetError(op, held, handleOwner(held)!));
  }
}

/** Calls an op's function inline with its arguments (after `beginCall`); a throw becomes its PyflowError. */
export function invoke(op: OperationNode): unknown {
  op._running = true;
  try {
    const result = op._extras.args === undefined ? callWithParents(op) : (op._fn as (...a: unknown[]) => unknown)(...argumentsOf(op));
    // An op with several outputs may return a generator: it runs here, while the op is marked running (CYCLE).
    return op._extras.moreOutputs.length === 0 || Array.isArray(result) || !isIterable(result) ? result : [...result];
  } catch (error) {
    throw fail(op, opFailure(op, error));
  } finally {
    op._running = false;
  }
}

/** Calls the op's function with its parents' values (no templates), without an argument array for up to 3. */
function callWithParents(op: OperationNode): unknown {
  const fn = op._fn as (...a: unknown[]) => unknown;
  const parents = op._parents;
  switch (parents.length) {
    case 0:
      return fn();
    case 1:
      return fn(parents[0]!._value);
    case 2:
      return fn(parents[0]!._value, parents[1]!._value);
    case 3:
      return fn(parents[0]!._value, parents[1]!._value, parents[2]!._value);
    default:
      return fn(...argumentsOf(op));
  }
}

/** The arguments an op's function is called with, rebuilt from its parents' values. */
export function argumentsOf(op: OperationNode): unknown[] {
  const parents = op._parents;
  const values = new Array<unknown>(parents.length);
  for (let i = 0; i < parents.length; i++) values[i] = parents[i]!._value;
  const templates = op._extras.args;
  return templates === undefined ? values : templates.map((t) => buildArg(t, values));
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
 * Stores an op's result, reports `finished`, releases what no activated consumer needs any more, deactivates the op.
 * `started`: what `beginCall` returned; `ran`: the executor that ran it, and the worker.
 */
export function finishOp(op: OperationNode, started: number, result: unknown, ran?: { executor: Executor; worker: string }): void {
  storeOutputs(op, result, ran?.executor);
  const emit = op._graph._emit;
  if (emit !== undefined) {
    const durationMs = clock.now() - started;
    emit(
      ran === undefined
        ? { kind: 'finished', uid: op.uid, graph: op._graph.alias, durationMs }
        : { kind: 'finished', uid: op.uid, graph: op._graph.alias, durationMs, worker: ran.worker },
    );
  }
  releaseParents(op);
  deactivate(op);
}

/**
 * Runs the op from the graph's result cache when it has the result (`cached` instead of `running` and `finished`),
 * then releases and deactivates as `finishOp` does. False: the op must be called.
 */
export function runCached(op: OperationNode): boolean {
  const cache = op._graph._cache;
  // (An op asked for while it runs, or while a getAsync() awaits it, is left to the call's own checks.)
  if (cache === undefined || op._running || inFlight.has(op) || !isStored(op)) return false;
  const key = keyOfOp(cache, op);
  if (key === null || mustRefresh(op)) return false;
  let hit: { readonly value: unknown } | undefined;
  try {
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

/**
 * Stores an op's result as its outputs, and in the graph's cache unless it came from there (`fromCache`) or is a handle.
 * `executor`: the one that returned it (told when the values are released).
 */
function storeOutputs(op: OperationNode, result: unknown, executor?: Executor, fromCache = false): void {
  if (op._output === undefined) return;
  const cache = op._graph._cache;
  if (cache !== undefined && !fromCache && executor?.resolve === undefined) {
    const key = keyOfOp(cache, op);
    try {
      if (key !== null) cache.write(key, cacheOpOf(op), result);
    } catch (error) {
      throw fail(op, opFailure(op, error));
    }
  }
  if (op._extras.moreOutputs.length === 0) {
    setValue(op._output, result);
    if (executor !== undefined) recordOwner(op._output, executor);
    return;
  }
  const outputs = op.outputs;
  let items: readonly unknown[];
  try {
    items = Array.isArray(result) ? result : isIterable(result) ? [...result] : [];
  } catch (error) {
    // A generator that throws: the op's own failure.
    throw fail(op, opFailure(op, error));
  }
  if (items.length !== outputs.length) {
    const got = !Array.isArray(result) && !isIterable(result) ? `a non-iterable ${result === null ? 'null' : typeof result}` : `${items.length} values`;
    throw fail(
      op,
      new PyflowError(
        'OUTPUT_COUNT',
        `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) was declared with nOut: ${outputs.length} but returned ${got}`,
        op.uid,
        op.callSite,
      ),
    );
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

/** What an evaluation returns for a target: a data node's value, undefined for an op. */
export function resultOf(target: DataNode | OperationNode): unknown {
  return target instanceof DataNode && !isNoValue(target._value) ? target._value : undefined;
}

export function opFailure(op: OperationNode, error: unknown): PyflowError {
  if (error instanceof PyflowError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PyflowError('OP_FAILED', `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) threw: ${message}`, op.uid, op.callSite, {
    cause: error,
  });
}

/** Reports `error` for the op and returns the error to throw. */
export function fail(op: OperationNode, error: PyflowError): PyflowError {
  op._graph._emit?.({ kind: 'error', uid: op.uid, graph: op._graph.alias, message: error.message });
  return error;
}

export function cycleError(op: OperationNode): PyflowError {
  return new PyflowError(
    'CYCLE',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) was asked for while it runs: an evaluation ` +
      "started from an op's function (a nested get(), getAsync(), run() or runOnly()) needs it, which would never end",
    op.uid,
    op.callSite,
  );
}

function inFlightError(op: OperationNode): PyflowError {
  return new PyflowError(
    'ASYNC_IN_GET',
    `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) is being computed by a getAsync() evaluation ` +
      '(its outputs are not stored yet): a synchronous get(), run() or runOnly() cannot wait for it; use getAsync() ' +
      '(or runAsync/runOnlyAsync)',
    op.uid,
    op.callSite,
  );
}

/** A synchronous evaluation cannot wait for a promise: the op's result, or the error telling the user what to use. */
export function checkSync(op: OperationNode, result: unknown): unknown {
  if (!isThenable(result)) return result;
  void Promise.resolve(result).catch(() => undefined);
  throw fail(
    op,
    new PyflowError(
      'ASYNC_IN_GET',
      `${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) returned a Promise: ` +
        'evaluate this graph with `await node.getAsync()` (or runAsync/runOnlyAsync) instead of `get()`',
      op.uid,
      op.callSite,
    ),
  );
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
