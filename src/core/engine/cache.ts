import type { CacheOp, ResultCache } from '../executor.js';
import { isNoValue, type DataNode, type OperationNode } from '../nodes.js';

/*
 * The keys of the graph's result cache (see `ResultCache`). Keys chain: an op's key is made of its code, its options and
 * its inputs' keys; a data node keeps its key (an output: its producer's key, with the output's index when there are
 * several; a raw input: the key of its value, from its content). Keys are remembered per cache, so a large raw value is
 * keyed once, and nothing is kept on nodes of graphs without a cache. `null`: no key (not cached).
 */

const remembered = new WeakMap<ResultCache, WeakMap<DataNode | OperationNode, string | null>>();

function memoOf(cache: ResultCache): WeakMap<DataNode | OperationNode, string | null> {
  let memo = remembered.get(cache);
  if (memo === undefined) remembered.set(cache, (memo = new WeakMap()));
  return memo;
}

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
    };
    cacheOps.set(op, known);
  }
  return known;
}

/**
 * The key of an op's result, or null when it is not cached: output-less ops (their effect is the point), `cache: false`,
 * ops an executor runs (the function the graph holds is the executor's stand-in, not the op's code), an input without a
 * key, or the cache declined.
 */
export function keyOfOp(cache: ResultCache, op: OperationNode): string | null {
  const memo = memoOf(cache);
  const known = memo.get(op);
  if (known !== undefined) return known;
  let key: string | null = null;
  if (op._output !== undefined && op._extras.options.cache !== false && op._graph._executor?.owns(op._fn) !== true) {
    const inputKeys: string[] = [];
    for (const parent of op._parents) {
      const inputKey = keyOfData(cache, parent);
      if (inputKey === null) break;
      inputKeys.push(inputKey);
    }
    if (inputKeys.length === op._parents.length) key = cache.keyOfOp(cacheOpOf(op), inputKeys) ?? null;
  }
  memo.set(op, key);
  return key;
}

/** The key of a data node's value (see the top of this file). */
export function keyOfData(cache: ResultCache, data: DataNode): string | null {
  const memo = memoOf(cache);
  const known = memo.get(data);
  if (known !== undefined) return known;
  const producer = data._producer;
  let key: string | null;
  if (producer === undefined) {
    // A raw input whose value was released has no key now (and no value to compute: the evaluation fails on it).
    if (isNoValue(data._value)) return null;
    key = cache.keyOfValue(data._value) ?? null;
  } else {
    const opKey = keyOfOp(cache, producer);
    const index = producer._output === data ? 0 : 1 + producer._extras.moreOutputs.indexOf(data);
    key = opKey === null ? null : producer._extras.moreOutputs.length === 0 ? opKey : `${opKey}#${index}`;
  }
  memo.set(data, key);
  return key;
}

/** Outputs of ops called again by `cache: 'refresh'`, and of the ops computed from them. */
const refreshed = new WeakSet<DataNode>();

/**
 * Whether the op must be called even if the cache has its result: `cache: 'refresh'`, or an input that a refreshed op made
 * (its key is the same, its value may not be). Its outputs count as refreshed from then on.
 */
export function mustRefresh(op: OperationNode): boolean {
  let refresh = op._extras.options.cache === 'refresh';
  for (let i = 0; !refresh && i < op._parents.length; i++) refresh = refreshed.has(op._parents[i]!);
  if (refresh) for (const output of op.outputs) refreshed.add(output);
  return refresh;
}
