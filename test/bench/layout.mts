/*
 * ELK (pyflow's webview layout, via layoutGraph) vs Graphviz dot on three shapes of random DAGs.
 *
 *   npm run bench -- layout              # the main table (a few minutes)
 *   npm run bench -- layout --variants   # also the sweep of ELK option variants on the pipeline graphs
 *   npm run bench -- layout --smoke      # tiny graphs, one run each: checks that the section runs
 *
 * Cold timings and the 3,000-node runs happen in child processes of this same script (fresh V8, fresh
 * ELK / wasm instance, hard timeout); everything else runs in this process.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph, type ElkLike, type ElkNode, type Placed, type Point } from '../../src/drawing/layout.ts';
import { viewGraph, type ViewGraph } from '../../src/drawing/viewGraph.ts';
import { countCrossings } from '../../src/drawing/crossings.ts';
import type { GraphModel, ModelEdge, ModelNode } from '../../src/core/model.ts';

const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------------
// 1. Random pipeline DAGs, as pyflow's GraphBuilder + toGraphModel would produce them.
// ---------------------------------------------------------------------------------------------------

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FN_NAMES = [
  'load',
  'clean',
  'merge',
  'transform',
  'normalize',
  'filter_rows',
  'join_tables',
  'aggregate',
  'fit_model',
  'predict',
  'score',
  'split',
  'featurize',
  'resample',
  'dedupe',
];

/** Builds a GraphModel the way GraphBuilder + toGraphModel number it: `fn_k` for an op, then its raw inputs, then its outputs. */
class ModelWriter {
  readonly nodes: ModelNode[] = [];
  readonly edges: ModelEdge[] = [];
  private counter = 0;

  /** A persisted raw input (a literal argument). */
  raw(value: string): string {
    const uid = `data_${++this.counter}`;
    this.nodes.push({ uid, kind: 'data', label: 'data', raw: true, value, persist: true, dim: '(1, )' });
    return uid;
  }

  /** An op of `fn` on `inputs` (data uids, or literals given as `{ raw }`) with `nOut` outputs; returns the outputs. */
  op(fn: string, inputs: (string | { raw: string })[], nOut: number, persist = false): string[] {
    const uid = `${fn}_${++this.counter}`;
    this.nodes.push({ uid, kind: 'operation', label: fn, fn });
    const parents: string[] = [];
    for (const input of inputs) {
      const p = typeof input === 'string' ? input : this.raw(input.raw);
      if (!parents.includes(p)) parents.push(p);
    }
    for (const p of parents) this.edges.push({ from: p, to: uid });
    const outs: string[] = [];
    for (let k = 0; k < nOut; k++) {
      const d = `data_${++this.counter}`;
      const node: ModelNode = { uid: d, kind: 'data', label: 'data' };
      if (persist) {
        node.persist = true;
        node.dim = '(3, 4)';
      }
      this.nodes.push(node);
      this.edges.push({ from: uid, to: d });
      outs.push(d);
    }
    return outs;
  }

  model(alias: string): GraphModel {
    return { alias, nodes: this.nodes, edges: this.edges };
  }
}

/** The DAG shapes the layout is measured on (each a different challenge for layering and crossing minimisation). */
export type Shape = 'pipeline' | 'mapreduce' | 'layered';

/**
 * pipeline: n ops; each takes 1-3 inputs, mostly outputs of recent ops (85% from the last 8 ops' outputs), else
 * any earlier output, sometimes a raw literal (p = 0.25). 5% of the ops have 2-3 outputs, 4% are sinks (no output),
 * 5% persist. Mostly short edges, like a script written top to bottom.
 */
function pipelineModel(ops: number, seed: number): GraphModel {
  const rnd = prng(seed);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const w = new ModelWriter();
  const outputsOf: string[][] = [];
  const allOutputs: string[] = [];
  for (let i = 0; i < ops; i++) {
    const fn = pick(FN_NAMES);
    const nIn = 1 + Math.floor(rnd() * 3);
    const inputs: (string | { raw: string })[] = [];
    for (let k = 0; k < nIn; k++) {
      if (allOutputs.length === 0 || rnd() < 0.25) {
        inputs.push({ raw: String(Math.floor(rnd() * 100)) });
        continue;
      }
      let src: string | undefined;
      if (rnd() < 0.85) {
        const recent: string[] = [];
        for (let j = i - 1; j >= 0 && j >= i - 8; j--) recent.push(...outputsOf[j]!);
        if (recent.length > 0) src = pick(recent);
      }
      inputs.push(src ?? pick(allOutputs));
    }
    const r = rnd();
    const nOut = r < 0.04 && i > 0 ? 0 : r < 0.09 ? 2 + Math.floor(rnd() * 2) : 1;
    const outs = w.op(fn, inputs, nOut, rnd() < 0.05);
    outputsOf.push(outs);
    allOutputs.push(...outs);
  }
  return w.model(`pipeline_${ops}_${seed}`);
}

/**
 * mapreduce: stages of wide fan-out and fan-in. Each stage splits one value into 4-12 shards, runs a chain of
 * 1-4 ops on every shard (one `config` literal shared by the stage), then merges the shards pairwise in a
 * reduction tree; the stage's result feeds the next stage. Long parallel branches, and wide layers.
 */
function mapreduceModel(ops: number, seed: number): GraphModel {
  const rnd = prng(seed);
  const w = new ModelWriter();
  let made = 0;
  let current = w.op('load', [{ raw: 'path' }], 1)[0]!;
  made++;
  while (made < ops) {
    const width = 4 + Math.floor(rnd() * 9);
    const depth = 1 + Math.floor(rnd() * 4);
    let shards = w.op('split', [current, { raw: String(width) }], width);
    made++;
    const config = w.raw(`cfg${made}`);
    for (let d = 0; d < depth && made < ops; d++) {
      const fn = FN_NAMES[(made + d) % FN_NAMES.length]!;
      shards = shards.map((s) => (made++ < ops ? w.op(fn, d === 0 ? [s, config] : [s], 1)[0]! : s));
    }
    while (shards.length > 1 && made < ops) {
      const next: string[] = [];
      for (let i = 0; i + 1 < shards.length; i += 2) next.push(made++ < ops ? w.op('merge', [shards[i]!, shards[i + 1]!], 1)[0]! : shards[i]!);
      if (shards.length % 2 === 1) next.push(shards[shards.length - 1]!);
      shards = next;
    }
    current = shards[0]!;
  }
  return w.model(`mapreduce_${ops}_${seed}`);
}

/**
 * layered: ops in layers of 2-20; each op takes 1-3 inputs from any earlier layer with equal probability (so many
 * edges span several layers) and one in five a raw literal. The hardest shape for crossing minimisation.
 */
function layeredModel(ops: number, seed: number): GraphModel {
  const rnd = prng(seed);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const w = new ModelWriter();
  const layers: string[][] = [];
  let made = 0;
  while (made < ops) {
    const width = Math.min(ops - made, 2 + Math.floor(rnd() * 19));
    const layer: string[] = [];
    for (let i = 0; i < width; i++, made++) {
      const inputs: (string | { raw: string })[] = [];
      if (layers.length === 0 || rnd() < 0.2) inputs.push({ raw: String(made) });
      const nIn = layers.length === 0 ? 0 : 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < nIn; k++) inputs.push(pick(pick(layers)));
      layer.push(...w.op(pick(FN_NAMES), inputs, 1));
    }
    layers.push(layer);
  }
  return w.model(`layered_${ops}_${seed}`);
}

const GENERATORS: Record<Shape, (ops: number, seed: number) => GraphModel> = { pipeline: pipelineModel, mapreduce: mapreduceModel, layered: layeredModel };

/** The number of ops whose full view has about `total` nodes. */
function opsForFullView(total: number, seed: number): number {
  let lo = 10,
    hi = total;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pipelineModel(mid, seed).nodes.length < total) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Case {
  name: string;
  shape: Shape;
  ops: number;
  full: boolean;
  seed: number;
}

function caseView(c: Case): ViewGraph {
  return viewGraph(GENERATORS[c.shape](c.ops, c.seed), c.full);
}

// ---------------------------------------------------------------------------------------------------
// 2. Layout runners: ELK through layoutGraph, and dot through @hpcc-js/wasm-graphviz.
// ---------------------------------------------------------------------------------------------------

/** Geometry both layouts reduce to: node boxes (top-left, px) and edge polylines. */
interface Drawing {
  boxes: { x: number; y: number; w: number; h: number }[];
  edges: { from: string; to: string; pts: Point[] }[];
}

function cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: number, out: Point[]): void {
  for (let s = 1; s <= steps; s++) {
    const t = s / steps,
      u = 1 - t;
    out.push({
      x: u * u * u * p0.x + 3 * u * u * t * p1.x + 3 * u * t * t * p2.x + t * t * t * p3.x,
      y: u * u * u * p0.y + 3 * u * u * t * p1.y + 3 * u * t * t * p2.y + t * t * t * p3.y,
    });
  }
}

/** `M p0 C p1 p2 p3 …` control points to a polyline (8 samples per bezier). */
function sampleSpline(cp: Point[]): Point[] {
  const out = [cp[0]!];
  for (let i = 0; i + 3 < cp.length; i += 3) cubic(cp[i]!, cp[i + 1]!, cp[i + 2]!, cp[i + 3]!, 8, out);
  return out;
}

function elkDrawing(p: Placed): Drawing {
  return {
    boxes: p.nodes.map((n) => ({ x: n.x, y: n.y, w: n.width, h: n.height })),
    edges: p.edges.map((e) => ({ from: e.from, to: e.to, pts: e.spline ? sampleSpline(e.points) : e.points })),
  };
}

/** An ElkLike that patches the root's layout options before laying out (how the variants are tried). */
function patched(elk: ElkLike, patch: Record<string, string | undefined>): ElkLike {
  return {
    layout(graph: ElkNode) {
      const opts = { ...graph.layoutOptions };
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete opts[k];
        else opts[k] = v;
      }
      return elk.layout({ ...graph, layoutOptions: opts });
    },
  };
}

async function elkLayout(
  elk: ElkLike,
  view: ViewGraph,
  patch?: Record<string, string | undefined>,
  edges: 'orthogonal' | 'splines' = 'orthogonal',
): Promise<Placed> {
  return layoutGraph(patch ? patched(elk, patch) : elk, view, { direction: 'DOWN', edges });
}

/** The same graph for dot: same box sizes (px/72 in), same spacing (nodesep 24 px, ranksep 36 px). */
function toBenchDot(view: ViewGraph, sizes: Map<string, { w: number; h: number }>): string {
  const q = (s: string) => `"${s.replace(/"/g, '\\"')}"`;
  const lines = ['digraph G {', `\tnodesep=${(24 / 72).toFixed(4)} ranksep=${(36 / 72).toFixed(4)} splines=true`, '\tnode [shape=box fixedsize=true label=""]'];
  for (const n of view.nodes) {
    const s = sizes.get(n.uid)!;
    lines.push(`\t${q(n.uid)} [width=${(s.w / 72).toFixed(4)} height=${(s.h / 72).toFixed(4)}]`);
  }
  for (const e of view.edges) lines.push(`\t${q(e.from)} -> ${q(e.to)}`);
  lines.push('}');
  return lines.join('\n');
}

/** Node sizes exactly as layoutGraph measures them (taken from a placed layout, so they can't drift). */
function sizesOf(p: Placed): Map<string, { w: number; h: number }> {
  return new Map(p.nodes.map((n) => [n.node.uid, { w: n.width, h: n.height }]));
}

function parsePt(s: string): Point {
  const [x, y] = s.split(',');
  return { x: Number(x), y: Number(y) };
}

function dotDrawing(json: string): Drawing {
  const g = JSON.parse(json) as {
    objects?: { name: string; pos?: string; width?: string; height?: string }[];
    edges?: { tail: number; head: number; pos?: string }[];
  };
  const objs = g.objects ?? [];
  const boxes = objs
    .filter((o) => o.pos)
    .map((o) => {
      const c = parsePt(o.pos!),
        w = Number(o.width) * 72,
        h = Number(o.height) * 72;
      return { x: c.x - w / 2, y: c.y - h / 2, w, h };
    });
  const edges = (g.edges ?? []).map((e) => {
    let end: Point | undefined, start: Point | undefined;
    const cps: Point[] = [];
    for (const tok of (e.pos ?? '').split(/\s+/).filter(Boolean)) {
      if (tok.startsWith('e,')) end = parsePt(tok.slice(2));
      else if (tok.startsWith('s,')) start = parsePt(tok.slice(2));
      else cps.push(parsePt(tok));
    }
    const pts = sampleSpline(cps);
    if (start) pts.unshift(start);
    if (end) pts.push(end);
    return { from: objs[e.tail]!.name, to: objs[e.head]!.name, pts };
  });
  return { boxes, edges };
}

// ---------------------------------------------------------------------------------------------------
// 3. Quality: crossings and area.
// ---------------------------------------------------------------------------------------------------

/** The one crossing counter of the layout code and its tests (src/drawing/crossings.ts), on sampled splines. */
function crossings(d: Drawing): number {
  return countCrossings(d.edges.map((e) => ({ from: e.from, to: e.to, points: e.pts })));
}

/** Tight bbox (nodes and edge points) w*h, divided by the summed node area. */
function areaRatio(d: Drawing): { ratio: number; w: number; h: number } {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity,
    nodeArea = 0;
  for (const b of d.boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.w);
    y1 = Math.max(y1, b.y + b.h);
    nodeArea += b.w * b.h;
  }
  for (const e of d.edges)
    for (const p of e.pts) {
      x0 = Math.min(x0, p.x);
      y0 = Math.min(y0, p.y);
      x1 = Math.max(x1, p.x);
      y1 = Math.max(y1, p.y);
    }
  return { ratio: ((x1 - x0) * (y1 - y0)) / nodeArea, w: x1 - x0, h: y1 - y0 };
}

interface Quality {
  crossings: number;
  area: number;
  w: number;
  h: number;
}
function quality(d: Drawing): Quality {
  const a = areaRatio(d);
  return { crossings: crossings(d), area: a.ratio, w: a.w, h: a.h };
}

// ---------------------------------------------------------------------------------------------------
// Timing helpers. Wall time is what a user waits; CPU time (this process, user+sys) is reported too
// because it is far less sensitive to other load on the machine (ELK and wasm dot are single-threaded).
// ---------------------------------------------------------------------------------------------------

interface Timing {
  wall: number;
  cpu: number;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ t: Timing; value: T }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = await fn();
  const wall = performance.now() - w0;
  const c = process.cpuUsage(c0);
  return { t: { wall, cpu: (c.user + c.system) / 1000 }, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** `warmup` untimed runs, then the median (wall and CPU separately) of `runs` timed ones. */
async function warmTiming<T>(warmup: number, runs: number, fn: () => Promise<T> | T): Promise<{ t: Timing; value: T; walls: number[] }> {
  let value!: T;
  for (let i = 0; i < warmup; i++) value = await fn();
  const ts: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timed(fn);
    ts.push(r.t);
    value = r.value;
  }
  return { t: { wall: median(ts.map((x) => x.wall)), cpu: median(ts.map((x) => x.cpu)) }, value, walls: ts.map((x) => x.wall) };
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');

// ---------------------------------------------------------------------------------------------------
// Child processes: cold timings, runs that need a hard timeout, and the variant sweeps.
// Protocol: the child prints `@@<TAG> <json>` lines; the parent collects them until exit or its cap.
// ---------------------------------------------------------------------------------------------------

interface Variant {
  name: string;
  patch: Record<string, string>;
  edges?: 'orthogonal' | 'splines';
  cases?: string[];
}

async function childMain(argv: string[]): Promise<void> {
  const [mode, caseJson, extra, warm, reps] = argv;
  const c = JSON.parse(caseJson!) as Case;
  const view = caseView(c);
  const emit = (tag: string, v: unknown) => process.stdout.write(`@@${tag} ${JSON.stringify(v)}\n`);
  if (mode === 'elk') {
    // Cold: `new ELK()` and the first layout in a fresh process.
    const load = await timed(() => new ELK());
    const run = await timed(() => elkLayout(load.value, view));
    emit('TIME', { load: load.t, layout: run.t });
    if (extra === 'q') emit('QUALITY', quality(elkDrawing(run.value)));
  } else if (mode === 'dot') {
    // Node sizes exactly as layoutGraph measures them: run it with an "ELK" that returns its input (untimed).
    const sizes = sizesOf(await layoutGraph({ layout: async (g) => g }, view, { direction: 'DOWN' }));
    const dot = toBenchDot(view, sizes);
    const load = await timed(async () => (await import('@hpcc-js/wasm-graphviz')).Graphviz.load());
    const run = await timed(() => load.value.layout(dot, 'json', 'dot'));
    emit('TIME', { load: load.t, layout: run.t });
    if (extra === 'q') emit('QUALITY', quality(dotDrawing(run.value)));
  } else if (mode === 'variants') {
    // One warm ELK instance; the baseline runs `warm` times first to warm the JIT, then each variant
    // `reps` times (median; ELK is deterministic, so one run gives its quality).
    const list = JSON.parse(extra!) as Variant[];
    const elk = new ELK();
    for (let i = 0; i < Number(warm ?? 2); i++) await elkLayout(elk, view);
    for (const v of list) {
      const r = await warmTiming(0, Number(reps ?? 1), () => elkLayout(elk, view, v.patch, v.edges));
      emit('VARIANT', { name: v.name, t: r.t, q: quality(elkDrawing(r.value)) });
    }
  }
}

interface ChildOutput {
  lines: { tag: string; value: any }[];
  timedOut: boolean;
  error?: string;
}

/** Runs this script as a child; kills it after `capMs` (or `graceMs` after a TIME line, to let quality finish). */
function runChild(args: string[], capMs: number, graceMs = 0): Promise<ChildOutput> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, SELF, '--child', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: ChildOutput['lines'] = [];
    let buf = '',
      err = '',
      timedOut = false,
      gotTime = false;
    const kill = () => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    let timer = setTimeout(() => (gotTime && graceMs > 0 ? (timer = setTimeout(kill, graceMs)) : kill()), capMs);
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^@@(\w+) (.*)$/.exec(line);
        if (m) {
          lines.push({ tag: m[1]!, value: JSON.parse(m[2]!) });
          if (m[1] === 'TIME') gotTime = true;
        }
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ lines, timedOut, error: code !== 0 && !timedOut ? err.slice(-800) || `exit ${code}` : undefined });
    });
  });
}

const tagged = (o: ChildOutput, tag: string) => o.lines.find((l) => l.tag === tag)?.value;

// ---------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------

const md = (title: string, header: string[], body: string[][], notes: string[] = []) =>
  [
    `### ${title}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...notes.map((n) => `${n}\n`),
  ].join('\n');

/** "wall (cpu)" in ms. */
const wc = (t: Timing | undefined) => (t ? `${fmt(t.wall)} (${fmt(t.cpu)})` : 'n/a');

/** Fails the section: a child that crashed, or a drawing that lost nodes, is an error, never a table cell. */
function check(o: ChildOutput, what: string): ChildOutput {
  if (o.error) throw new Error(`layout bench: ${what} failed in its child process:\n${o.error}`);
  return o;
}

function checkDrawing(d: Drawing, view: ViewGraph, what: string): Drawing {
  if (d.boxes.length !== view.nodes.length) throw new Error(`layout bench: ${what} placed ${d.boxes.length} of ${view.nodes.length} nodes`);
  return d;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // --smoke: tiny graphs, one run each, no 3,000-op row: proves the section runs (test/bench/smoke.test.ts).
  const smoke = args.includes('--smoke');
  const started = performance.now();
  const SEED = 42;
  const [small, large] = smoke ? [30, 0] : [200, 1000];
  const fullOps = opsForFullView(smoke ? 100 : 1000, SEED);
  const warm = (n: number, runs: number) => (smoke ? { warmup: 0, runs: 1 } : { warmup: n, runs });
  const cases: (Case & { warmup: number; runs: number })[] = [];
  for (const shape of Object.keys(GENERATORS) as Shape[]) {
    cases.push({ name: `${shape}, summary ${small} ops`, shape, ops: small, full: false, seed: SEED, ...warm(2, 5) });
    if (!smoke) cases.push({ name: `${shape}, summary ${large} ops`, shape, ops: large, full: false, seed: SEED, ...warm(1, 3) });
  }
  cases.push({ name: `pipeline, full view (${fullOps} ops)`, shape: 'pipeline', ops: fullOps, full: true, seed: SEED, ...warm(1, 3) });
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const gv = await Graphviz.load();
  const load = os.loadavg()[0]!;
  console.log(`# ELK (pyflow layoutGraph, elkjs elk.bundled.js) vs Graphviz dot ${gv.version()} (@hpcc-js/wasm-graphviz)\n`);
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, load average at start ${load.toFixed(1)}. Three DAG shapes (seed ${SEED}): ` +
      'pipeline (1-3 inputs mostly from the last 8 ops, raw literals, a few multi-output ops and sinks), mapreduce (stages of 4-12 ' +
      'parallel shard chains merged by a reduction tree), layered (layers of 2-20 ops, inputs from any earlier layer: long edges).\n',
  );

  const rows: string[][] = [];
  const sizes: string[][] = [];
  for (const c of cases) {
    const view = caseView(c);
    const cj = JSON.stringify({ name: c.name, shape: c.shape, ops: c.ops, full: c.full, seed: c.seed });
    // In a smoke run, the first case alone goes through the child processes.
    const isCold = !smoke || c === cases[0];
    const coldElk = isCold ? check(await runChild(['elk', cj], 120_000), `cold ELK, ${c.name}`) : undefined;
    const coldDot = isCold ? check(await runChild(['dot', cj], 120_000), `cold dot, ${c.name}`) : undefined;
    const elk = new ELK();
    const e = await warmTiming(c.warmup, c.runs, () => elkLayout(elk, view));
    const dot = toBenchDot(view, sizesOf(e.value));
    const d = await warmTiming(smoke ? 0 : 1, c.runs, () => gv.layout(dot, 'json', 'dot'));
    const qe = quality(checkDrawing(elkDrawing(e.value), view, `ELK, ${c.name}`));
    const qd = quality(checkDrawing(dotDrawing(d.value), view, `dot, ${c.name}`));
    const cold = (o: ChildOutput | undefined) => {
      if (!o) return '—';
      const t = tagged(o, 'TIME');
      return o.timedOut ? 'timeout' : `${wc(t.layout)} +${fmt(t.load.wall)} load`;
    };
    rows.push([
      c.name,
      `${view.nodes.length} / ${view.edges.length}`,
      cold(coldElk),
      wc(e.t),
      cold(coldDot),
      wc(d.t),
      fmt(qe.crossings),
      fmt(qd.crossings),
      qd.crossings ? fmt(qe.crossings / qd.crossings, 2) : 'n/a',
      fmt(qe.area, 1),
      fmt(qd.area, 1),
    ]);
    sizes.push([
      c.name,
      `${fmt(qe.w)} × ${fmt(qe.h)}`,
      `${fmt(qd.w)} × ${fmt(qd.h)}`,
      e.walls.map((x) => fmt(x)).join(', '),
      d.walls.map((x) => fmt(x)).join(', '),
    ]);
  }

  if (!smoke) {
    // 3,000-op pipeline summary: ELK and dot each in a fresh process, concurrently (2 single-threaded jobs), 60 s cap each.
    const big: Case = { name: 'pipeline, summary 3000 ops', shape: 'pipeline', ops: 3000, full: false, seed: SEED };
    const bigView = caseView(big);
    const bj = JSON.stringify(big);
    const [bigElk, bigDot] = await Promise.all([runChild(['elk', bj, 'q'], 60_000, 30_000), runChild(['dot', bj, 'q'], 60_000, 30_000)]);
    check(bigElk, 'ELK, 3,000 ops');
    check(bigDot, 'dot, 3,000 ops');
    const bt = (o: ChildOutput) => {
      const t = tagged(o, 'TIME');
      return t ? `${wc(t.layout)} (cold)` : 'timeout (> 60 s)';
    };
    const be = tagged(bigElk, 'QUALITY') as Quality | undefined,
      bd = tagged(bigDot, 'QUALITY') as Quality | undefined;
    rows.push([
      big.name,
      `${bigView.nodes.length} / ${bigView.edges.length}`,
      bt(bigElk),
      '—',
      bt(bigDot),
      '—',
      be ? fmt(be.crossings) : '—',
      bd ? fmt(bd.crossings) : '—',
      be && bd?.crossings ? fmt(be.crossings / bd.crossings, 2) : '—',
      be ? fmt(be.area, 1) : '—',
      bd ? fmt(bd.area, 1) : '—',
    ]);
    if (be || bd) sizes.push([big.name, be ? `${fmt(be.w)} × ${fmt(be.h)}` : '—', bd ? `${fmt(bd.w)} × ${fmt(bd.h)}` : '—', '', '']);
  }

  console.log(
    md(
      'Layout time and quality',
      [
        'graph',
        'nodes / edges',
        'ELK cold ms: wall (cpu)',
        'ELK warm ms: median wall (cpu)',
        'dot cold ms: wall (cpu)',
        'dot warm ms: median wall (cpu)',
        'ELK crossings',
        'dot crossings',
        'crossings ELK/dot',
        'ELK area / node area',
        'dot area / node area',
      ],
      rows,
      [
        `Cold = first layout in a fresh process (\`new ELK()\` resp. \`Graphviz.load()\` timed separately as "load"); warm = same process, median of ${smoke ? 1 : '5 (200 ops, after 2 warm-up runs) or 3 (after 1)'} run(s). ELK: layoutGraph(elk, view, {direction: 'DOWN'}) (orthogonal edges, as the webview default); dot: same box sizes (fixedsize, px/72 in), nodesep 24 px, ranksep 36 px, splines=true.`,
        'Crossings: proper intersections between segments of two edges with no common end node (ELK polylines; dot B-splines sampled 8 points per bezier). Area: tight bbox of nodes and edge points / summed node area. The 3,000-op row runs both engines concurrently in two fresh processes, 60 s cap each.',
      ],
    ),
  );
  console.log(md('Drawing size (px) and raw warm wall times', ['graph', 'ELK w × h', 'dot w × h', 'ELK warm runs (ms)', 'dot warm runs (ms)'], sizes));

  if (args.includes('--variants')) await variants(cases.filter((c) => c.shape === 'pipeline'));
  console.log(`\n_Total bench time: ${fmt((performance.now() - started) / 1000, 1)} s_`);
}

/** ELK option variants patched into layoutGraph's root options, on the same graphs. */
async function variants(cases: Case[]): Promise<void> {
  const S200 = cases[0]!.name,
    S1000 = cases[1]!.name,
    FULL = cases[2]!.name;
  const gs = (type: string) => ({
    'elk.layered.crossingMinimization.greedySwitch.type': type,
    'elk.layered.crossingMinimization.greedySwitch.activationThreshold': '0',
  });
  const list: Variant[] = [
    { name: 'baseline (layoutGraph as is)', patch: {} },
    { name: 'thoroughness 1', patch: { 'elk.layered.thoroughness': '1' }, cases: [S200, FULL] },
    { name: 'thoroughness 7', patch: { 'elk.layered.thoroughness': '7' }, cases: [FULL] },
    { name: 'thoroughness 20', patch: { 'elk.layered.thoroughness': '20' }, cases: [S200] },
    { name: 'considerModelOrder.strategy NONE', patch: { 'elk.layered.considerModelOrder.strategy': 'NONE' } },
    { name: 'greedySwitch ONE_SIDED (activationThreshold 0)', patch: gs('ONE_SIDED') },
    { name: 'greedySwitch TWO_SIDED (activationThreshold 0)', patch: gs('TWO_SIDED'), cases: [S200, FULL] },
    { name: 'mergeEdges true', patch: { 'elk.layered.mergeEdges': 'true' } },
    { name: 'greedySwitch ONE_SIDED + mergeEdges', patch: { ...gs('ONE_SIDED'), 'elk.layered.mergeEdges': 'true' } },
    { name: 'thoroughness 7 + greedySwitch ONE_SIDED', patch: { 'elk.layered.thoroughness': '7', ...gs('ONE_SIDED') }, cases: [FULL] },
    { name: 'postCompaction EDGE_LENGTH', patch: { 'elk.layered.compaction.postCompaction.strategy': 'EDGE_LENGTH' }, cases: [S200] },
    {
      name: 'spacing edgeEdge 5, edgeNode 8',
      patch: {
        'elk.spacing.edgeEdge': '5',
        'elk.spacing.edgeNode': '8',
        'elk.layered.spacing.edgeEdgeBetweenLayers': '5',
        'elk.layered.spacing.edgeNodeBetweenLayers': '8',
      },
    },
    { name: 'nodePlacement LINEAR_SEGMENTS', patch: { 'elk.layered.nodePlacement.strategy': 'LINEAR_SEGMENTS' }, cases: [S200] },
    { name: 'nodePlacement NETWORK_SIMPLEX', patch: { 'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX' }, cases: [S200] },
    { name: 'edgeRouting SPLINES (settings.edges = splines)', patch: {}, edges: 'splines', cases: [S200, FULL] },
    { name: 'edgeRouting POLYLINE', patch: { 'elk.edgeRouting': 'POLYLINE' }, cases: [S200, FULL] },
  ];
  // Per-graph time caps for the whole sweep (one child process each); variants not reached show "—".
  const caps = new Map([
    [S200, 40_000],
    [S1000, 75_000],
    [FULL, 60_000],
  ]);
  const results = new Map<string, Map<string, { t: Timing; q: Quality }>>();
  const capped = new Set<string>();
  for (const c of cases) {
    const mine = list.filter((v) => !v.cases || v.cases.includes(c.name));
    const out = check(
      await runChild(
        [
          'variants',
          JSON.stringify({ name: c.name, shape: c.shape, ops: c.ops, full: c.full, seed: c.seed }),
          JSON.stringify(mine),
          c.name === S200 ? '4' : c.name === S1000 ? '1' : '2',
          c.name === S200 ? '3' : '1',
        ],
        caps.get(c.name)!,
      ),
      `the variants on ${c.name}`,
    );
    if (out.timedOut) capped.add(c.name);
    results.set(c.name, new Map(out.lines.filter((l) => l.tag === 'VARIANT').map((l) => [l.value.name, l.value])));
  }
  const header = ['variant'];
  for (const c of cases) header.push(`${c.name}: ms wall (cpu)`, 'crossings', 'area');
  const body = list.map((v) => {
    const row = [v.name];
    for (const c of cases) {
      const r = results.get(c.name)!.get(v.name);
      const base = results.get(c.name)!.get(list[0]!.name);
      if (!r) {
        row.push(v.cases && !v.cases.includes(c.name) ? '—' : capped.has(c.name) ? 'cap' : 'err', '', '');
        continue;
      }
      const rel =
        base && v !== list[0] ? ` (${r.q.crossings <= base.q.crossings ? '' : '+'}${fmt(((r.q.crossings - base.q.crossings) / base.q.crossings) * 100)}%)` : '';
      row.push(wc(r.t), `${fmt(r.q.crossings)}${rel}`, fmt(r.q.area, 1));
    }
    return row;
  });
  console.log(
    md(
      "ELK option variants (patched into layoutGraph's root options; warm: 200 ops median of 3 after 4 warm-up runs, 1000-node graphs one run after 1-2 warm-ups)",
      header,
      body,
      [
        `"—": not run on this graph (too slow or irrelevant there); "cap": the graph's sweep hit its time cap (${[...caps.values()].map((x) => x / 1000).join('/')} s) before this variant.`,
      ],
    ),
  );
}

const exitWith = (e: unknown) => {
  console.error(e);
  process.exit(1);
};
if (process.argv[2] === '--child') void childMain(process.argv.slice(3)).then(() => process.exit(0), exitWith);
else void main().catch(exitWith);
