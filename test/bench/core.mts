/*
 * Benchmark of the pyflow core (lazy DAG) against a plain-array floor and alien-signals.
 *
 *   npm run bench -- core [--quick] [--smoke] [--wall] [--default-heap]
 *
 * (It re-runs itself in one child process with --expose-gc and pinned V8 heap heuristics: see PINNED below.
 * --quick: sizes 1e3 and 1e4 only, 3 repetitions; --wall: wall-clock instead of CPU time; --only=chain,tree
 * --sizes=1e4 --runners=pyflow,trace --no-memory --debug: subsets and per-sample output, for profiling.)
 *
 * (alien-signals is a dev dependency of the bench only; `--expose-gc` is optional: without it the
 * same function is obtained through v8.setFlagsFromString.) Everything is measured in one process run, and
 * only RATIOS between methods of the same run are meant to be compared across machines.
 *
 * Shapes (every op is trivial: x => x + 1, (a, b) => a + b, or a sum of its arguments). `n` is the number of
 * operations; per-op costs divide by exactly that number.
 *   chain    n ops: op_0 = inc(0), op_k = inc(op_{k-1}); one sink (the last op).
 *   tree     binary reduction of n + 1 raw leaves by n `add` ops (pairs level by level; an odd element is
 *            carried up); one sink (the root).
 *   fanin    n - 1 leaf ops inc(i) (each on its own raw input) feeding ONE op with n - 1 arguments that sums
 *            them; one sink. It is the shape a tree does not cover: one very wide op (one call with 1e5
 *            spread arguments; the width V8 allows is ~1.2e5, so 1e5 is the largest size).
 *   lattice  width 100, n / 100 rows (1e4 is the 100x100 lattice): row 0 is inc(j) on raw input j, node j of
 *            row r is add(row[r-1][j], row[r-1][(j+1) % 100]). The 100 nodes of the last row are the sinks:
 *            pyflow evaluates them with G.run(...sinks) (one evaluation, so shared ancestors are computed once;
 *            a get() per sink would recompute the released interior for every sink), alien reads each.
 *   chain 1e6 is run for the chain only.
 *
 * Methods, per op, in nanoseconds:
 *   floor     the same op list called directly in topological order: plain arrays of functions and argument
 *             slots (flattened once, untimed), values in a Float64Array allocated per run.
 *   pyflow    new GraphBuilder(), G.add(fn)(...args) for every op, then get() (G.run for several sinks).
 *   eval      the evaluation part of the `pyflow` runs (each graph's build and get() are timed separately).
 *   alien     signal() per raw input, computed() per op, then read the sink(s).
 *   trace     `pyflow` with one G.subscribe(() => count++) listener (events counted).
 *   tfloor    the tracing floor: what tracing must add per op, done alone, without a graph (see traceFloorRun);
 *             the table gives (pyflow + tfloor) / pyflow, an estimate of the least tracing on/off that design allows.
 * Each sample runs the method `batch` times (so a sample is >= ~1e4..1e6 ops), the median of the samples is
 * reported; methods are interleaved within each repetition (order rotated). A GC is forced between cases, not
 * between samples; one warm-up pass over all shapes at 1e3 and one discarded repetition per case at 1e3 and 1e4
 * come first. Ratios are medians of per-repetition ratios. The clock is the process CPU time (see `now`). Every result is checked
 * against the floor's.
 *
 * Memory: a chain of 100 / 1,000 ops each returning a fresh 8 MiB Float64Array (1,048,576 doubles) computed
 * from its input. Each op samples process.memoryUsage() after filling its output; the peak increase of rss
 * and arrayBuffers over the baseline (taken after a GC, before the input array exists) is reported in MB and in
 * arrays (8 MiB units); it includes released arrays V8 has not collected yet (what a process really sees).
 * What the graph itself holds is counted exactly: input + outputs produced - outputs released (onRelease).
 * Compared with `onRelease: detachBuffers` (frees each released array at once), persist: true (keeps all),
 * alien-signals (computed() caches every value) and a plain loop.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import os from 'node:os';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { GraphBuilder, detachBuffers } from '../../dist/lib/index.mjs';
import { signal, computed } from 'alien-signals';

// ---------------------------------------------------------------------------------------------- gc, clock

const gc: () => void = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = vm.runInNewContext('gc') as () => void;
    if (typeof f === 'function') return f;
  } catch {
    /* no gc available */
  }
  return () => undefined;
})();
const gcSource = typeof (globalThis as { gc?: unknown }).gc === 'function' ? '--expose-gc' : 'v8.setFlagsFromString';

const args = new Set(process.argv.slice(2));
/**
 * The clock of the samples, in ms. Default: CPU time of the process (user + system, microsecond resolution),
 * which a loaded machine disturbs far less than wall time (time spent descheduled is not counted); it includes
 * V8's GC helper threads. `--wall`: performance.now().
 */
const WALL = args.has('--wall');
const cpuNow = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const now: () => number = WALL ? () => performance.now() : cpuNow;
const wallNow = (): number => performance.now();
/** `--smoke`: 1e3 only, one repetition, 10-op memory chains: checks that the section runs (test/bench/smoke.test.ts). */
const SMOKE = args.has('--smoke');
const QUICK = args.has('--quick') || SMOKE;
/** `--only=chain,tree` / `--sizes=1e4`: a subset (for profiling). */
const flag = (name: string): string[] | undefined =>
  process.argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',');
const ONLY_SHAPES = flag('only');
const ONLY_SIZES = flag('sizes')?.map(Number);

// ---------------------------------------------------------------------------------------------- graph specs

type Fn = (...a: any[]) => any;
interface OpSpec {
  fn: Fn;
  args: number[];
}
/** Slots 0..inputs.length-1 are the raw inputs, slot inputs.length + k is the output of op k. */
interface Spec {
  shape: string;
  n: number;
  inputs: number[];
  ops: OpSpec[];
  sinks: number[];
}

const inc = (x: number): number => x + 1;
const add = (a: number, b: number): number => a + b;
const sumAll = (...xs: number[]): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
};

function chain(n: number): Spec {
  const ops: OpSpec[] = [];
  for (let k = 0; k < n; k++) ops.push({ fn: inc, args: [k] }); // slot k: the input (k = 0) or op k-1
  return { shape: 'chain', n, inputs: [0], ops, sinks: [n] };
}

function tree(n: number): Spec {
  const leaves = n + 1;
  const inputs = Array.from({ length: leaves }, (_, i) => i);
  const ops: OpSpec[] = [];
  let level = inputs.map((_, i) => i);
  while (level.length > 1) {
    const next: number[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      ops.push({ fn: add, args: [level[i]!, level[i + 1]!] });
      next.push(leaves + ops.length - 1);
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return { shape: 'tree', n, inputs, ops, sinks: [level[0]!] };
}

function fanin(n: number): Spec {
  const m = n - 1;
  const inputs = Array.from({ length: m }, (_, i) => i);
  const ops: OpSpec[] = inputs.map((_, i) => ({ fn: inc, args: [i] }));
  ops.push({ fn: sumAll, args: inputs.map((_, i) => m + i) });
  return { shape: 'fanin', n, inputs, ops, sinks: [m + m] };
}

function lattice(n: number): Spec {
  const W = 100;
  const rows = Math.max(1, Math.round(n / W));
  const inputs = Array.from({ length: W }, (_, j) => j);
  const ops: OpSpec[] = [];
  let row = inputs.map((_, j) => {
    ops.push({ fn: inc, args: [j] });
    return W + ops.length - 1;
  });
  for (let r = 1; r < rows; r++) {
    const prev = row;
    row = prev.map((_, j) => {
      ops.push({ fn: add, args: [prev[j]!, prev[(j + 1) % W]!] });
      return W + ops.length - 1;
    });
  }
  return { shape: 'lattice', n: ops.length, inputs, ops, sinks: row };
}

const SHAPES: Record<string, (n: number) => Spec> = { chain, tree, fanin, lattice };

// ---------------------------------------------------------------------------------------------- methods

/** The floor's flat form of a spec: plain arrays of functions and argument slots (built once, untimed). */
interface Flat {
  ni: number;
  fns: Fn[];
  off: Int32Array;
  idx: Int32Array;
  inputs: Float64Array;
  sinks: Int32Array;
}
const flatCache = new WeakMap<Spec, Flat>();
function flat(s: Spec): Flat {
  let f = flatCache.get(s);
  if (f) return f;
  const off = new Int32Array(s.ops.length + 1);
  let total = 0;
  s.ops.forEach((op, k) => {
    off[k] = total;
    total += op.args.length;
  });
  off[s.ops.length] = total;
  const idx = new Int32Array(total);
  s.ops.forEach((op, k) => idx.set(op.args, off[k]!));
  f = { ni: s.inputs.length, fns: s.ops.map((op) => op.fn), off, idx, inputs: Float64Array.from(s.inputs), sinks: Int32Array.from(s.sinks) };
  flatCache.set(s, f);
  return f;
}

/** Sum of the sink values: the check value every method must reproduce. */
function floorRun(s: Spec): number {
  const { ni, fns, off, idx, inputs, sinks } = flat(s);
  const n = fns.length;
  const vals = new Float64Array(ni + n);
  vals.set(inputs);
  for (let k = 0; k < n; k++) {
    const o = off[k]!;
    const c = off[k + 1]! - o;
    const f = fns[k]!;
    vals[ni + k] = c === 1 ? f(vals[idx[o]!]) : c === 2 ? f(vals[idx[o]!], vals[idx[o + 1]!]) : f(...Array.from(idx.subarray(o, o + c), (i) => vals[i]!));
  }
  let sum = 0;
  for (let i = 0; i < sinks.length; i++) sum += vals[sinks[i]!]!;
  return sum;
}

interface Built {
  G: GraphBuilder;
  sinks: any[];
}

function pyflowBuild(s: Spec, listener?: (e: unknown) => void): Built {
  const G = new GraphBuilder();
  if (listener) G.subscribe(listener as never);
  const ni = s.inputs.length;
  const slots: unknown[] = [];
  for (let i = 0; i < ni; i++) slots.push(s.inputs[i]); // raw values: pyflow wraps them in raw data nodes
  const ops = s.ops;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k]!;
    const a = op.args;
    slots.push(
      a.length === 1 ? G.add(op.fn)(slots[a[0]!]) : a.length === 2 ? G.add(op.fn)(slots[a[0]!], slots[a[1]!]) : G.add(op.fn)(...a.map((i) => slots[i])),
    );
  }
  return { G, sinks: s.sinks.map((i) => slots[i]) };
}

function pyflowEval(b: Built): number {
  if (b.sinks.length === 1) return b.sinks[0].get() as number;
  const values = b.G.run(...b.sinks) as number[];
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}

function alienRun(s: Spec): number {
  const ni = s.inputs.length;
  const slots: (() => number)[] = [];
  for (let i = 0; i < ni; i++) slots.push(signal(s.inputs[i]!));
  const ops = s.ops;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k]!;
    const a = op.args;
    const f = op.fn;
    if (a.length === 1) {
      const p = slots[a[0]!]!;
      slots.push(computed(() => f(p())));
    } else if (a.length === 2) {
      const p = slots[a[0]!]!,
        q = slots[a[1]!]!;
      slots.push(computed(() => f(p(), q())));
    } else {
      const ps = a.map((i) => slots[i]!);
      slots.push(computed(() => f(...ps.map((p) => p()))));
    }
  }
  let sum = 0;
  for (const i of s.sinks) sum += slots[i]!();
  return sum;
}

// ---------------------------------------------------------------------------------------------- measuring

type Method = 'floor' | 'pyflow' | 'eval' | 'alien' | 'trace' | 'tfloor';
const METHODS: Method[] = ['floor', 'pyflow', 'eval', 'alien', 'trace', 'tfloor'];
/** What a sample runs: `pyflow` times build and evaluation separately, giving both `pyflow` and `eval`. */
type Runner = 'floor' | 'pyflow' | 'alien' | 'trace' | 'tfloor';
const RUNNERS: Runner[] = (flag('runners') as Runner[] | undefined) ?? ['floor', 'pyflow', 'alien', 'trace', 'tfloor'];
const OVERFLOW = -1;

let events = 0;
const countEvents = (): void => {
  events++;
};

/** Ops per sample: the batch is sized so that one sample runs at least this many ops. */
const OPS_PER_SAMPLE: Record<Runner, number> = { floor: 1e6, pyflow: 4e4, alien: 4e4, trace: 4e4, tfloor: 4e4 };

function batchOf(m: Runner, n: number): number {
  return Math.max(1, Math.floor(OPS_PER_SAMPLE[m] / n));
}

/**
 * One sample: nanoseconds per op (for `pyflow`: [build + evaluate, evaluate only] from the same runs: each
 * graph's build and evaluation are timed separately), or OVERFLOW if the method threw a RangeError.
 */
function sample(m: Runner, s: Spec, expect: number): number[] {
  const batch = batchOf(m, s.ops.length);
  let got = 0;
  let t = 0;
  let tEval = 0;
  try {
    if (m === 'pyflow') {
      for (let i = 0; i < batch; i++) {
        got = pyflowTimed(s);
        t += lastTotal;
        tEval += lastEval;
      }
    } else {
      const t0 = now();
      for (let i = 0; i < batch; i++) got = runOnce(m, s);
      t = now() - t0;
    }
  } catch (error) {
    if (error instanceof RangeError || (error as { cause?: unknown })?.cause instanceof RangeError) return [OVERFLOW];
    throw error;
  }
  if (m !== 'tfloor' && got !== expect) throw new Error(`${m} on ${s.shape} ${s.n}: got ${got}, expected ${expect}`);
  const perOp = (ms: number): number => (ms * 1e6) / (batch * s.ops.length);
  return m === 'pyflow' ? [perOp(t), perOp(tEval)] : [perOp(t)];
}

/*
 * Each graph is built and evaluated inside its own small function, so that nothing of it outlives the call.
 * In a loop body of `sample`, the interpreter's registers kept the previous graph alive while the next one
 * was built: two 1e4-op graphs (~20 MB) no longer fit in the young generation, everything was promoted, and
 * the same code measured 5-10x slower than with the graph referenced from a temporary only.
 */
let lastTotal = 0;
let lastEval = 0;
function pyflowTimed(s: Spec): number {
  const t0 = now();
  const built = pyflowBuild(s);
  const t1 = now();
  const got = pyflowEval(built);
  const t2 = now();
  lastTotal = t2 - t0;
  lastEval = t2 - t1;
  return got;
}

function runOnce(m: Runner, s: Spec): number {
  switch (m) {
    case 'floor':
      return floorRun(s);
    case 'alien':
      return alienRun(s);
    case 'trace':
      return pyflowEval(pyflowBuild(s, countEvents));
    case 'pyflow':
      return pyflowEval(pyflowBuild(s));
    case 'tfloor':
      return traceFloorRun(s.ops.length, floorEventsPerOp);
  }
}

/** The events per op the tracing floor makes: the case's own (one traced run counts them), 6 in the warm-up. */
let floorEventsPerOp = 6;
/** Where the library keeps its listener: a field of the graph (`_emit`), read for each event. */
const floorGraph = { alias: 'G', emit: countEvents as (event: object) => void };
/** The clock, held as the library holds it (the global `performance` is a getter in Node). */
const floorClock = performance;

/*
 * The tracing floor: the work any tracer of this design must do per op (one event object per step, handed to a
 * synchronous listener, with pyflow's uids and `finished`'s measured duration), done alone, with no graph and no
 * evaluation around it:
 * - build the op's and its output's uid strings (a name prefix and a counter, as pyflow builds them on first use);
 * - read the clock twice (performance.now(), before and after the op's call: `finished.durationMs`);
 * - make `perOp` event objects ({ kind, uid, graph }, finished with durationMs) and pass each to the same counting
 *   listener through a field: activated, computing, running, finished, deactivated, and `released` for the rest.
 * It leaves out what the library must also do (store each uid in its node, find the graph of each node, walk the
 * graph in pyflow's interleaved order), and the collections its garbage causes while a young graph is alive: an
 * estimate of the least tracing can cost, not a strict bound. It is measured like the other methods, on the process's
 * CPU time, which includes the collector's threads (at 1e5 they also work on what the methods before left). As in the
 * library with the same counting listener, V8 may inline the listener and not build the event objects at all.
 */
function traceFloorRun(n: number, perOp: number): number {
  const graph = floorGraph;
  const extra = Math.max(0, perOp - 5);
  let owed = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const opUid = `inc_${2 * i + 1}`;
    const dataUid = `data_${2 * i + 2}`;
    graph.emit({ kind: 'activated', uid: opUid, graph: graph.alias });
    graph.emit({ kind: 'computing', uid: dataUid, graph: graph.alias });
    graph.emit({ kind: 'running', uid: opUid, graph: graph.alias });
    const started = floorClock.now();
    graph.emit({ kind: 'finished', uid: opUid, graph: graph.alias, durationMs: floorClock.now() - started });
    for (owed += extra; owed >= 1; owed--) graph.emit({ kind: 'released', uid: dataUid, graph: graph.alias });
    graph.emit({ kind: 'deactivated', uid: opUid, graph: graph.alias });
    total += opUid.length + dataUid.length;
  }
  return total;
}

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const mid = a.length >> 1;
  return a.length % 2 ? a[mid]! : (a[mid - 1]! + a[mid]!) / 2;
}

interface Row {
  shape: string;
  n: number;
  ns: Record<Method, number>;
  eventsPerOp: number;
  reps: number;
  seconds: number;
  /** CPU time of the process / wall time during the case (about 1 on an idle machine, more with GC threads). */
  cpuShare: number;
  /** Median over repetitions of the ratio of two methods' samples in the same repetition. */
  ratio: (a: Method, b: Method) => number;
  /** Interquartile range / median of a method's samples. */
  spread: (m: Method) => number;
}

function quantile(xs: number[], q: number): number {
  const a = [...xs].sort((x, y) => x - y);
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  return a[lo]! + (a[Math.min(lo + 1, a.length - 1)]! - a[lo]!) * (pos - lo);
}

interface Plan {
  maxReps: number;
  minReps: number;
  budgetSeconds: number;
  warmupRep: boolean;
  runners?: Runner[];
}

/**
 * Repetitions of one case: up to `maxReps`, but no new one once `budgetSeconds` are spent and `minReps` are
 * done (keeps the whole run within ~3 minutes on a loaded machine).
 */
function measureCase(s: Spec, plan: Plan): Row {
  gc();
  gc(); // between cases only: a forced GC shrinks the young generation and the next ~10 ms run slow
  const t0 = wallNow();
  const c0 = cpuNow();
  const expect = floorRun(s);
  const samples: Record<Method, number[]> = { floor: [], pyflow: [], eval: [], alien: [], trace: [], tfloor: [] };
  const overflowed = new Set<Method>();
  let eventsPerOp = 0;
  let reps = 0;
  const runners = plan.runners ? RUNNERS.filter((x) => plan.runners!.includes(x)) : RUNNERS;
  if (runners.includes('tfloor')) {
    events = 0;
    runOnce('trace', s);
    floorEventsPerOp = events / s.ops.length;
  }
  for (let r = plan.warmupRep ? -1 : 0; r < plan.maxReps; r++) {
    // r = -1: discarded warm-up repetition
    if (r >= plan.minReps && wallNow() - t0 > plan.budgetSeconds * 1000) break;
    if (r >= 0) reps++;
    for (let j = 0; j < runners.length; j++) {
      const m = runners[(j + Math.max(r, 0)) % runners.length]!; // rotated order: no method always runs first
      if (overflowed.has(m)) continue;
      events = 0;
      const ns = sample(m, s, expect);
      if (m === 'trace') eventsPerOp = events / (batchOf('trace', s.ops.length) * s.ops.length);
      if (ns[0] === OVERFLOW) {
        overflowed.add(m);
        continue;
      }
      if (args.has('--debug')) process.stderr.write(`    ${s.shape} ${s.n} r${r} ${m} ${ns.map((x) => x.toFixed(0)).join(' ')}\n`);
      if (r < 0) continue;
      samples[m].push(ns[0]!);
      if (m === 'pyflow') samples.eval.push(ns[1]!);
    }
  }
  const ns = {} as Record<Method, number>;
  for (const m of METHODS) ns[m] = overflowed.has(m) ? OVERFLOW : samples[m].length === 0 ? NaN : median(samples[m]);
  const ratio = (a: Method, b: Method): number => {
    if (overflowed.has(a) || overflowed.has(b)) return OVERFLOW;
    if (samples[a].length === 0 || samples[b].length === 0) return NaN;
    return median(samples[a].map((x, i) => x / samples[b][i]!));
  };
  const spread = (m: Method): number =>
    overflowed.has(m) ? OVERFLOW : samples[m].length === 0 ? NaN : (quantile(samples[m], 0.75) - quantile(samples[m], 0.25)) / ns[m];
  const seconds = (wallNow() - t0) / 1000;
  return { shape: s.shape, n: s.ops.length, ns, eventsPerOp, reps, seconds, cpuShare: (cpuNow() - c0) / 1000 / seconds, ratio, spread };
}

/** Median over repetitions of (pyflow + tfloor) / pyflow, which is 1 + the median of tfloor / pyflow. */
function floorRatio(r: Row): number {
  const f = r.ratio('tfloor', 'pyflow');
  return f === OVERFLOW || Number.isNaN(f) ? f : 1 + f;
}

/** Largest alien-signals chain whose sink can be read (binary search), in the current JIT state. */
function alienChainLimit(): number {
  let lo = 100,
    hi = 50_000;
  while (hi - lo > 50) {
    const mid = (lo + hi) >> 1;
    let ok = true;
    try {
      alienRun(chain(mid));
    } catch (e) {
      if (e instanceof RangeError) ok = false;
      else throw e;
    }
    if (ok) lo = mid;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------- memory case

const MiB = 1024 * 1024;
const LEN = MiB; // doubles: 8 MiB per array
let peakRss = 0;
let peakAb = 0;
/** Arrays produced by ops, and released by the graph (onRelease): the graph holds input + produced - released. */
let produced = 0;
let released = 0;
let peakHeld = 0;
function memSample(): void {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.arrayBuffers > peakAb) peakAb = m.arrayBuffers;
  peakHeld = Math.max(peakHeld, 1 + produced - released);
}
function grow(a: Float64Array): Float64Array {
  const out = new Float64Array(LEN);
  for (let i = 0; i < LEN; i++) out[i] = a[i]! + 1;
  produced++;
  memSample();
  return out;
}

interface MemRow {
  label: string;
  ops: number;
  rssMB: number;
  abMB: number;
  held: number | undefined;
  seconds: number;
}

function memCase(label: string, ops: number, countsReleases: boolean, run: (input: Float64Array) => Float64Array): MemRow {
  gc();
  gc();
  const base = process.memoryUsage();
  peakRss = base.rss;
  peakAb = base.arrayBuffers;
  produced = released = peakHeld = 0;
  const t0 = wallNow();
  const input = new Float64Array(LEN);
  const out = run(input);
  const seconds = (wallNow() - t0) / 1000;
  if (out[0] !== ops || out[LEN - 1] !== ops) throw new Error(`memory case ${label}: wrong result ${out[0]}`);
  return { label, ops, rssMB: (peakRss - base.rss) / 1e6, abMB: (peakAb - base.arrayBuffers) / 1e6, held: countsReleases ? peakHeld : undefined, seconds };
}

function pyflowChain(ops: number, persist: boolean, detach = false) {
  return (input: Float64Array): Float64Array => {
    const G = new GraphBuilder({
      persist,
      onRelease: (v) => {
        released++;
        if (detach) detachBuffers(v);
      },
    });
    let node: any = G.add(grow)(input);
    for (let i = 1; i < ops; i++) node = G.add(grow)(node);
    return node.get();
  };
}
function alienChain(ops: number) {
  return (input: Float64Array): Float64Array => {
    let c: () => Float64Array = signal(input);
    for (let i = 0; i < ops; i++) {
      const p = c;
      c = computed(() => grow(p()));
    }
    return c();
  };
}
function loopChain(ops: number) {
  return (input: Float64Array): Float64Array => {
    let v = input;
    for (let i = 0; i < ops; i++) v = grow(v);
    return v;
  };
}

// ---------------------------------------------------------------------------------------------- report

const fmtNs = (x: number): string => (Number.isNaN(x) ? '-' : x === OVERFLOW ? 'overflow' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const fmtR = (x: number): string => (Number.isNaN(x) ? '-' : x === OVERFLOW ? 'overflow' : x.toFixed(2));
const fmtRatio = (a: number, b: number): string =>
  Number.isNaN(a) || Number.isNaN(b) ? '-' : a === OVERFLOW || b === OVERFLOW ? 'overflow' : (a / b).toFixed(2);
const fmtN = (n: number): string => {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `1e${e}` : String(n);
};

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_h, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

function printMemory(mem: MemRow[]): void {
  const arr = (mb: number): string => (mb / ((8 * MiB) / 1e6)).toFixed(1);
  console.log(`\n## Memory: chain of ops each returning a fresh 8 MiB Float64Array\n`);
  console.log(
    table(
      ['case', 'ops', 'peak rss +MB', 'rss in arrays', 'peak arrayBuffers +MB', 'arrayBuffers in arrays', 'held by graph (arrays)', 's'],
      mem.map((m) => [
        m.label,
        String(m.ops),
        m.rssMB.toFixed(0),
        arr(m.rssMB),
        m.abMB.toFixed(0),
        arr(m.abMB),
        m.held === undefined ? '-' : String(m.held),
        m.seconds.toFixed(1),
      ]),
    ),
  );
  console.log(
    `\nArrays = increase / 8 MiB over a baseline taken after a forced GC, before the input array existed (the input ` +
      `counts as one); sampled in each op after it filled its output. rss and arrayBuffers include arrays already released ` +
      `but not yet collected (GC lag); rss can also stay at a high-water mark once glibc keeps freed 8 MiB blocks ` +
      `(it raises its mmap threshold after the first free; forcing MALLOC_MMAP_THRESHOLD_ made the 1,000-op case 5-8x ` +
      `slower), so arrayBuffers is the reliable column. held by graph = peak of input + outputs produced - outputs released (onRelease), ` +
      `counted while an op runs (its parent and its new output both count): the minimum for a chain is 3.`,
  );
}

function main(): void {
  const start = wallNow();
  const SIZES = SMOKE ? [1e3] : QUICK ? [1e3, 1e4] : [1e3, 1e4, 1e5];
  const PLANS: Record<number, Plan> = SMOKE
    ? { 1e3: { maxReps: 1, minReps: 1, budgetSeconds: 0, warmupRep: false } }
    : QUICK
      ? { 1e3: { maxReps: 3, minReps: 3, budgetSeconds: 1, warmupRep: true }, 1e4: { maxReps: 3, minReps: 3, budgetSeconds: 1, warmupRep: true } }
      : {
          1e3: { maxReps: 21, minReps: 7, budgetSeconds: 4, warmupRep: true },
          1e4: { maxReps: 15, minReps: 5, budgetSeconds: 7, warmupRep: true },
          1e5: { maxReps: 9, minReps: 3, budgetSeconds: 12, warmupRep: false }, // warm by then (1e3 and 1e4 ran)
          // ~10 s per pyflow sample: no tracing run at 1e6 (its ratio is measured at the other sizes).
          1e6: { maxReps: 3, minReps: 2, budgetSeconds: 20, warmupRep: false, runners: ['floor', 'pyflow', 'alien'] },
        };
  console.log(`# pyflow core benchmark\n`);
  console.log(
    `node ${process.version} ${process.execArgv.filter((a) => a.startsWith('--') && a !== '--import').join(' ')}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), gc via ${gcSource}, ` +
      `repetitions per case (min-max, within a time budget) ${Object.entries(PLANS)
        .map(([n, p]) => `${fmtN(Number(n))}: ${p.minReps}-${p.maxReps}`)
        .join(', ')}, ` +
      `load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
  );
  const lib = `${process.cwd()}/dist/lib/index.mjs`;
  const libStat = fs.statSync(lib);
  console.log(
    `library ${lib} (${libStat.mtime.toISOString()}, sha256 ${crypto.createHash('sha256').update(fs.readFileSync(lib)).digest('hex').slice(0, 12)})\n`,
  );

  // Memory first, while the heap is small.
  const mem: MemRow[] = [];
  if (!args.has('--no-memory')) {
    const t0 = wallNow();
    const m = SMOKE ? 10 : 100;
    mem.push(memCase('pyflow (default: release)', m, true, pyflowChain(m, false)));
    if (!QUICK) mem.push(memCase('pyflow (default: release)', 1000, true, pyflowChain(1000, false)));
    mem.push(memCase('pyflow, onRelease: detachBuffers', m, true, pyflowChain(m, false, true)));
    if (!QUICK) mem.push(memCase('pyflow, onRelease: detachBuffers', 1000, true, pyflowChain(1000, false, true)));
    mem.push(memCase('pyflow persist: true', m, true, pyflowChain(m, true)));
    mem.push(memCase('alien-signals (reference)', m, false, alienChain(m)));
    mem.push(memCase('plain loop v = f(v) (reference)', m, false, loopChain(m)));
    process.stderr.write(`  memory: ${((wallNow() - t0) / 1000).toFixed(1)} s\n`);
  }
  gc();
  gc();

  if (args.has('--memory-only')) {
    printMemory(mem);
    return;
  }
  // Warm-up: every method on every shape at 1e3.
  const tw = wallNow();
  for (let i = 0; i < (SMOKE ? 1 : QUICK ? 2 : 3); i++) {
    for (const make of Object.values(SHAPES)) {
      const s = make(1e3);
      const expect = floorRun(s);
      for (const m of RUNNERS) sample(m, s, expect);
    }
  }
  const alienLimitWarm = alienChainLimit();
  process.stderr.write(`  warm-up: ${((wallNow() - tw) / 1000).toFixed(1)} s\n`);

  const rows: Row[] = [];
  for (const shape of Object.keys(SHAPES)) {
    if (ONLY_SHAPES && !ONLY_SHAPES.includes(shape)) continue;
    const sizes = shape === 'chain' && !QUICK ? [...SIZES, 1e6] : SIZES;
    for (const n of sizes) {
      if (ONLY_SIZES && !ONLY_SIZES.includes(n)) continue;
      const row = measureCase(SHAPES[shape]!(n), PLANS[n]!);
      rows.push(row);
      process.stderr.write(`  ${shape} ${fmtN(n)}: ${row.reps} reps, ${row.seconds.toFixed(1)} s, cpu/wall ${row.cpuShare.toFixed(2)}\n`);
    }
  }

  console.log(`## Per-op cost and ratios\n`);
  console.log(
    table(
      [
        'shape',
        'n',
        'floor ns/op',
        'pyflow ns/op',
        'eval-only ns/op',
        'alien ns/op',
        'pyflow/alien',
        'eval/floor',
        'tracing on/off',
        'tracing floor',
        'events/op',
        'pyflow spread',
        'reps',
        'cpu/wall',
      ],
      rows.map((r) => [
        r.shape,
        fmtN(r.n),
        fmtNs(r.ns.floor),
        fmtNs(r.ns.pyflow),
        fmtNs(r.ns.eval),
        fmtNs(r.ns.alien),
        fmtR(r.ratio('pyflow', 'alien')),
        fmtR(r.ratio('eval', 'floor')),
        fmtR(r.ratio('trace', 'pyflow')),
        fmtR(floorRatio(r)),
        Number.isNaN(r.ns.trace) ? '-' : r.eventsPerOp.toFixed(1),
        `${(r.spread('pyflow') * 100).toFixed(0)}%`,
        String(r.reps),
        r.cpuShare.toFixed(2),
      ]),
    ),
  );
  console.log(
    `\nClock: ${WALL ? 'wall time (performance.now)' : 'process CPU time (user + system, all threads; --wall for wall time)'}. ` +
      `cpu/wall = CPU time / wall time of the case: well below 1 means other processes took the CPU. ` +
      `pyflow = build + evaluate; ratios are medians of the per-repetition ratios (both methods measured in ` +
      `the same repetition); tracing on/off = pyflow with one counting listener / pyflow; tracing floor = ` +
      `(pyflow + what tracing must add per op, done alone: uids, two clock reads, the events) / pyflow, an estimate of ` +
      `the least tracing on/off this event design allows (see traceFloorRun); spread = interquartile ` +
      `range / median of the pyflow samples (machine noise). ` +
      `Largest alien-signals chain readable in this process (warm): ${alienLimitWarm.toLocaleString('en')} ops.\n`,
  );

  console.log(`## Linearity: per-op cost at the larger size / per-op cost at 1e3 (1.00 = linear)\n`);
  const lin: string[][] = [];
  for (const shape of Object.keys(SHAPES)) {
    const base = rows.find((r) => r.shape === shape && r.n === 1e3);
    if (!base) continue;
    for (const r of rows.filter((x) => x.shape === shape && x.n > 1e4)) {
      lin.push([shape, `${fmtN(r.n)} / 1e3`, ...METHODS.filter((m) => m !== 'tfloor').map((m) => fmtRatio(r.ns[m], base.ns[m]))]);
    }
  }
  console.log(table(['shape', 'sizes', 'floor', 'pyflow', 'eval-only', 'alien', 'tracing on'], lin));

  printMemory(mem);
  console.log(`\nTotal ${((wallNow() - start) / 1000).toFixed(0)} s.`);
}

/**
 * Pinned V8 heap heuristics. pyflow allocates ~260 bytes of small long-lived objects per op (a chain, measured
 * with --expose-gc), so at 1e4+ ops its cost depends 5-10x on two adaptive V8 heuristics whose state depends on
 * everything that ran before:
 * - the young generation's size (adaptive; every forced GC shrinks it): a 1e4-op graph (~3 MB) that no
 *   longer dies young is promoted and re-marked;
 * - allocation-site pretenuring: once V8 sees the graph's array literals survive, it allocates them directly
 *   in the old generation, and the same runner measured ~600 ns/op in one process and ~6,000 in the next.
 * The benchmark therefore runs in one child process with the young generation pinned at V8's default maximum
 * (16 MB semi-spaces, what an allocation-heavy process grows to anyway) and pretenuring off, for every method
 * alike. `--default-heap` measures in this process as started (expect bimodal results at 1e4+).
 */
const PINNED = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16', '--no-allocation-site-pretenuring'];
if (!args.has('--default-heap') && !process.execArgv.some((a) => a.startsWith('--min-semi-space-size'))) {
  const child = spawnSync(process.execPath, [...PINNED, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
} else {
  main();
}
