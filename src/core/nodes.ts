import type { CallSite } from './trace.js';
import { functionName, resolveCallSite, type PendingCallSite } from './introspect.js';
import type { GraphBuilder } from './graphBuilder.js';
import { evaluateSync, releaseValue } from './evaluator.js';
import { evaluateAsync } from './evaluateAsync.js';
import { PyflowError } from './errors.js';

export function removedError(node: { uid: string; _graph: { alias: string } }): PyflowError {
  return new PyflowError('REMOVED', `${node.uid} was removed from graph "${node._graph.alias}" by G.remove(); it can no longer be evaluated`, node.uid);
}

/** @internal */
export const NO_CONSUMERS: OperationNode[] = [];
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
}

/** A value in the graph: a raw input or an output of an operation. Evaluated lazily by `get()`. */
export class DataNode<T = unknown> {
  /** @internal */ _value: T | undefined = undefined;
  /** @internal */ _hasValue = false;
  /** @internal */ _persist: boolean;
  /** @internal Kept because `run`/`runOnly` asked for it (pyflow's shallow persist: not drawn as persisted). */
  _keep = false;
  /**
   * @internal The first op that consumes this value, and the others in the order they were added (a shared
   * empty list until there is a second: most values have one consumer, and an array each cost 56 bytes).
   */
  _consumer: OperationNode | undefined = undefined;
  /** @internal */ _moreConsumers: OperationNode[] = NO_CONSUMERS;
  /** @internal */ _visit = 0;
  /** @internal */ _mark = 0;
  /** @internal Set by `G.remove()`: the node is no longer part of its graph. */
  _removed = false;

  /** @internal */ private _uid: string | undefined = undefined;

  /** @internal */
  constructor(
    /** @internal The uid's number (the graph's counter when the node was made). */
    readonly _n: number,
    /** The output alias given to `add`, if any. */
    readonly alias: string | undefined,
    /** @internal */ readonly _graph: GraphBuilder,
    /** @internal */ readonly _producer: OperationNode | undefined,
    persist: boolean,
  ) {
    this._persist = persist;
  }

  /** Unique id in its graph: `data_3`, or `<outputAlias>_3` (built on first use: most are never read). */
  get uid(): string {
    return (this._uid ??= `${this.alias ?? 'data'}_${this._n}`);
  }

  /** Computes (only what is needed) and returns the value. Throws if an op returns a Promise. */
  get(): T {
    if (this._removed) throw removedError(this);
    return this._hasValue ? (this._value as T) : (evaluateSync(this._graph, [this])[0] as T);
  }

  /** Computes the value, awaiting ops that return promises; independent ops run concurrently. */
  getAsync(): Promise<T> {
    if (this._removed) return Promise.reject(removedError(this));
    return this._hasValue
      ? Promise.resolve(this._value as T)
      : evaluateAsync(this._graph, [this]).then((values) => values[0] as T);
  }

  hasValue(): boolean {
    return this._hasValue;
  }

  /** Drops the value (disposing it if it is disposable); the next `get()` recomputes it. */
  releaseMemory(): void {
    if (this._hasValue) releaseValue(this);
  }

  /** Keeps the value once computed, instead of releasing it when no consumer needs it. */
  persist(): this {
    this._persist = true;
    return this;
  }

  /** Whether the value is kept after use (raw inputs, persisted outputs). */
  isPersisted(): boolean {
    return this._persist;
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

/** An operation (a function call) in the graph. */
export class OperationNode {
  /** @internal */ _active = false;
  /** @internal When it was last activated (see the evaluator's `abort`). */
  _activatedSeq = 0;
  /** @internal */ _visit = 0;
  /** @internal */ _removed = false;
  /**
   * @internal The first output, and the others (a shared empty list unless `nOut > 1`): most ops have one
   * output, and an array for it cost an allocation per add.
   */
  _output: DataNode | undefined = undefined;
  /** @internal */ _moreOutputs: DataNode[] = NO_OUTPUTS;

  /** @internal */ private _uid: string | undefined = undefined;

  /** @internal */
  constructor(
    /** @internal The uid's number. */
    readonly _n: number,
    /** @internal */ readonly _fn: (...args: never[]) => unknown,
    /** @internal */ readonly _graph: GraphBuilder,
    /** @internal */ readonly _parents: DataNode[],
    /** @internal */ readonly _args: ArgTemplate[] | undefined,
    /** @internal */ readonly _options: AddOptions,
    /** @internal */ private _site: PendingCallSite | CallSite | string | undefined,
    /** @internal The op added before this one in its graph (the graph keeps its ops as this list). */
    readonly _prevOp: OperationNode | undefined,
  ) {}

  /** The function name as pyflow uses it (`anonymous` for nameless functions). */
  get fnName(): string {
    return functionName(this._fn);
  }

  /** Where the `add` call is in the user's source, when call sites are captured. */
  get callSite(): CallSite | undefined {
    const site = this._site;
    if (site === undefined || (typeof site === 'object' && 'line' in site)) return site;
    this._site = resolveCallSite(site);
    return this._site;
  }

  /** Unique id in its graph: `<alias or function name>_<n>` (built on first use). */
  get uid(): string {
    return (this._uid ??= `${this._options.alias ?? this.fnName}_${this._n}`);
  }

  /** The data nodes this op produces. */
  get outputs(): readonly DataNode[] {
    return this._output === undefined ? NO_OUTPUTS : [this._output, ...this._moreOutputs];
  }

  /** The data nodes this op consumes, in argument order. */
  get inputs(): readonly DataNode[] {
    return this._parents;
  }

  /** @internal Whether an output still lacks its value (always, for an output-less op: it has not run). */
  _lacksOutput(): boolean {
    const first = this._output;
    if (first === undefined || !first._hasValue) return true;
    for (const output of this._moreOutputs) if (!output._hasValue) return true;
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
