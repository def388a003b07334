import type { CallSite } from './trace.js';
import { resolveCallSite, type PendingCallSite } from './introspect.js';
import type { GraphBuilder } from './graphBuilder.js';
import { evaluateSync } from './engine/sync.js';
import { evaluateAsync } from './engine/async.js';
import { releaseValue } from './engine/release.js';
import { handleOwner, heldValueError, resolveHandle } from './engine/executors.js';
import { PyflowError } from './errors.js';
import type { KeyedOp } from './engine/cache.js';

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
  /** Group of the op in the view, nested with `/` (`'cleaning/outliers'`); its outputs and raw inputs belong to it too. */
  group?: string;
}

/** @internal The value of a data node that has none. */
export const NO_VALUE: unknown = Symbol('pyflow: no value');

/** @internal Whether a value is NO_VALUE (the typeof test first: most values are not symbols, and it is cheap). */
export function isNoValue(value: unknown): boolean {
  return typeof value === 'symbol' && value === NO_VALUE;
}

/** A value in the graph: a raw input or an output of an operation. Evaluated lazily by `get()`. */
export class DataNode<T = unknown> {
  /** @internal The value, or NO_VALUE. */
  _value: unknown = NO_VALUE;
  /** @internal Kept after use because `run`/`runOnly` asked for it (pyflow's shallow persist: not drawn as persisted). */
  _kept = false;
  /** @internal Kept after use: raw inputs, `persist` options, `persist()`. */
  _persisted: boolean;
  /**
   * @internal How many running evaluations have it as a target: none of the others (one running at once under getAsync(),
   * one nested in an op's function or a release hook) releases it before they have read it. `releaseMemory()` still does.
   */
  _targetOf = 0;
  /** @internal The first op that consumes it (most values have one consumer: no list for them). */
  _consumer: OperationNode | undefined = undefined;
  /** @internal The ops that consume it after the first, in the order they were added. */
  _moreConsumers: OperationNode[] | undefined = undefined;
  /** @internal The evaluation whose activation walk last passed it (see engine/activate.ts). */
  _walk = 0;
  /** @internal `G.remove()` took it out of its graph (an evaluation that reaches it, from a graph that grafted it, fails). */
  _removed = false;
  /** @internal The uid, built on first use (most are never read). */
  private _uid: string | undefined = undefined;

  /** @internal */
  constructor(
    /** @internal The uid's number: the graph's counter when the node was made. */
    private readonly _number: number,
    /** @internal */ readonly _graph: GraphBuilder,
    /** @internal */ readonly _producer: OperationNode | undefined,
    persist: boolean,
  ) {
    this._persisted = persist;
  }

  /** The output alias given to `add`, if any (read from the op's options). */
  get alias(): string | undefined {
    const op = this._producer;
    if (op === undefined) return undefined;
    const names = op._extras.options.outputAlias;
    if (names === undefined || typeof names === 'string') return names;
    return names[op._output === this ? 0 : 1 + op._extras.moreOutputs.indexOf(this)] ?? names[0];
  }

  /** Unique id in its graph: `data_3`, or `<outputAlias>_3` (built on first use: most are never read). */
  get uid(): string {
    if (this._uid !== undefined) return this._uid;
    const alias = this.alias;
    return (this._uid = (alias === undefined ? 'data_' : `${alias}_`) + this._number);
  }

  /** Computes (only what is needed) and returns the value. Throws if an op returns a Promise. */
  get(): T {
    if (this._removed) throw removedError(this);
    if (isNoValue(this._value)) return evaluateSync(this._graph, [this])[0] as T;
    const holder = handleOwner(this);
    if (holder !== undefined) throw heldValueError(this, holder);
    return this._value as T;
  }

  /** Computes the value, awaiting ops that return promises; independent ops run concurrently. */
  getAsync(): Promise<T> {
    if (this._removed) return Promise.reject(removedError(this));
    if (isNoValue(this._value)) return evaluateAsync(this._graph, [this]).then((values) => values[0] as T);
    // A value an executor holds (a handle) is fetched.
    return handleOwner(this) === undefined ? Promise.resolve(this._value as T) : resolveHandle(this).then(() => this._value as T);
  }

  /** Whether the value is held now (computed and not released, or persisted): `get()` would not compute it. */
  hasValue(): boolean {
    return !isNoValue(this._value);
  }

  /** Drops the value (disposing it if it is disposable); the next `get()` recomputes it. */
  releaseMemory(): void {
    if (isNoValue(this._value)) return;
    releaseValue(this);
  }

  /** Keeps the value once computed, instead of releasing it when no consumer needs it. */
  persist(): this {
    this._persisted = true;
    return this;
  }

  /** Whether the value is kept after use (raw inputs, persisted outputs). */
  isPersisted(): boolean {
    return this._persisted;
  }

  /** True for a raw input given directly to `add` (a literal or a plain value). */
  isRaw(): boolean {
    return this._producer === undefined;
  }
}

/** How one argument of an op is rebuilt from its parents' values. */
export type ArgTemplate = { kind: 'parent'; index: number } | { kind: 'array'; items: ArgTemplate[] } | { kind: 'object'; entries: [string, ArgTemplate][] };

/**
 * @internal What most ops do not have (one shared NO_EXTRAS for those): options given to `add`, argument templates
 * (DataNodes nested in arrays or objects), the call site, outputs beyond the first.
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
  /** @internal Activated: it has yet to run in an evaluation (pyflow's `activated`). */
  _active = false;
  /** @internal Its function is running (an evaluation nested in it that needs it is a CYCLE). */
  _running = false;
  /** @internal The evaluation whose activation walk last passed it (see engine/activate.ts). */
  _walk = 0;
  /** @internal `G.remove()` took it out of its graph. */
  _removed = false;
  /** @internal The first output (the others are in `_extras.moreOutputs`). */
  _output: DataNode | undefined = undefined;
  /** @internal Its result-cache key, and what the cache is told of it (engine/cache.ts); set only with a cache. */
  _keyed: KeyedOp | undefined = undefined;
  /** @internal The uid, built on first use. */
  private _uid: string | undefined = undefined;

  /** @internal */
  constructor(
    /** @internal The uid's number: the graph's counter when the node was made. */
    private readonly _number: number,
    /** @internal */ readonly _fn: (...args: never[]) => unknown,
    /** @internal */ readonly _graph: GraphBuilder,
    /** @internal */ readonly _parents: DataNode[],
    /** @internal */ readonly _extras: OpExtras,
    /** @internal The op added before this one in its graph (the graph keeps its ops as this list). */
    readonly _prevOp: OperationNode | undefined,
  ) {}

  /** The function name as pyflow uses it (`anonymous` for nameless functions). */
  get fnName(): string {
    return this._graph._nameOf(this._fn);
  }

  /** Where the `add` call is in the user's source, when call sites are captured. */
  get callSite(): CallSite | undefined {
    const rare = this._extras;
    const site = rare.site;
    if (site === undefined || (typeof site === 'object' && 'line' in site)) return site;
    return (rare.site = resolveCallSite(site));
  }

  /** Unique id in its graph: `<alias or function name>_<n>` (built on first use). */
  get uid(): string {
    if (this._uid !== undefined) return this._uid;
    const alias = this._extras.options.alias;
    return (this._uid = (alias === undefined ? this._graph._prefixOf(this._fn) : `${alias}_`) + this._number);
  }

  /** The data nodes this op produces. */
  get outputs(): readonly DataNode[] {
    return this._output === undefined ? NO_OUTPUTS : [this._output, ...this._extras.moreOutputs];
  }

  /** The data nodes this op consumes, in argument order. */
  get inputs(): readonly DataNode[] {
    return this._parents;
  }

  /** @internal Whether an output still lacks its value (always, for an output-less op: it has not run). */
  _lacksOutput(): boolean {
    const first = this._output;
    if (first === undefined || isNoValue(first._value)) return true;
    const more = this._extras.moreOutputs;
    for (let i = 0; i < more.length; i++) if (isNoValue(more[i]!._value)) return true;
    return false;
  }

  /** Whether the op is activated in the current evaluation. */
  isActivated(): boolean {
    return this._active;
  }

  /** Runs this op (and whatever it needs). For output-less ops this is how they are evaluated. */
  run(): void {
    this._graph.runOnly(this);
  }
}
