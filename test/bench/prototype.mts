/*
 * The floor of the algorithm: a minimal two-step evaluation (walk and list, then run and release) on objects shaped
 * like the library's, with none of its checks (errors, cycles, async results, grafting, removal, tracing) and one
 * function, so V8 inlines its call. Measured against the library and the floor of direct calls on the same binary
 * tree, in this process of its own (`npm run bench -- prototype`). It tells how far the evaluation-per-op targets are
 * from what the bare algorithm does on V8 objects (docs/benchmarks.md). A second table times build + evaluate at 1e3
 * against alien-signals: the prototype called directly, the prototype behind the library's `G.add(fn)(...args)` API
 * (ProtoGraph), and the library, which tells what the API alone leaves of the 1.0x target.
 */
import { GraphBuilder } from '../../dist/lib/index.mjs';
import { signal, computed } from 'alien-signals';

const NO = Symbol('no value');
class D {
  _value: unknown = NO;
  _consumer: O | undefined = undefined;
  _more: O | undefined = undefined;
  _visit = 0;
  constructor(
    readonly _producer: O | undefined,
    readonly _hold: number,
  ) {}
}
class O {
  _act = 0;
  _visit = 0;
  _output: D | undefined = undefined;
  constructor(
    readonly _fn: (a: number, b: number) => number,
    readonly _parents: D[],
  ) {}
}
const add = (a: number, b: number): number => a + b;
const inc = (a: number): number => a + 1;

function raw(v: number): D {
  const d = new D(undefined, 2);
  d._value = v;
  return d;
}
function opOf(fn: (a: number, b: number) => number, parents: D[]): D {
  const o = new O(fn, parents);
  const d = new D(o, 0);
  o._output = d;
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i]!;
    if (p._consumer === undefined) p._consumer = o;
    else p._more = o;
  }
  return d;
}
const op = (a: D, b: D): D => opOf(add, [a, b]);
/** Pairs level by level, an odd element carried up: the bench's tree. */
function levels<T>(n: number, leaf: (i: number) => T, pair: (a: T, b: T) => T): T {
  let level = Array.from({ length: n + 1 }, (_, i) => leaf(i));
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(pair(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

let epoch = 0;
let seq = 0;
const stack: (O | undefined)[] = [];
const nexts: number[] = [];
const list: O[] = [];

function walk(root: O): number {
  const mark = ++epoch;
  let top = 0;
  let end = 0;
  root._visit = mark;
  root._act = ++seq;
  stack[top] = root;
  nexts[top++] = 0;
  while (top > 0) {
    const o = stack[top - 1]!;
    const ps = o._parents;
    let i = nexts[top - 1]!;
    let prod: O | undefined;
    for (; i < ps.length; i++) {
      const p = ps[i]!;
      if (typeof p._value !== 'symbol' || p._value !== NO) continue;
      prod = p._producer!;
      if (prod._visit !== mark) break;
      prod = undefined;
    }
    if (prod !== undefined) {
      prod._visit = mark;
      if (prod._act === 0) prod._act = ++seq;
      nexts[top - 1] = i + 1;
      stack[top] = prod;
      nexts[top++] = 0;
      continue;
    }
    list[end++] = o;
    stack[--top] = undefined;
  }
  return end;
}

function runList(end: number): void {
  for (let k = 0; k < end; k++) {
    const o = list[k]!;
    const ps = o._parents;
    o._output!._value = ps.length === 1 ? o._fn(ps[0]!._value as number, 0) : o._fn(ps[0]!._value as number, ps[1]!._value as number);
    for (let j = 0; j < ps.length; j++) {
      const p = ps[j]!;
      if (p._hold !== 0 || (typeof p._value === 'symbol' && p._value === NO)) continue;
      const c = p._consumer;
      if (c !== o && c !== undefined && c._act !== 0) continue;
      const m = p._more;
      if (m !== undefined && m !== o && m._act !== 0) continue;
      p._value = NO;
    }
    o._act = 0;
  }
}

function evaluate(target: D): unknown {
  runList(walk(target._producer!));
  return target._value;
}

const cpu = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function measure(n: number): string[] {
  const reps = Math.max(20, Math.floor(2e6 / n));
  const proto: number[] = [];
  const lib: number[] = [];
  const floor: number[] = [];
  // The floor: the tree's op list called directly in order, values in a Float64Array.
  const ia: number[] = [];
  const ib: number[] = [];
  levels<number>(
    n,
    (i) => i,
    (a, b) => {
      ia.push(a);
      ib.push(b);
      return n + ia.length;
    },
  );
  const A = Int32Array.from(ia);
  const B = Int32Array.from(ib);
  const fns = new Array(n).fill(add) as ((a: number, b: number) => number)[];
  let check = 0;
  for (let r = 0; r < reps; r++) {
    // (Each graph is built in a function of its own: nothing of it outlives its sample.)
    const t = ((): number => {
      const root = levels<D>(n, raw, op);
      const t0 = cpu();
      check = evaluate(root) as number;
      return cpu() - t0;
    })();
    const u = ((): number => {
      const G = new GraphBuilder();
      const root = levels<unknown>(
        n,
        (i) => i,
        (a, b) => G.add(add)(a as number, b as number),
      );
      const t0 = cpu();
      const got = (root as { get(): number }).get();
      if (got !== check) throw new Error(`library ${got}, prototype ${check}`);
      return cpu() - t0;
    })();
    const t0 = cpu();
    const vals = new Float64Array(2 * n + 2);
    for (let i = 0; i <= n; i++) vals[i] = i;
    for (let k = 0; k < n; k++) vals[n + 1 + k] = fns[k]!(vals[A[k]!]!, vals[B[k]!]!);
    const f = cpu() - t0;
    if (vals[2 * n] !== check) throw new Error(`floor ${vals[2 * n]}, prototype ${check}`);
    if (r < reps / 4) continue; // warm-up
    proto.push(t);
    lib.push(u);
    floor.push(f);
  }
  const ns = (ms: number): string => ((ms * 1e6) / n).toFixed(1);
  const p = median(proto),
    l = median(lib),
    f = median(floor);
  return [`tree ${n.toExponential(0).replace('+', '')}`, ns(f), ns(p), ns(l), (p / f).toFixed(2), (l / f).toFixed(2), (l / p).toFixed(2)];
}

/**
 * The library's API on the prototype's objects: `G.add(fn)` hands back one closure per function (the last one at hand,
 * as the library's does), which wraps raw values in raw data nodes, makes the op and its output and links them to the
 * parents: what any `G.add(fn)(...args)` has to do, without uids, options, removal or any check.
 */
class ProtoGraph {
  private lastFn: ((a: number, b: number) => number) | undefined = undefined;
  private lastAdd: ((...args: unknown[]) => D) | undefined = undefined;
  add(fn: (a: number, b: number) => number): (...args: unknown[]) => D {
    if (fn === this.lastFn) return this.lastAdd!;
    this.lastFn = fn;
    return (this.lastAdd = (...args: unknown[]): D => {
      for (let i = 0; i < args.length; i++) if (!(args[i] instanceof D)) args[i] = raw(args[i] as number);
      return opOf(fn, args as D[]);
    });
  }
}

/*
 * The same graph built four ways, each in a loop of its own, as a user writes it: a loop shared by all four (through
 * callbacks) makes its calls megamorphic, and V8 then inlines none of them, which changes the comparison.
 */
function chainDirect(n: number): unknown {
  let d = opOf(inc, [raw(0)]);
  for (let i = 1; i < n; i++) d = opOf(inc, [d]);
  return evaluate(d);
}
function chainApi(n: number): unknown {
  const P = new ProtoGraph();
  let d = P.add(inc)(0);
  for (let i = 1; i < n; i++) d = P.add(inc)(d);
  return evaluate(d);
}
function chainLibrary(n: number): unknown {
  const G = new GraphBuilder();
  let d = G.add(inc)(0);
  for (let i = 1; i < n; i++) d = G.add(inc)(d);
  return d.get();
}
function chainAlien(n: number): unknown {
  const s0 = signal(0);
  let c = computed(() => inc(s0()));
  for (let i = 1; i < n; i++) {
    const q = c;
    c = computed(() => inc(q()));
  }
  return c();
}
/** The bench's tree, level by level (an odd element carried up). */
function treeDirect(n: number): unknown {
  let level: D[] = [];
  for (let i = 0; i <= n; i++) level.push(raw(i));
  while (level.length > 1) {
    const next: D[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(opOf(add, [level[i]!, level[i + 1]!]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return evaluate(level[0]!);
}
function treeApi(n: number): unknown {
  const P = new ProtoGraph();
  let level: unknown[] = [];
  for (let i = 0; i <= n; i++) level.push(i);
  while (level.length > 1) {
    const next: unknown[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(P.add(add)(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return evaluate(level[0] as D);
}
function treeLibrary(n: number): unknown {
  const G = new GraphBuilder();
  let level: unknown[] = [];
  for (let i = 0; i <= n; i++) level.push(i);
  while (level.length > 1) {
    const next: unknown[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(G.add(add)(level[i] as number, level[i + 1] as number));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return (level[0] as { get(): number }).get();
}
function treeAlien(n: number): unknown {
  let level: (() => number)[] = [];
  for (let i = 0; i <= n; i++) level.push(signal(i));
  while (level.length > 1) {
    const next: (() => number)[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const a = level[i]!,
        b = level[i + 1]!;
      next.push(computed(() => add(a(), b())));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!();
}
/** In the order buildCase reports them; alien-signals last, the reference of the ratios. */
const BUILDS = { chain: [chainDirect, chainApi, chainLibrary, chainAlien], tree: [treeDirect, treeApi, treeLibrary, treeAlien] };

/**
 * Build + evaluate per op of a chain or a tree of n ops: the prototype called directly, the prototype behind the
 * library's API (ProtoGraph), the library, and alien-signals, in turn in each repetition.
 */
function buildCase(shape: 'chain' | 'tree', n: number): string[] {
  // Each sample builds and evaluates `batch` graphs (a 1e3-op graph takes ~0.1 ms, near the clock's resolution); the
  // ratios are medians of the per-repetition ratios.
  const batch = 10;
  const reps = 300;
  const times: number[][] = [[], [], [], []];
  const ratios: number[][] = [[], [], []];
  const methods = BUILDS[shape];
  for (let r = 0; r < reps; r++) {
    const got = new Set<unknown>();
    const t = methods.map((method) => {
      const t0 = cpu();
      for (let k = 0; k < batch; k++) got.add(method(n));
      return cpu() - t0;
    });
    if (got.size !== 1) throw new Error(`${shape}: prototype, prototype behind the API, library, alien-signals disagree: ${[...got].join(', ')}`);
    if (r < reps / 4) continue; // warm-up
    t.forEach((x, i) => times[i]!.push(x));
    for (let i = 0; i < ratios.length; i++) ratios[i]!.push(t[i]! / t[ratios.length]!);
  }
  const ns = (ms: number): string => ((ms * 1e6) / (n * batch)).toFixed(1);
  return [`${shape} ${n.toExponential(0).replace('+', '')}`, ...times.map((x) => ns(median(x))), ...ratios.map((x) => median(x).toFixed(2))];
}

const rows = [1e3, 1e4].map(measure);
console.log('\n## The floor of the algorithm: a minimal evaluator on objects like ours, binary tree, evaluation only\n');
console.log('| case | floor ns/op | prototype ns/op | pyflow ns/op | prototype / floor | pyflow / floor | pyflow / prototype |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
const builds = [buildCase('chain', 1e3), buildCase('tree', 1e3)];
console.log("\n## Build + evaluate: the prototype (called directly, and behind the library's API) and the library against alien-signals\n");
console.log(
  '| case | prototype ns/op | prototype behind the API ns/op | pyflow ns/op | alien ns/op | prototype / alien | prototype behind the API / alien | pyflow / alien |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of builds) console.log(`| ${r.join(' | ')} |`);
console.log(
  "\nCPU time, medians (ratios: of the per-repetition ratios); one process with one function per shape (so the ops' call is inlined), fresh graphs per sample.",
);
