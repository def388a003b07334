import { DataNode, NO_EXTRAS, OperationNode, type AddOptions, type ArgTemplate } from './nodes.js';
import { evaluateSync } from './engine/sync.js';
import { evaluateAsync } from './engine/async.js';
import type { Target } from './engine/activate.js';
import { PyflowError, describeCallSite } from './errors.js';
import { addOptionsProblem, graphOptionsProblem } from './options.js';
import { formatTraceEvent } from './format.js';
import { callerOutsideLibrary, captureCallSite, functionName, hasReturn, isSiteMarker, resolveCallSite, type PendingCallSite } from './introspect.js';
import type { CallSite } from './trace.js';
import { currentHost, type TraceEvent, type TraceListener } from './trace.js';
import { toGraphModel } from './toModel.js';
import type { GraphModel } from './model.js';
import { dependencyClosure } from './dependencies.js';
import { loadViewModule } from './viewModule.js';
import type { Executor, ResultCache } from './executor.js';

/** A node, or its uid or name. */
export type TargetRef = DataNode | OperationNode | string;

/** Options of `G.view()`. */
export interface ViewOptions {
  /** Full view (ops and data nodes) instead of the summary. */
  full?: boolean;
  /** Label nodes by uid (default: the graph's `verbose`). */
  uidLabels?: boolean;
  /** Where to write the page (`.svg` for a bare SVG); default a new file in the temp dir. */
  path?: string;
  highlight?: Iterable<string>;
}

const NO_OPTIONS: AddOptions = NO_EXTRAS.options;
/** Which data targets `run` (all) and `runOnly` (those it has to compute) keep, as pyflow 0.43 does. */
const ALL = 'all';
const ONLY_COMPUTED = 'only computed';

/** Options of `new GraphBuilder(options)`. */
export interface GraphBuilderOptions {
  /** Name of the graph: the view's title, and the name of its group in the view of a graph that grafts it. */
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
  /** Runs the ops whose function it owns (worker threads, a cluster) under getAsync(); the others run inline. */
  executor?: Executor;
  /** A cross-run store of op results, asked before each call (see `ResultCache`); default: the host's, false: none. */
  cache?: ResultCache | false;
}

/** A DataNode, or a value; DataNodes may also sit inside plain arrays and objects. */
export type Input<T> = T | DataNode<T> | (T extends (...args: never[]) => unknown ? never : T extends object ? { [K in keyof T]: Input<T[K]> } : never);

type Inputs<P extends readonly unknown[]> = { [K in keyof P]: Input<P[K]> };
type Outputs<R, N extends number> = R extends readonly unknown[] ? { [K in keyof R]: DataNode<R[K]> } & { length: N } : DataNode<unknown>[] & { length: N };
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
  /** @internal */ readonly _executor: Executor | undefined;
  /** @internal */ readonly _cache: ResultCache | undefined;
  /** @internal */ _emit: ((event: TraceEvent) => void) | undefined;
  /** @internal The last op added; each op links to the one before it (`_prevOp`). */
  _lastOp: OperationNode | undefined = undefined;
  /** The ops in order, made from the list when asked for (and until the next add or remove). */
  private opList: OperationNode[] | undefined = undefined;
  private counter = -1;

  constructor(options: GraphBuilderOptions = {}) {
    const problem = graphOptionsProblem(options);
    if (problem !== undefined) {
      const site = callerOutsideLibrary();
      throw new PyflowError('BAD_OPTION', `new GraphBuilder(…) at ${describeCallSite(site)}: ${problem}`, undefined, site);
    }
    this.alias = options.alias ?? 'graph';
    this.persistAll = options.persist ?? false;
    this.verbose = options.verbose ?? false;
    this.log = options.log ?? defaultLog;
    this.onRelease = options.onRelease;
    this._concurrency = Math.max(1, options.concurrency ?? 4);
    this._executor = options.executor;
    const host = currentHost();
    this._cache = options.cache === false ? undefined : (options.cache ?? host?.cache);
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
   *
   * @typeParam F - the function's type: its parameters type the inputs, its (awaited) return type the outputs.
   */
  add<F extends (...args: never[]) => void | Promise<void>>(fn: F, options: AddOptions & { nOut: 0 }): (...args: Inputs<Parameters<F>>) => OperationNode;
  add<F extends Fn, N extends number>(
    fn: F,
    options: AddOptions & { nOut: N },
  ): (...args: Inputs<Parameters<F>>) => N extends 1 ? DataNode<Awaited<ReturnType<F>>> : Outputs<Awaited<ReturnType<F>>, N>;
  add<F extends Fn>(
    fn: F,
    options?: AddOptions,
  ): (...args: Inputs<Parameters<F>>) => ReturnType<F> extends void | Promise<void> ? OperationNode : DataNode<Awaited<ReturnType<F>>>;
  add(fn: Fn, options?: AddOptions, site?: unknown): (...args: unknown[]) => unknown {
    // `G.add(fn)(...)` of the function added last, without options (remembered only without call sites, below).
    if (fn === this.lastPlainFn && options === undefined) return this.lastPlainAdd!;
    return this.adder(fn, options, site);
  }

  private adder(fn: Fn, options: AddOptions | undefined, site: unknown): (...args: unknown[]) => unknown {
    if (typeof fn !== 'function') {
      throw new PyflowError('BAD_ARGUMENT', `G.add expects a function, got ${fn === null ? 'null' : typeof fn}`);
    }
    if (options !== undefined) {
      const problem = addOptionsProblem(options);
      if (problem !== undefined) {
        const where = isSiteMarker(site) ? resolveCallSite(site) : callerOutsideLibrary();
        throw new PyflowError('BAD_OPTION', `${describeAdd(fn, options)} at ${describeCallSite(where)}: ${problem}`, undefined, where);
      }
    }
    // An executor's op fails away from its `add` line (in a thread, on another machine): its errors always name that line.
    if (this.captureSites || this._executor?.owns(fn)) {
      // `site`: the runner's bundler writes each `add` call's location into the call (see SITE_MARKER).
      const where = isSiteMarker(site) ? site : captureCallSite(2); // (add, then this)
      return (...args: unknown[]) => this.addOperation(fn, options ?? NO_OPTIONS, args, where);
    }
    if (options !== undefined) return (...args: unknown[]) => this.addOperation(fn, options, args, undefined);
    // The common `G.add(fn)(...)` in a loop: one closure per function, not one per call, which also knows the
    // function's output count. The last one is at hand (a loop adds the same function again and again: see `add`).
    let call = this.plainAdds.get(fn);
    if (call === undefined) {
      const nOut = hasReturn(fn) ? 1 : 0;
      call = (...args: unknown[]) => this.addOperation(fn, NO_OPTIONS, args, undefined, nOut);
      this.plainAdds.set(fn, call);
    }
    this.lastPlainFn = fn;
    this.lastPlainAdd = call;
    return call;
  }

  private readonly plainAdds = new WeakMap<Fn, (...args: unknown[]) => unknown>();
  private lastPlainFn: Fn | undefined = undefined;
  private lastPlainAdd: ((...args: unknown[]) => unknown) | undefined = undefined;

  private addOperation(fn: Fn, options: AddOptions, args: unknown[], site: PendingCallSite | string | undefined, knownOut?: number): unknown {
    const nOut = knownOut ?? options.nOut ?? (hasReturn(fn) ? 1 : 0);
    let raw = false;
    let nested = false;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg instanceof DataNode) continue;
      const found = nodesIn(arg);
      if (found instanceof OperationNode) throw this.operationArgument(fn, options, i, found, site);
      if (found !== undefined) {
        nested = true;
        break;
      }
      raw = true;
    }
    const n = ++this.counter;
    // The usual cases, arguments that are DataNodes or raw values: the rest-argument array itself becomes the
    // parent list (raw values replaced by their raw data nodes, in argument order).
    let parents = args as DataNode[];
    let templates: ArgTemplate[] | undefined;
    if (nested) {
      parents = [];
      templates = args.map((arg) => this.argTemplate(arg, parents));
    } else if (raw) {
      for (let i = 0; i < args.length; i++) if (!(args[i] instanceof DataNode)) args[i] = this.rawNode(args[i]);
    }
    const more = nOut > 1 ? new Array<DataNode>(nOut - 1) : NO_EXTRAS.moreOutputs;
    const extras =
      options === NO_OPTIONS && templates === undefined && site === undefined && nOut <= 1 ? NO_EXTRAS : { options, args: templates, site, moreOutputs: more };
    const op = new OperationNode(n, fn as never, this, parents, extras, this._lastOp);
    const persist = this.persistAll || options.persist === true;
    if (nOut > 0) op._output = new DataNode(++this.counter, this, op, persist);
    for (let i = 1; i < nOut; i++) more[i - 1] = new DataNode(++this.counter, this, op, persist);
    this.append(op);
    if (nOut === 0) return op;
    return nOut === 1 ? op._output : op.outputs;
  }

  /** `BAD_ARGUMENT`: an OperationNode given as an input (an output-less op has no value to pass on). */
  private operationArgument(fn: Fn, options: AddOptions, index: number, op: OperationNode, site: PendingCallSite | string | undefined): PyflowError {
    const where: CallSite | undefined = site === undefined ? callerOutsideLibrary() : resolveCallSite(site);
    return new PyflowError(
      'BAD_ARGUMENT',
      `${describeAdd(fn, options)}(…) at ${describeCallSite(where)}: argument ${index + 1} is (or holds) the OperationNode ${op.uid}, which has no value ` +
        "to pass: an op without outputs (no return, or nOut: 0) is evaluated with op.run(); pass a DataNode (an op's output) instead",
      op.uid,
      where,
    );
  }

  /** Makes `op` a consumer of each of its parents, in order, and the graph's last op. */
  private append(op: OperationNode): void {
    const parents = op._parents;
    for (let i = 0; i < parents.length; i++) {
      const parent = parents[i]!;
      const more = parent._moreConsumers;
      // (A parent passed twice lists the op once: the op is then its last consumer.)
      if (parent._consumer === undefined) parent._consumer = op;
      else if (more === undefined) {
        if (parent._consumer !== op) parent._moreConsumers = [op];
      } else if (more[more.length - 1] !== op) more.push(op);
    }
    this._lastOp = op;
    this.opList = undefined;
  }

  /** Turns one argument into a template; raw values become persisted raw data nodes (`data_n`). */
  private argTemplate(arg: unknown, parents: DataNode[]): ArgTemplate {
    if (!(arg instanceof DataNode) && nodesIn(arg) !== undefined) {
      if (Array.isArray(arg)) return { kind: 'array', items: arg.map((item) => this.argTemplate(item, parents)) };
      const entries = Object.entries(arg as object).map(([key, value]): [string, ArgTemplate] => [key, this.argTemplate(value, parents)]);
      return { kind: 'object', entries };
    }
    parents.push(arg instanceof DataNode ? arg : this.rawNode(arg));
    return { kind: 'parent', index: parents.length - 1 };
  }

  /** A raw input (`data_n`): persisted, with its value. */
  private rawNode(value: unknown): DataNode {
    const node = new DataNode(++this.counter, this, undefined, true);
    node._value = value;
    return node;
  }

  /**
   * Runs the whole graph: activates every op that has not produced its outputs (in the order they were
   * added) and runs them in that order. Requested data nodes are kept; returns the value of one target, an
   * array for several, undefined for none.
   */
  run(...targets: TargetRef[]): unknown {
    const resolved = this.resolveTargets(targets);
    return this.pick(resolved, evaluateSync(this, resolved, this.pendingOps()));
  }

  /**
   * Runs only what the targets need (data nodes: their values; ops: the op itself). Keeps the data targets it had to
   * compute (pyflow's shallow persist); one that had its value already is returned, not kept.
   */
  runOnly(...targets: TargetRef[]): unknown {
    const resolved = this.resolveTargets(targets, ONLY_COMPUTED);
    return this.pick(resolved, evaluateSync(this, resolved));
  }

  /** `run` for graphs whose ops return promises; independent ops run concurrently. */
  async runAsync(...targets: TargetRef[]): Promise<unknown> {
    const resolved = this.resolveTargets(targets);
    return this.pick(resolved, await evaluateAsync(this, resolved, this.pendingOps()));
  }

  /** `runOnly` for graphs whose ops return promises. */
  async runOnlyAsync(...targets: TargetRef[]): Promise<unknown> {
    const resolved = this.resolveTargets(targets, ONLY_COMPUTED);
    return this.pick(resolved, await evaluateAsync(this, resolved));
  }

  /** The ops that lack an output, in the order they were added (straight from the list: no op array first). */
  private pendingOps(): OperationNode[] {
    const pending: OperationNode[] = [];
    for (let op = this._lastOp; op !== undefined; op = op._prevOp) if (op._lacksOutput()) pending.push(op);
    return pending.reverse();
  }

  private pick(targets: Target[], values: unknown[]): unknown {
    if (targets.length === 0) return undefined;
    return targets.length === 1 ? values[0] : values;
  }

  /** The targets' nodes; the data targets are kept (all of them, or with ONLY_COMPUTED those without a value). */
  private resolveTargets(targets: TargetRef[], keep: typeof ALL | typeof ONLY_COMPUTED = ALL): Target[] {
    // All resolved before any is kept: a name that does not resolve changes nothing.
    const nodes = targets.map((target) => this.nodeOf(target));
    for (const node of nodes) if (node instanceof DataNode && (keep === ALL || !node.hasValue())) node._kept = true;
    return nodes;
  }

  /** A target given to run/runOnly/dependencies: a node, or its uid or name. */
  private nodeOf(target: TargetRef): Target {
    if (typeof target === 'string') return this.findNode(target);
    if (target instanceof DataNode || target instanceof OperationNode) return target;
    const got = target === null ? 'null' : Array.isArray(target) ? 'an array (spread it: run(...nodes))' : typeof target;
    throw new PyflowError('BAD_ARGUMENT', `Graph "${this.alias}": targets are DataNodes, OperationNodes or their uids or names (strings); got ${got}`);
  }

  /**
   * Finds a node by uid (`adding_4`), or by name when exactly one node has it: an op's alias or function
   * name, or a data node's output alias (pyflow matches a uid without its `_n` suffix the same way).
   */
  findNode(name: string): DataNode | OperationNode {
    const ops = this._ops;
    const data = this.dataNodes();
    const byUid = ops.find((op) => op.uid === name) ?? data.find((d) => d.uid === name);
    if (byUid) return byUid;
    const stem = (uid: string): string => uid.slice(0, uid.lastIndexOf('_'));
    const matches = [...ops.filter((op) => stem(op.uid) === name), ...data.filter((d) => d.alias === name && stem(d.uid) === name)];
    if (matches.length === 1) return matches[0]!;
    const why =
      matches.length > 1
        ? `${matches.length} nodes are named so (${matches.map((n) => n.uid).join(', ')}); use a uid`
        : `no node has that uid or name (uids: ${[...ops, ...data]
            .slice(0, 12)
            .map((n) => n.uid)
            .join(', ')}${ops.length + data.length > 12 ? ', …' : ''})`;
    throw new PyflowError('UNKNOWN_NODE', `Graph "${this.alias}" has no single node "${name}": ${why}`);
  }

  /** @internal The ops, in the order they were added. */
  get _ops(): OperationNode[] {
    if (this.opList === undefined) {
      const ops: OperationNode[] = [];
      for (let op = this._lastOp; op !== undefined; op = op._prevOp) ops.push(op);
      this.opList = ops.reverse();
    }
    return this.opList;
  }

  /** This graph's data nodes: each op's raw inputs (one per raw argument), then its outputs, in uid order. */
  private dataNodes(): DataNode[] {
    const data: DataNode[] = [];
    for (const op of this._ops) {
      for (const parent of op._parents) if (parent._producer === undefined && parent._graph === this) data.push(parent);
      data.push(...op.outputs);
    }
    return data;
  }

  /** uids of every node the targets depend on (pyflow's view_dependency highlight), targets included. */
  dependencies(...targets: TargetRef[]): Set<string> {
    const uids = targets.map((t) => this.nodeOf(t).uid);
    return dependencyClosure(this.toJSON(), uids);
  }

  /**
   * Draws the graph. Under the Pyflow extension's runner it appears in the graph view; in Node it is written
   * as a standalone HTML page (the webview's renderer) whose path is returned.
   */
  async view(options: ViewOptions = {}): Promise<string | undefined> {
    const host = currentHost();
    const highlight = options.highlight ? [...options.highlight] : undefined;
    if (host?.showGraph) {
      host.showGraph(this, { full: options.full, highlight });
      return undefined;
    }
    const viewer = await loadViewModule();
    return viewer.writeGraphView(this.toJSON(), {
      ...options,
      uidLabels: options.uidLabels ?? this.verbose,
      highlight: options.highlight ? new Set(options.highlight) : undefined,
    });
  }

  /** `view()` with everything the targets need highlighted (pyflow's `view_dependency`). */
  viewDependency(...targets: TargetRef[]): Promise<string | undefined> {
    return this.view({ highlight: this.dependencies(...targets) });
  }

  /** Removes the last `n` operations with their outputs and raw inputs (pyflow's `remove`). */
  remove(n = 1): void {
    if (!(Number.isInteger(n) || n === Infinity) || n < 0) {
      throw new PyflowError('BAD_ARGUMENT', `G.remove(n) removes the last n ops: n must be a whole number >= 0 (or Infinity: all), got ${String(n)}`);
    }
    for (let k = 0; k < n && this._lastOp !== undefined; k++) {
      const op = this._lastOp;
      this._lastOp = op._prevOp;
      this.opList = undefined;
      op._removed = true;
      for (const out of op.outputs) {
        out._removed = true;
        this.counter--;
      }
      for (const parent of new Set(op._parents)) {
        if (parent.isRaw() && parent._graph === this) {
          parent._removed = true;
          this.counter--;
        } else {
          const rest = [parent._consumer!, ...(parent._moreConsumers ?? [])].filter((c) => c !== op);
          parent._consumer = rest[0];
          parent._moreConsumers = rest.length > 1 ? rest.slice(1) : undefined;
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
    const alias = this.alias;
    this._emit =
      listeners.length === 0
        ? undefined
        : (event) => {
            for (const listener of listeners.length === 1 ? listeners : [...listeners]) {
              try {
                listener(event);
              } catch (error) {
                throw error instanceof PyflowError ? error : listenerError(alias, event, error);
              }
            }
          };
  }

  /** @internal pyflow's name of an op's function (the last one is at hand: ops mostly come in runs of one function). */
  _nameOf(fn: Fn): string {
    if (fn !== this.lastNamed) this.name(fn);
    return this.lastName;
  }

  /** @internal `<name>_`, the start of the uids of ops calling `fn` (kept with its name). */
  _prefixOf(fn: Fn): string {
    if (fn !== this.lastNamed) this.name(fn);
    return this.lastPrefix;
  }

  private name(fn: Fn): void {
    this.lastName = functionName(fn);
    this.lastPrefix = `${this.lastName}_`;
    this.lastNamed = fn;
  }

  private lastNamed: Fn | undefined = undefined;
  private lastName = '';
  private lastPrefix = '';

  /** @internal */
  _previewValues(): boolean {
    return this.previews;
  }

  /** @internal Whether released values go to an onRelease hook. */
  _hasReleaseHook(): boolean {
    return this.onRelease !== undefined;
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

/** A trace listener (or a verbose graph's `log`) that threw: the evaluation fails with this, the original as its cause. */
function listenerError(alias: string, event: TraceEvent, error: unknown): PyflowError {
  return new PyflowError(
    'LISTENER_FAILED',
    `a trace listener of graph "${alias}" threw on the ${event.kind} event of ${event.uid}: ${error instanceof Error ? error.message : String(error)}`,
    event.uid,
    undefined,
    { cause: error },
  );
}

/** `G.add(name, …)`, or `G.add(name, { alias: … })`, for errors. */
function describeAdd(fn: Fn, options: unknown): string {
  const alias = (options as { alias?: unknown } | undefined)?.alias;
  return `G.add(${functionName(fn)}${typeof alias === 'string' ? `, { alias: ${JSON.stringify(alias)} }` : ', …'})`;
}

/**
 * What an argument holds, looking into plain arrays and objects: an OperationNode if any (an error), else whether it
 * holds a DataNode.
 */
function nodesIn(value: unknown): OperationNode | 'data' | undefined {
  if (value instanceof DataNode) return 'data';
  if (value instanceof OperationNode) return value;
  const items = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : undefined;
  if (items === undefined) return undefined;
  let found: 'data' | undefined;
  for (const item of items) {
    const inner = nodesIn(item);
    if (inner instanceof OperationNode) return inner;
    found ??= inner;
  }
  return found;
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
