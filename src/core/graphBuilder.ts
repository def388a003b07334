import { DataNode, OperationNode, type AddOptions, type ArgTemplate } from './nodes.js';
import { evaluateSync, evaluateAsync, type Target } from './evaluator.js';
import { PyflowError } from './errors.js';
import { formatTraceEvent } from './format.js';
import { captureCallSite, functionName, hasReturn } from './introspect.js';
import { currentHost, type TraceEvent, type TraceListener } from './trace.js';
import { toGraphModel } from './toModel.js';
import type { GraphModel } from './model.js';

export interface GraphBuilderOptions {
  /** Name of the graph: the view's title, and the box drawn for it when another graph grafts it. */
  alias?: string;
  /** Keep every intermediate result (default false: release each as soon as nothing needs it). */
  persist?: boolean;
  /** Print pyflow's trace (`computing for data_3`, `adding_0 activated!`, ...) through `log`. */
  verbose?: boolean;
  /** Where verbose lines go (default `console.log`). */
  log?: (line: string) => void;
  /** Called with each value the graph releases (after disposing it if it is disposable). */
  onRelease?: (value: unknown, node: DataNode) => void;
  /** Record the source location of every `add` call (on by default under a tracer or `verbose`). */
  callSites?: boolean;
  /** How many promise-returning ops `getAsync` runs at once (default 4). */
  concurrency?: number;
}

/** A DataNode, or a value; DataNodes may also sit inside plain arrays and objects. */
export type Input<T> =
  | T
  | DataNode<T>
  | (T extends (...args: never[]) => unknown ? never : T extends object ? { [K in keyof T]: Input<T[K]> } : never);

type Inputs<P extends readonly unknown[]> = { [K in keyof P]: Input<P[K]> };
type Outputs<R, N extends number> = R extends readonly unknown[]
  ? { [K in keyof R]: DataNode<R[K]> } & { length: N }
  : DataNode<unknown>[] & { length: N };
type Fn = (...args: never[]) => unknown;


/** Builds a lazy computation graph: `const a = G.add(fn)(x, y)` adds an op; `a.get()` evaluates. */
export class GraphBuilder {
  readonly alias: string;
  readonly verbose: boolean;
  private readonly persistAll: boolean;
  private readonly log: (line: string) => void;
  private readonly onRelease: ((value: unknown, node: DataNode) => void) | undefined;
  private readonly listeners: TraceListener[] = [];
  private readonly captureSites: boolean;
  private readonly previews: boolean;
  /** @internal */ readonly _concurrency: number;
  /** @internal */ _emit: ((event: TraceEvent) => void) | undefined;
  /** @internal */ readonly _ops: OperationNode[] = [];
  /** @internal */ readonly _data: DataNode[] = [];
  private counter = -1;

  constructor(options: GraphBuilderOptions = {}) {
    this.alias = options.alias ?? 'graph';
    this.persistAll = options.persist ?? false;
    this.verbose = options.verbose ?? false;
    this.log = options.log ?? defaultLog;
    this.onRelease = options.onRelease;
    this._concurrency = Math.max(1, options.concurrency ?? 4);
    const host = currentHost();
    this.captureSites = options.callSites ?? (this.verbose || host?.captureCallSites === true);
    this.previews = host?.previewValues === true;
    if (this.verbose) {
      this.subscribe((event) => {
        const line = formatTraceEvent(event);
        if (line !== undefined) this.log(line);
      });
    }
    host?.graphCreated(this);
  }

  /**
   * Adds an operation: `G.add(fn, options)(...args)`. Returns the output DataNode; a tuple of them with
   * `nOut > 1`; the OperationNode for output-less ops (`nOut: 0`, or a function without `return`).
   */
  add<F extends (...args: never[]) => void | Promise<void>>(fn: F, options: AddOptions & { nOut: 0 }): (...args: Inputs<Parameters<F>>) => OperationNode;
  add<F extends Fn, N extends number>(fn: F, options: AddOptions & { nOut: N }): (...args: Inputs<Parameters<F>>) => N extends 1 ? DataNode<Awaited<ReturnType<F>>> : Outputs<Awaited<ReturnType<F>>, N>;
  add<F extends Fn>(fn: F, options?: AddOptions): (...args: Inputs<Parameters<F>>) => ReturnType<F> extends void | Promise<void> ? OperationNode : DataNode<Awaited<ReturnType<F>>>;
  add(fn: Fn, options: AddOptions = {}): (...args: unknown[]) => unknown {
    if (typeof fn !== 'function') {
      throw new PyflowError('BAD_ARGUMENT', `G.add expects a function, got ${fn === null ? 'null' : typeof fn}`);
    }
    const site = this.captureSites ? captureCallSite(1) : undefined;
    const graph = this;
    return function addCall(...args: unknown[]) {
      return graph.addOperation(fn, options, args, site);
    };
  }

  private addOperation(fn: Fn, options: AddOptions, args: unknown[], site: OperationNode['callSite']): unknown {
    const nOut = options.nOut ?? (hasReturn(fn) ? 1 : 0);
    if (!Number.isInteger(nOut) || nOut < 0) {
      throw new PyflowError('BAD_OPTION', `nOut must be a whole number >= 0, got ${String(options.nOut)}`);
    }
    const name = functionName(fn);
    const uid = `${options.alias ?? name}_${++this.counter}`;
    const parents: DataNode[] = [];
    let structured = false;
    const templates = args.map((arg) => {
      const t = this.argTemplate(arg, parents);
      if (t.kind !== 'parent') structured = true;
      return t;
    });
    const op = new OperationNode(uid, name, fn as never, this, parents, structured ? templates : undefined, nOut, options, site);
    const aliases = typeof options.outputAlias === 'string' ? [options.outputAlias] : options.outputAlias;
    const persist = this.persistAll || options.persist === true;
    for (let i = 0; i < nOut; i++) {
      const alias = aliases?.[i] ?? aliases?.[0];
      const out = new DataNode(`${alias ?? 'data'}_${++this.counter}`, alias, this, op, persist);
      op._outputs.push(out);
      this._data.push(out);
    }
    for (const parent of parents) parent._consumers.push(op);
    this._ops.push(op);
    if (nOut === 0) return op;
    return nOut === 1 ? op._outputs[0] : [...op._outputs];
  }

  /** Turns one argument into a template; raw values become persisted raw data nodes (`data_n`). */
  private argTemplate(arg: unknown, parents: DataNode[]): ArgTemplate {
    if (!(arg instanceof DataNode) && containsDataNode(arg)) {
      if (Array.isArray(arg)) return { kind: 'array', items: arg.map((item) => this.argTemplate(item, parents)) };
      const entries = Object.entries(arg as object).map(([key, value]): [string, ArgTemplate] => [key, this.argTemplate(value, parents)]);
      return { kind: 'object', entries };
    }
    let node: DataNode;
    if (arg instanceof DataNode) {
      node = arg;
    } else {
      node = new DataNode(`data_${++this.counter}`, undefined, this, undefined, true);
      node._value = arg;
      node._hasValue = true;
      this._data.push(node);
    }
    parents.push(node);
    return { kind: 'parent', index: parents.length - 1 };
  }

  /**
   * Runs the whole graph (every op), keeping the requested data nodes. Returns the value of one target,
   * an array for several, undefined for none.
   */
  run(...targets: (DataNode | OperationNode | string)[]): unknown {
    const resolved = this.resolveTargets(targets);
    return this.pick(resolved, evaluateSync(this, [...this.pendingOps(), ...resolved]).slice(-resolved.length || Infinity));
  }

  /** Runs only what the targets need (data nodes: their values; ops: the op itself), keeping them. */
  runOnly(...targets: (DataNode | OperationNode | string)[]): unknown {
    const resolved = this.resolveTargets(targets);
    return this.pick(resolved, evaluateSync(this, resolved));
  }

  /** `run` for graphs whose ops return promises. */
  async runAsync(...targets: (DataNode | OperationNode | string)[]): Promise<unknown> {
    const resolved = this.resolveTargets(targets);
    const values = await evaluateAsync(this, [...this.pendingOps(), ...resolved]);
    return this.pick(resolved, values.slice(-resolved.length || Infinity));
  }

  /** `runOnly` for graphs whose ops return promises. */
  async runOnlyAsync(...targets: (DataNode | OperationNode | string)[]): Promise<unknown> {
    const resolved = this.resolveTargets(targets);
    return this.pick(resolved, await evaluateAsync(this, resolved));
  }

  private pendingOps(): OperationNode[] {
    return this._ops.filter((op) => op._outputs.length === 0 || op._outputs.some((out) => !out._hasValue));
  }

  private pick(targets: Target[], values: unknown[]): unknown {
    if (targets.length === 0) return undefined;
    return targets.length === 1 ? values[0] : values;
  }

  private resolveTargets(targets: (DataNode | OperationNode | string)[]): Target[] {
    return targets.map((target) => {
      const node = typeof target === 'string' ? this.findNode(target) : target;
      if (node instanceof DataNode) node.persist();
      return node;
    });
  }

  /** Finds a node by uid, or by alias when it is unique. */
  findNode(name: string): DataNode | OperationNode {
    const byUid = this._ops.find((op) => op.uid === name) ?? this._data.find((d) => d.uid === name);
    if (byUid) return byUid;
    const byAlias = [...this._ops.filter((op) => op._options.alias === name), ...this._data.filter((d) => d.alias === name)];
    if (byAlias.length === 1) return byAlias[0]!;
    const why = byAlias.length > 1 ? `the alias is shared by ${byAlias.map((n) => n.uid).join(', ')}` : 'no node has that uid or alias';
    throw new PyflowError('UNKNOWN_NODE', `${this.alias} has no single node named "${name}": ${why}`);
  }

  /** Removes the last `n` operations with their outputs and raw inputs (pyflow's `remove`). */
  remove(n = 1): void {
    for (let k = 0; k < n && this._ops.length > 0; k++) {
      const op = this._ops.pop()!;
      for (const out of op._outputs) {
        removeItem(this._data, out);
        this.counter--;
      }
      for (const parent of new Set(op._parents)) {
        if (parent.isRaw() && parent._graph === this) {
          removeItem(this._data, parent);
          this.counter--;
        } else {
          parent._consumers.splice(0, parent._consumers.length, ...parent._consumers.filter((c) => c !== op));
        }
      }
      this.counter--;
    }
  }

  /** Subscribes to this graph's trace events; returns the unsubscribe function. */
  subscribe(listener: TraceListener): () => void {
    this.listeners.push(listener);
    this.updateEmitter();
    return () => {
      removeItem(this.listeners, listener);
      this.updateEmitter();
    };
  }

  private updateEmitter(): void {
    const listeners = this.listeners;
    this._emit =
      listeners.length === 0 ? undefined
      : listeners.length === 1 ? listeners[0]
      : (event) => { for (const l of [...listeners]) l(event); };
  }

  /** @internal */
  _emitter(): ((event: TraceEvent) => void) | undefined {
    return this._emit;
  }

  /** @internal */
  _previewValues(): boolean {
    return this.previews;
  }

  /** @internal */
  _disposeValue(value: unknown, node: DataNode): void {
    if (typeof value === 'object' && value !== null) {
      const dispose = (value as { [Symbol.dispose]?: () => void })[Symbol.dispose];
      if (typeof dispose === 'function') dispose.call(value);
      else {
        const asyncDispose = (value as { [Symbol.asyncDispose]?: () => Promise<void> })[Symbol.asyncDispose];
        if (typeof asyncDispose === 'function') void asyncDispose.call(value).catch(() => undefined);
      }
    }
    this.onRelease?.(value, node);
  }

  /** The graph model (nodes, edges, styling, source locations) shared with the extension. */
  toJSON(): GraphModel {
    return toGraphModel(this);
  }

  /** The operations, in the order they were added. */
  get operations(): readonly OperationNode[] {
    return this._ops;
  }
}

/** console.log without depending on DOM or Node typings (the core targets both). */
function defaultLog(line: string): void {
  (globalThis as unknown as { console: { log(text: string): void } }).console.log(line);
}

function containsDataNode(value: unknown): boolean {
  if (value instanceof DataNode) return true;
  if (Array.isArray(value)) return value.some(containsDataNode);
  if (isPlainObject(value)) return Object.values(value).some(containsDataNode);
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function removeItem<T>(items: T[], item: T): void {
  const index = items.lastIndexOf(item);
  if (index >= 0) items.splice(index, 1);
}
