import type { CacheOp, ResultCache } from '../executor.js';
import { isNoValue, type DataNode, type OperationNode } from '../nodes.js';
import { fail, opFailure } from './call.js';
import { executorOf } from './executors.js';

/*
 * The keys of the graph's result cache (see `ResultCache`). Keys chain: an op's key is made of its code, its options and
 * its inputs' keys (an output: its producer's key, with the output's index when there are several; a raw input: the key
 * of its value, from its content). Keys need no values, so a key is known before anything upstream runs: activation
 * asks the cache whether it has an op's result before activating the op's inputs (see activate.ts). Keys are
 * remembered per cache, so a large raw value is keyed once, and nothing is kept on nodes of graphs without a cache.
 * `null`: no key (not cached).
 *
 * Rule for `cache: 'refresh'`: the op is called even when the cache has its result, and so is every op computed from
 * it (its key stays the same while its value may not: a hit downstream could be stale). Each result is written again.
 */

const remembered = new WeakMap<ResultCache, WeakMap<DataNode | OperationNode, string | null>>();

function memoOf(cache: ResultCache): WeakMap<DataNode | OperationNode, string | null> {
  let memo = remembered.get(cache);
  if (memo === undefined) remembered.set(cache, (memo = new WeakMap()));
  return memo;
}

/** Ops with `cache: 'refresh'`, and those computed from one (the rule above). */
const refreshing = new WeakSet<OperationNode>();

const cacheOps = new WeakMap<OperationNode, CacheOp>();

/**
 * What the cache is told about an op, made once per op (its call site is resolved only if the cache reads it). Of its
 * options, only `nOut` and `version` can change its value (the rest is styling).
 */
export function cacheOpOf(op: OperationNode): CacheOp {
  let known = cacheOps.get(op);
  if (known === undefined) {
    const nOut = op.outputs.length;
    const version = op._extras.options.version;
    const options = version === undefined ? { nOut } : { nOut, version };
    known = {
      uid: op.uid,
      graph: op._graph.alias,
      fnName: op.fnName,
      get site() {
        return op.callSite;
      },
      nOut,
      fn: op._fn,
      options,
      executorCode: executorOf(op)?.fingerprint?.(op._fn),
    };
    cacheOps.set(op, known);
  }
  return known;
}

/**
 * Whether the op is keyed at all: it has outputs (an output-less op's effect is the point), no `cache: false`, and runs
 * inline or on an executor that fingerprints its code (`Executor.fingerprint`).
 */
function isKeyed(op: OperationNode): boolean {
  if (op._output === undefined || op._extras.options.cache === false) return false;
  return executorOf(op) === undefined || cacheOpOf(op).executorCode !== undefined;
}

/**
 * The key of an op's result, or null when it is not cached (see `isKeyed`; an input without a key; the cache declined).
 * The keys its ancestors lack are made first, from the top, without recursion (a long chain needs no deep stack). A
 * cache that throws fails the op whose key it was making.
 */
export function keyOfOp(cache: ResultCache, op: OperationNode): string | null {
  const memo = memoOf(cache);
  const known = memo.get(op);
  if (known !== undefined) return known;
  const stack: OperationNode[] = [op];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (memo.has(top)) {
      stack.pop();
      continue;
    }
    try {
      let ready = true;
      if (isKeyed(top)) {
        for (const parent of top._parents) {
          const producer = parent._producer;
          if (producer !== undefined && !memo.has(producer)) {
            stack.push(producer);
            ready = false;
          }
        }
      }
      if (!ready) continue;
      memo.set(top, makeKey(cache, memo, top));
    } catch (error) {
      throw fail(top, opFailure(top, error));
    }
    stack.pop();
  }
  return memo.get(op)!;
}

/** The key of an op whose producers' keys are known. */
function makeKey(cache: ResultCache, memo: WeakMap<DataNode | OperationNode, string | null>, op: OperationNode): string | null {
  if (!isKeyed(op)) return null;
  const parents = op._parents;
  const inputKeys = new Array<string>(parents.length);
  let refresh = op._extras.options.cache === 'refresh';
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    const producer = parent._producer;
    let key: string | null;
    if (producer === undefined) {
      key = keyOfRaw(cache, memo, parent);
    } else {
      const opKey = memo.get(producer)!;
      const more = producer._extras.moreOutputs;
      key = opKey === null || more.length === 0 ? opKey : `${opKey}#${producer._output === parent ? 0 : 1 + more.indexOf(parent)}`;
      refresh ||= refreshing.has(producer);
    }
    if (key === null) return null;
    inputKeys[i] = key;
  }
  if (refresh) refreshing.add(op);
  return cache.keyOfOp(cacheOpOf(op), inputKeys) ?? null;
}

/** The key of a raw input, from its content (one whose value was released has none now, and no value to compute). */
function keyOfRaw(cache: ResultCache, memo: WeakMap<DataNode | OperationNode, string | null>, data: DataNode): string | null {
  const known = memo.get(data);
  if (known !== undefined) return known;
  if (isNoValue(data._value)) return null;
  const key = cache.keyOfValue(data._value) ?? null;
  memo.set(data, key);
  return key;
}

/** Whether the op must be called even if the cache has its result (the `cache: 'refresh'` rule). After `keyOfOp`. */
export function mustRefresh(op: OperationNode): boolean {
  return refreshing.has(op);
}

/**
 * Whether the graph's cache has the op's result, so that its inputs need not be computed (asked when activating it). A
 * refreshed op has none. The entry may still go before the op runs (evicted by another process): see run.ts.
 */
export function isCacheHit(op: OperationNode): boolean {
  const cache = op._graph._cache;
  if (cache === undefined) return false;
  const key = keyOfOp(cache, op);
  if (key === null || refreshing.has(op)) return false;
  try {
    return cache.has(key);
  } catch (error) {
    throw fail(op, opFailure(op, error));
  }
}
