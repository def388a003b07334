import type { CallSite } from './trace.js';
import { resolveCallSite, type PendingCallSite } from './introspect.js';
import type { GraphBuilder } from './graphBuilder.js';
import { disturb, evaluateSync, releaseValue } from './evaluator.js';
import { evaluateAsync } from './evaluateAsync.js';
import { PyflowError } from './errors.js';

export function removedError(node: { uid: string; _graph: { alias: string } }): PyflowError {
  return new PyflowError('REMOVED', `${node.uid} was removed from graph "${node._graph.alias}" by G.remove(); it can no longer be evaluated`, node.uid);
}

const NO_OUTPUTS: DataNode[] = [];

/** Styling and behaviour options of one `add` call, as pyflow's keyword arguments. */
export interface AddOptions {
  /** Number of outputs; 0 makes an output-less leaf. Default: 1, or 0 when `fn` has no `return`. */
  nOut?: number;
  /** Keep the outputs after they are consumed. */
  persist?: boolean;
  /** Layer of the op in the view: equal ranks share a row, lower ranks above. */
  rank?: number;
  shape?: string;
  color?: string;
  fontsize?: number;
  /** Op name in uids and labels, instead of the function name. */
  alias?: string;
  /** Output names in uids and labels, instead of `data` (one per output). */
  outputAlias?: string | readonly string[];
  /** With the graph's result cache: `false` never caches this op (nor what depends on it); `'refresh'` calls it and stores the result again. */
  cache?: false | 'refresh';
  /** Part of the op's cache key: change it to invalidate its cached results (when a helper it calls changed, say). */
  version?: string;
}

/*
 * Every field costs 8 bytes per node (Node.js runs V8 without pointer compression), and a graph lives as long as
 * its user keeps it: so flags share fields. A data node without a value holds NO_VALUE; a removed node has `_visit`
 * REMOVED (an evaluation that reaches it, from a graph that grafted it, fails); a data node's kept / persisted state
 * is one number.
 */

/** @internal The value of a data node that has none. */
export const NO_VALUE: unknown = Symbol('pyflow: no value');
/**
 * @internal Whether a value is NO_VALUE. The typeof test comes first: a comparison site that sees the symbol and numbers,
 * objects or strings has no type feedback TurboFan can use, and `value === NO_VALUE` there is a call to the generic
 * StrictEqual builtin (seen in the walk's optimized code); `typeof value === 'symbol'` is a map check, and only symbols
 * go on to the comparison.
 */
export function isNoValue(value: unknown): boolean {
  return typeof value === 'symbol' && value === NO_VALUE;
}
/** @internal `_visit` of a node that `G.remove()` took out of its graph (evaluations number their visits from 1). */
export const REMOVED = -1;
/*
 * `_hold` is a set of reasons to keep a data node's value after use (0: released once no activated consumer needs it):
 * two flags, and above them a count of the evaluations that have it as a target and are still running (`TARGET` each).
 */
/** @internal `_hold`: kept because `run`/`runOnly` asked for it (pyflow's shallow persist: not drawn as persisted). */
export const KEEP = 1;
/** @internal `_hold`: persisted (raw inputs, `persist` options, `persist()`). */
export const PERSIST = 2;
/**
 * @internal Added to `_hold` while an evaluation that has the node as a target runs: no other evaluation (one running at
 * once under getAsync(), or one nested in an op's function or a release hook) may release it before this one has read
 * it (it would be computed again). `releaseMemory()` still releases it.
 */
export const TARGET = 4;

/** A value in the graph: a raw input or an output of an operation. Evaluated lazily by `get()`. */
export class DataNode<T = unknown> {
  /** @internal The value, or NO_VALUE. */
  _value: unknown = NO_VALUE;
  /** @internal 0 (released once no activated consumer needs it), or KEEP, PERSIST and TARGET combined (see there). */
  _hold: number;
  /**
   * @internal The first op that consumes this value, and the others in the order they were added: the second itself,
   * an array only from the third on (most values have one consumer or two, and an array costs 56 bytes and a second
   * memory read for every release check).
   */
  _consumer: OperationNode | undefined = undefined;
  /** @internal */ _moreConsumers: OperationNode | OperationNode[] | undefined = undefined;
  /** @internal The last evaluation that visited it, or REMOVED. */
  _visit = 0;

  /** @internal */
  constructor(
    /**
     * @internal The uid's number (the graph's counter when the node was made), then the uid once built (one field for
     * both: each costs 8 bytes per node).
     */
    private _id: number | string,
    /** @internal */ readonly _graph: GraphBuilder,
    /** @internal */ readonly _producer: OperationNode | undefined,
    persist: boolean,
  ) {
    this._hold = persist ? PERSIST : 0;
  }

  /** @internal Whether `G.remove()` took it out of its graph. */
  get _removed(): boolean {
    return this._visit === REMOVED;
  }

  /** The output alias given to `add`, if any (read from the op's options: a field each cost 8 bytes per node). */
  get alias(): string | undefined {
    const op = this._producer;
    if (op === undefined) return undefined;
    const names = op._rare.options.outputAlias;
    if (names === undefined || typeof names === 'string') return names;
    return names[op._output === this ? 0 : 1 + op._rare.moreOutputs.indexOf(this)] ?? names[0];
  }

  /** Unique id in its graph: `data_3`, or `<outputAlias>_3` (built on first use: most are never read). */
  get uid(): string {
    const id = this._id;
    if (typeof id === 'string') return id;
    const alias = this.alias;
    return (this._id = (alias === undefined ? 'data_' : `${alias}_`) + id);
  }

  /** Computes (only what is needed) and returns the value. Throws if an op returns a Promise. */
  get(): T {
    if (this._removed) throw removedError(this);
    return !isNoValue(this._value) ? (this._value as T) : (evaluateSync(this._graph, [this])[0] as T);
  }

  /** Computes the value, awaiting ops that return promises; independent ops run concurrently. */
  getAsync(): Promise<T> {
    if (this._removed) return Promise.reject(removedError(this));
    return !isNoValue(this._value)
      ? Promise.resolve(this._value as T)
      : evaluateAsync(this._graph, [this]).then((values) => values[0] as T);
  }

  hasValue(): boolean {
    return !isNoValue(this._value);
  }

  /** Drops the value (disposing it if it is disposable); the next `get()` recomputes it. */
  releaseMemory(): void {
    if (isNoValue(this._value)) return;
    disturb();
    releaseValue(this);
  }

  /** Keeps the value once computed, instead of releasing it when no consumer needs it. */
  persist(): this {
    this._hold |= PERSIST;
    return this;
  }

  /** Whether the value is kept after use (raw inputs, persisted outputs). */
  isPersisted(): boolean {
    return (this._hold & PERSIST) !== 0;
  }

  /** True for a raw input given directly to `add` (a literal or a plain value). */
  isRaw(): boolean {
    return this._producer === undefined;
  }
}

/** How one argument of an op is rebuilt from its parents' values. */
export type ArgTemplate =
  | { kind: 'parent'; index: number }
  | { kind: 'array'; items: ArgTemplate[] }
  | { kind: 'object'; entries: [string, ArgTemplate][] };

/**
 * @internal What most ops do not have, kept apart so that each op is 3 fields smaller (8 bytes a field): options
 * given to `add`, argument templates (DataNodes nested in arrays or objects), the call site, outputs beyond the first.
 */
export interface OpExtras {
  readonly options: AddOptions;
  readonly args: ArgTemplate[] | undefined;
  site: PendingCallSite | CallSite | string | undefined;
  readonly moreOutputs: DataNode[];
}

/** @internal The extras of an op that has none (the shared options object is frozen, and so is this). */
export const NO_EXTRAS: OpExtras = Object.freeze({ options: Object.freeze({}), args: undefined, site: undefined, moreOutputs: NO_OUTPUTS });

/** An operation (a function call) in the graph. */
export class OperationNode {
  /**
   * @internal When it was activated (see the evaluator's `abort`); 0 while it is not. One field for both: a
   * boolean field costs 8 bytes per op too.
   */
  _activatedSeq = 0;
  /** @internal The last evaluation that visited it, or REMOVED. */
  _visit = 0;
  /** @internal The first output (the others are in `_rare.moreOutputs`). */
  _output: DataNode | undefined = undefined;

  /** @internal */
  constructor(
    /** @internal The uid's number, then the uid once built (as DataNode's). */
    private _id: number | string,
    /** @internal */ readonly _fn: (...args: never[]) => unknown,
    /** @internal */ readonly _graph: GraphBuilder,
    /** @internal */ readonly _parents: DataNode[],
    /** @internal */ readonly _rare: OpExtras,
    /** @internal The op added before this one in its graph (the graph keeps its ops as this list). */
    readonly _prevOp: OperationNode | undefined,
  ) {}

  /** @internal Whether `G.remove()` took it out of its graph. */
  get _removed(): boolean {
    return this._visit === REMOVED;
  }

  /** The function name as pyflow uses it (`anonymous` for nameless functions). */
  get fnName(): string {
    return this._graph._nameOf(this._fn);
  }

  /** Where the `add` call is in the user's source, when call sites are captured. */
  get callSite(): CallSite | undefined {
    const rare = this._rare;
    const site = rare.site;
    if (site === undefined || (typeof site === 'object' && 'line' in site)) return site;
    return (rare.site = resolveCallSite(site));
  }

  /** Unique id in its graph: `<alias or function name>_<n>` (built on first use). */
  get uid(): string {
    const id = this._id;
    if (typeof id === 'string') return id;
    const alias = this._rare.options.alias;
    return (this._id = (alias === undefined ? this._graph._prefixOf(this._fn) : `${alias}_`) + id);
  }

  /** The data nodes this op produces. */
  get outputs(): readonly DataNode[] {
    return this._output === undefined ? NO_OUTPUTS : [this._output, ...this._rare.moreOutputs];
  }

  /** The data nodes this op consumes, in argument order. */
  get inputs(): readonly DataNode[] {
    return this._parents;
  }

  /** @internal Whether an output still lacks its value (always, for an output-less op: it has not run). */
  _lacksOutput(): boolean {
    const first = this._output;
    if (first === undefined || isNoValue(first._value)) return true;
    const more = this._rare.moreOutputs;
    for (let i = 0; i < more.length; i++) if (isNoValue(more[i]!._value)) return true;
    return false;
  }

  /** Whether the op is activated in the current evaluation. */
  isActivated(): boolean {
    return this._activatedSeq !== 0;
  }

  /** Runs this op (and whatever it needs). For output-less ops this is how they are evaluated. */
  run(): void {
    this._graph.runOnly(this);
  }
}
