import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeCallSite } from '../core/errors.js';
// From the index: the cluster's bundle (pyflow/cluster) takes it from `pyflow` itself, so the class is the user's.
import { PyflowError } from '../core/index.js';
import type { AbortSignalLike, ExecutorOp } from '../core/executor.js';

/* What every executor says the same way: an op's name in errors, its failure, the function `fn()` gives back. */

/**
 * The fingerprint of an op module's own code when no runner gives a better one: the SHA-256 of its file (`data` for a
 * data: URL); undefined when it cannot be read.
 */
export function hashOfModule(href: string): string | undefined {
  if (href.startsWith('data:')) return 'data';
  if (!href.startsWith('file:')) return undefined;
  try {
    return createHash('sha256')
      .update(readFileSync(fileURLToPath(href)))
      .digest('hex');
  } catch {
    return undefined;
  }
}

/** `uid (fn, added at file:line:col)`, as an inline op's failure names it. */
export function describeOp(op: ExecutorOp): string {
  return `${op.uid} (${op.fnName}, added at ${describeCallSite(op.site)})`;
}

/** The PyflowError of an op that failed: `uid (fn, added at file:line:col) <what happened>`, `cause` the original error. */
export function opFailure(op: ExecutorOp, what: string, cause?: unknown): PyflowError {
  return new PyflowError('OP_FAILED', `${describeOp(op)} ${what}`, op.uid, op.site, cause === undefined ? undefined : { cause });
}

/**
 * The function an executor's `fn()` gives for the export `name`: named after it (uids read `heavy_0`), and refusing
 * direct calls (`where`: "on worker threads"; `executor`: the variable a graph is given, `pool`).
 */
export function opStub(name: string, where: string, executor: string): (...args: never[]) => unknown {
  // It has a `return`: by pyflow's rule the op has one output unless `nOut` says otherwise (the export's source is not read).
  const stub = (): never => {
    return refuseDirectCall(name, where, executor);
  };
  Object.defineProperty(stub, 'name', { value: name });
  return stub;
}

function refuseDirectCall(name: string, where: string, executor: string): never {
  throw new PyflowError('BAD_ARGUMENT', `${name} runs ${where}: add it to a GraphBuilder made with { executor: ${executor} } and evaluate it with getAsync()`);
}

/**
 * Calls `handler` when `signal` aborts, with one listener per signal whatever the number of handlers under it (each
 * call has its own signal, but a caller may share one among many calls: a listener each would pass Node's 10-listener
 * warning). Only a later abort calls it: a caller checks `signal.aborted` itself. Returns the function that stops it.
 */
export function onAbort(signal: AbortSignalLike, handler: () => void): () => void {
  let handlers = abortHandlers.get(signal);
  if (!handlers) {
    const set = new Set<() => void>();
    handlers = set;
    abortHandlers.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const h of [...set]) h();
      },
      { once: true },
    );
  }
  handlers.add(handler);
  return () => handlers.delete(handler);
}
const abortHandlers = new WeakMap<AbortSignalLike, Set<() => void>>();
