import type { CacheOp, ResultCache } from '../executor.js';
import type { CallSite } from '../trace.js';
import { isNoValue, type DataNode, type OperationNode } from '../nodes.js';
import { fail, opFailure } from './call.js';
import { executorOf } from './executors.js';

/*
 * The keys of the graph's result cache (see `ResultCache`). Keys chain: an op's key is made of its code, its options and
 * its inputs' keys (an output: its producer's key, with the output's index when there are several; a raw input: the key
 * of its value, from its content). Keys need no values, so a key is known before anything upstream runs: activation
 * asks the cache whether it has an op's result before activating the op's inputs (see activate.ts). Keys are
 * remembered (on the op, for its cache; raw inputs' per cache), so a large raw value is keyed once. `null`: no key (not
 * cached).
 *
 * Rule for `cache: 'refresh'`: the op is called even when the cache has its result, and so is every op computed from
 * it (its key stays the same while its value may not: a hit downstream could be stale). Each result is written again.
 */

/** The keys of raw inputs, per cache. */
const rawKeys = new WeakMap<ResultCache, WeakMap<DataNode, string | null>>();

function rawKeysOf(cache: ResultCache): WeakMap<DataNode, string | null> {
  let memo = rawKeys.get(cache);
  if (memo === undefined) rawKeys.set(cache, (memo = new WeakMap()));
  return memo;
}

/**
 * What the cache is told about an op (its call site, uid and code are read only if the cache reads them), and what the
 * engine keeps of it for that cache: its key and whether it is refreshed. One per op, on the op (`_keyed`), made when
 * its key is first needed. Of its options, only `nOut` and `version` can change its value (the rest is styling).
 */
export class KeyedOp implements CacheOp {
  /** undefined: not made yet; null: not cached. */
  key: string | null | undefined = undefined;
  /** `cache: 'refresh'`, or computed from an op that has it (the rule above). */
  refresh = false;
  readonly nOut: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly executorCode: string | undefined;

  constructor(
    readonly cache: ResultCache,
    private readonly node: OperationNode,
  ) {
    this.nOut = node._output === undefined ? 0 : 1 + node._extras.moreOutputs.length;
    const version = node._extras.options.version;
    this.options = version === undefined ? { nOut: this.nOut } : { nOut: this.nOut, version };
    this.executorCode = executorOf(node)?.fingerprint?.(node._fn);
  }

  get uid(): string {
    return this.node.uid;
  }
  get graph(): string {
    return this.node._graph.alias;
  }
  get fnName(): string {
    return this.node.fnName;
  }
  get site(): CallSite | undefined {
    return this.node.callSite;
  }
  get fn(): (...args: never[]) => unknown {
    return this.node._fn;
  }
}

/** The op's `KeyedOp` for `cache` (made again if it was made for another cache: an op grafted from another graph). */
function keyedOf(cache: ResultCache, op: OperationNode): KeyedOp {
  let keyed = op._keyed;
  if (keyed === undefined || keyed.cache !== cache) op._keyed = keyed = new KeyedOp(cache, op);
  return keyed;
}

/** What the op's graph's cache is told about it (after `keyOfOp`). */
export function cacheOpOf(op: OperationNode): CacheOp {
  return keyedOf(op._graph._cache!, op);
}

/**
 * Whether the op is keyed at all: it has outputs (an output-less op's effect is the point), no `cache: false`, and runs
 * inline or on an executor that fingerprints its code (`Executor.fingerprint`).
 */
function isKeyed(op: OperationNode, keyed: KeyedOp): boolean {
  if (op._output === undefined || op._extras.options.cache === false) return false;
  return keyed.executorCode !== undefined || executorOf(op) === undefined;
}

function knownKey(cache: ResultCache, op: OperationNode): string | null | undefined {
  const keyed = op._keyed;
  return keyed !== undefined && keyed.cache === cache ? keyed.key : undefined;
}

/**
 * The key of an op's result, or null when it is not cached (see `isKeyed`; an input without a key; the cache declined).
 * The keys its ancestors lack are made first, from the top, without recursion (a long chain needs no deep stack). A
 * cache that throws fails the op whose key it was making.
 */
export function keyOfOp(cache: ResultCache, op: OperationNode): string | null {
  const known = knownKey(cache, op);
  if (known !== undefined) return known;
  const stack: OperationNode[] = [op];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    try {
      const keyed = keyedOf(cache, top);
      if (keyed.key !== undefined) {
        stack.pop();
        continue;
      }
      let ready = true;
      if (isKeyed(top, keyed)) {
        for (const parent of top._parents) {
          const producer = parent._producer;
          if (producer !== undefined && knownKey(cache, producer) === undefined) {
            stack.push(producer);
            ready = false;
          }
        }
      }
      if (!ready) continue;
      keyed.key = makeKey(cache, top, keyed);
    } catch (error) {
      throw fail(top, opFailure(top, error));
    }
    stack.pop();
  }
  return op._keyed!.key!;
}

/** The key of an op whose producers' keys are known. */
function makeKey(cache: ResultCache, op: OperationNode, keyed: KeyedOp): string | null {
  if (!isKeyed(op, keyed)) return null;
  const parents = op._parents;
  const inputKeys = new Array<string>(parents.length);
  let refresh = op._extras.options.cache === 'refresh';
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    const producer = parent._producer;
    let key: string | null;
    if (producer === undefined) {
      key = keyOfRaw(cache, parent);
    } else {
      const made = producer._keyed!;
      const more = producer._extras.moreOutputs;
      key = made.key === null || more.length === 0 ? made.key! : `${made.key}#${producer._output === parent ? 0 : 1 + more.indexOf(parent)}`;
      refresh ||= made.refresh;
    }
    if (key === null) return null;
    inputKeys[i] = key;
  }
  keyed.refresh = refresh;
  return cache.keyOfOp(keyed, inputKeys) ?? null;
}

/** The key of a raw input, from its content (one whose value was released has none now, and no value to compute). */
function keyOfRaw(cache: ResultCache, data: DataNode): string | null {
  const memo = rawKeysOf(cache);
  const known = memo.get(data);
  if (known !== undefined) return known;
  if (isNoValue(data._value)) return null;
  const key = cache.keyOfValue(data._value) ?? null;
  memo.set(data, key);
  return key;
}

/** Whether the op must be called even if the cache has its result (the `cache: 'refresh'` rule). After `keyOfOp`. */
export function mustRefresh(op: OperationNode): boolean {
  return op._keyed?.refresh === true;
}

/**
 * Whether the cache may hold the op's result. An executor that returns handles (`resolve`) keeps its values itself:
 * the engine never writes them, so its ops are keyed (their consumers' keys need theirs) but never looked up.
 */
export function isStored(op: OperationNode): boolean {
  return executorOf(op)?.resolve === undefined;
}

/**
 * Whether the graph's cache has the op's result, so that its inputs need not be computed (asked when activating it). A
 * refreshed op has none. The entry may still go before the op runs (evicted by another process): see run.ts.
 */
export function isCacheHit(op: OperationNode): boolean {
  const cache = op._graph._cache;
  if (cache === undefined || !isStored(op)) return false;
  const key = keyOfOp(cache, op);
  if (key === null || op._keyed!.refresh) return false;
  try {
    return cache.has(key);
  } catch (error) {
    throw fail(op, opFailure(op, error));
  }
}
