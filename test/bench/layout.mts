/*
 * ELK (pyflow's webview layout, via layoutGraph) vs Graphviz dot on random pipeline DAGs.
 *
 * Run (from /work/main, so that `--import tsx` resolves):
 *   cd /work/main && node --import tsx test/bench/layout.mts            # everything (~4-5 min)
 *   cd /work/main && node --import tsx test/bench/layout.mts --quick    # main table only, no variants
 *
 * Cold timings and the 3,000-node runs happen in child processes of this same script (fresh V8, fresh
 * ELK / wasm instance, hard timeout); everything else runs in this process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph, type ElkLike, type ElkNode, type Placed, type Point } from '../../webview/layout.ts';
import { viewGraph, type ViewGraph } from '../../src/core/summary.ts';
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

const FN_NAMES = ['load', 'clean', 'merge', 'transform', 'normalize', 'filter_rows', 'join_tables', 'aggregate', 'fit_model', 'predict', 'score', 'split', 'featurize', 'resample', 'dedupe'];

export interface GenOptions {
  ops: number;
  seed: number;
  /** Most inputs come from the outputs of the last `window` ops. */
  window?: number;
  pLocal?: number;
  pRaw?: number;
  pMultiOut?: number;
  pSink?: number;
  pPersist?: number;
}

/**
 * n ops; each takes 1-3 inputs, mostly outputs of recent ops (locality window), sometimes any earlier
 * output, sometimes a raw literal (a persisted raw data node `data_k`). A few ops have 2-3 outputs, a few
 * are sinks (no output). uids and node order follow GraphBuilder/toGraphModel: `fn_k` for the op, then its
 * raw inputs `data_k`, then its outputs `data_k`.
 */
export function pipelineModel(o: GenOptions): GraphModel {
  const rnd = prng(o.seed);
  const window = o.window ?? 8, pLocal = o.pLocal ?? 0.85, pRaw = o.pRaw ?? 0.25;
  const pMulti = o.pMultiOut ?? 0.05, pSink = o.pSink ?? 0.04, pPersist = o.pPersist ?? 0.05;
  const nodes: ModelNode[] = [];
  const edges: ModelEdge[] = [];
  const outputsOf: string[][] = []; // outputs of op i
  const allOutputs: string[] = [];
  let counter = 0;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let i = 0; i < o.ops; i++) {
    const fn = pick(FN_NAMES);
    const uid = `${fn}_${++counter}`;
    nodes.push({ uid, kind: 'operation', label: fn, fn });
    const nIn = 1 + Math.floor(rnd() * 3);
    const parents: string[] = [];
    for (let k = 0; k < nIn; k++) {
      if (allOutputs.length === 0 || rnd() < pRaw) {
        const d = `data_${++counter}`;
        const value = String(Math.floor(rnd() * 100));
        nodes.push({ uid: d, kind: 'data', label: 'data', raw: true, value, persist: true, dim: '(1, )' });
        parents.push(d);
        continue;
      }
      let src: string | undefined;
      if (rnd() < pLocal) {
        const recent: string[] = [];
        for (let j = i - 1; j >= 0 && j >= i - window; j--) recent.push(...outputsOf[j]!);
        if (recent.length > 0) src = pick(recent);
      }
      src ??= pick(allOutputs);
      if (!parents.includes(src)) parents.push(src);
    }
    for (const p of parents) edges.push({ from: p, to: uid });
    const r = rnd();
    const nOut = r < pSink && i > 0 ? 0 : r < pSink + pMulti ? 2 + Math.floor(rnd() * 2) : 1;
    const persist = rnd() < pPersist;
    const outs: string[] = [];
    for (let k = 0; k < nOut; k++) {
      const d = `data_${++counter}`;
      const node: ModelNode = { uid: d, kind: 'data', label: 'data' };
      if (persist) { node.persist = true; node.dim = '(3, 4)'; }
      nodes.push(node);
      edges.push({ from: uid, to: d });
      outs.push(d);
    }
    outputsOf.push(outs);
    allOutputs.push(...outs);
  }
  return { alias: `pipeline_${o.ops}_${o.seed}`, nodes, edges };
}

/** The number of ops whose full view has about `total` nodes. */
function opsForFullView(total: number, seed: number): number {
  let lo = 10, hi = total;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pipelineModel({ ops: mid, seed }).nodes.length < total) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Case { name: string; ops: number; full: boolean; seed: number }

function caseView(c: Case): ViewGraph {
  return viewGraph(pipelineModel({ ops: c.ops, seed: c.seed }), c.full);
}

// ---------------------------------------------------------------------------------------------------
// 2. Layout runners: ELK through layoutGraph, and dot through @hpcc-js/wasm-graphviz.
// ---------------------------------------------------------------------------------------------------

/** Geometry both layouts reduce to: node boxes (top-left, px) and edge polylines. */
interface Drawing { boxes: { x: number; y: number; w: number; h: number }[]; edges: { from: string; to: string; pts: Point[] }[] }

function cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: number, out: Point[]): void {
  for (let s = 1; s <= steps; s++) {
    const t = s / steps, u = 1 - t;
    out.push({ x: u * u * u * p0.x + 3 * u * u * t * p1.x + 3 * u * t * t * p2.x + t * t * t * p3.x, y: u * u * u * p0.y + 3 * u * u * t * p1.y + 3 * u * t * t * p2.y + t * t * t * p3.y });
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

async function elkLayout(elk: ElkLike, view: ViewGraph, patch?: Record<string, string | undefined>, edges: 'orthogonal' | 'splines' = 'orthogonal'): Promise<Placed> {
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
  const g = JSON.parse(json) as { objects?: { name: string; pos?: string; width?: string; height?: string }[]; edges?: { tail: number; head: number; pos?: string }[] };
  const objs = g.objects ?? [];
  const boxes = objs.filter((o) => o.pos).map((o) => {
    const c = parsePt(o.pos!), w = Number(o.width) * 72, h = Number(o.height) * 72;
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

/**
 * Proper intersections between segments of different edges that share no endpoint node (so segments
 * meeting at a common node, or edges fanning out of one port, never count). Sweep over x.
 */
function crossings(d: Drawing): number {
  const ids = new Map<string, number>();
  const id = (s: string) => ids.get(s) ?? (ids.set(s, ids.size), ids.size - 1);
  const ef = d.edges.map((e) => id(e.from)), et = d.edges.map((e) => id(e.to));
  const n = d.edges.reduce((a, e) => a + Math.max(0, e.pts.length - 1), 0);
  const ax = new Float64Array(n), ay = new Float64Array(n), bx = new Float64Array(n), by = new Float64Array(n), edge = new Int32Array(n);
  let k = 0;
  d.edges.forEach((e, i) => {
    for (let j = 0; j + 1 < e.pts.length; j++) {
      const p = e.pts[j]!, q = e.pts[j + 1]!;
      if (p.x === q.x && p.y === q.y) continue;
      ax[k] = p.x; ay[k] = p.y; bx[k] = q.x; by[k] = q.y; edge[k] = i; k++;
    }
  });
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => Math.min(ax[i]!, bx[i]!) - Math.min(ax[j]!, bx[j]!));
  const orient = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) => {
    const v = (qx - px) * (ry - py) - (qy - py) * (rx - px);
    return Math.abs(v) < 1e-9 ? 0 : v > 0 ? 1 : -1;
  };
  let count = 0;
  for (let oi = 0; oi < k; oi++) {
    const i = order[oi]!;
    const maxX = Math.max(ax[i]!, bx[i]!), minY = Math.min(ay[i]!, by[i]!), maxY = Math.max(ay[i]!, by[i]!);
    for (let oj = oi + 1; oj < k; oj++) {
      const j = order[oj]!;
      if (Math.min(ax[j]!, bx[j]!) > maxX) break;
      if (Math.max(ay[j]!, by[j]!) < minY || Math.min(ay[j]!, by[j]!) > maxY) continue;
      const ei = edge[i]!, ej = edge[j]!;
      if (ei === ej) continue;
      if (ef[ei] === ef[ej] || ef[ei] === et[ej] || et[ei] === ef[ej] || et[ei] === et[ej]) continue;
      const o1 = orient(ax[i]!, ay[i]!, bx[i]!, by[i]!, ax[j]!, ay[j]!), o2 = orient(ax[i]!, ay[i]!, bx[i]!, by[i]!, bx[j]!, by[j]!);
      if (o1 === 0 || o2 === 0 || o1 === o2) continue;
      const o3 = orient(ax[j]!, ay[j]!, bx[j]!, by[j]!, ax[i]!, ay[i]!), o4 = orient(ax[j]!, ay[j]!, bx[j]!, by[j]!, bx[i]!, by[i]!);
      if (o3 === 0 || o4 === 0 || o3 === o4) continue;
      count++;
    }
  }
  return count;
}

/** Tight bbox (nodes and edge points) w*h, divided by the summed node area. */
function areaRatio(d: Drawing): { ratio: number; w: number; h: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, nodeArea = 0;
  for (const b of d.boxes) {
    x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h);
    nodeArea += b.w * b.h;
  }
  for (const e of d.edges) for (const p of e.pts) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); }
  return { ratio: ((x1 - x0) * (y1 - y0)) / nodeArea, w: x1 - x0, h: y1 - y0 };
}

interface Quality { crossings: number; area: number; w: number; h: number }
function quality(d: Drawing): Quality {
  const a = areaRatio(d);
  return { crossings: crossings(d), area: a.ratio, w: a.w, h: a.h };
}

// ---------------------------------------------------------------------------------------------------
// Timing helpers. Wall time is what a user waits; CPU time (this process, user+sys) is reported too
// because it is far less sensitive to other load on the machine (ELK and wasm dot are single-threaded).
// ---------------------------------------------------------------------------------------------------

interface Timing { wall: number; cpu: number }

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

interface Variant { name: string; patch: Record<string, string>; edges?: 'orthogonal' | 'splines'; cases?: string[] }

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

interface ChildOutput { lines: { tag: string; value: any }[]; timedOut: boolean; error?: string }

/** Runs this script as a child; kills it after `capMs` (or `graceMs` after a TIME line, to let quality finish). */
function runChild(args: string[], capMs: number, graceMs = 0): Promise<ChildOutput> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, SELF, '--child', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: ChildOutput['lines'] = [];
    let buf = '', err = '', timedOut = false, gotTime = false;
    const kill = () => { timedOut = true; child.kill('SIGKILL'); };
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
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
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
  [`### ${title}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`), '', ...notes.map((n) => `${n}\n`)].join('\n');

/** "wall (cpu)" in ms. */
const wc = (t: Timing | undefined) => (t ? `${fmt(t.wall)} (${fmt(t.cpu)})` : 'n/a');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const variantsOnly = args.includes('--variants-only');
  const started = performance.now();
  const SEED = 42;
  const fullOps = opsForFullView(1000, SEED);
  const cases: (Case & { warmup: number; runs: number })[] = [
    { name: 'summary 200 ops', ops: 200, full: false, seed: SEED, warmup: 2, runs: 5 },
    { name: 'summary 1000 ops', ops: 1000, full: false, seed: SEED, warmup: 1, runs: 3 },
    { name: `full (${fullOps} ops)`, ops: fullOps, full: true, seed: SEED, warmup: 1, runs: 3 },
  ];
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const gv = await Graphviz.load();
  const load = await import('node:os').then((os) => os.loadavg()[0]!);
  console.log(`# ELK (pyflow layoutGraph, elkjs 0.12.1 elk.bundled.js) vs Graphviz dot ${gv.version()} (@hpcc-js/wasm-graphviz)\n`);
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, load average at start ${load.toFixed(1)}. Generator: seed ${SEED}; each op takes 1-3 inputs, 85% from the last 8 ops' outputs, else any earlier output; raw literal inputs p=0.25; 5% multi-output (2-3), 4% sinks, 5% persisted.\n`);

  if (!variantsOnly) {
    const rows: string[][] = [];
    const sizes: string[][] = [];
    for (const c of cases) {
      const view = caseView(c);
      const cj = JSON.stringify({ name: c.name, ops: c.ops, full: c.full, seed: c.seed });
      const coldElk = await runChild(['elk', cj], 120_000);
      const coldDot = await runChild(['dot', cj], 120_000);
      for (const [n, o] of [['elk', coldElk], ['dot', coldDot]] as const) if (o.error) console.error(`cold ${n} ${c.name}:`, o.error);
      const elk = new ELK();
      const e = await warmTiming(c.warmup, c.runs, () => elkLayout(elk, view));
      const dot = toBenchDot(view, sizesOf(e.value));
      const d = await warmTiming(1, c.runs, () => gv.layout(dot, 'json', 'dot'));
      const qe = quality(elkDrawing(e.value));
      const qd = quality(dotDrawing(d.value));
      const cold = (o: ChildOutput) => { const t = tagged(o, 'TIME'); return o.timedOut ? 'timeout' : t ? `${wc(t.layout)} +${fmt(t.load.wall)} load` : 'error'; };
      rows.push([
        c.name, `${view.nodes.length} / ${view.edges.length}`,
        cold(coldElk), wc(e.t), cold(coldDot), wc(d.t),
        fmt(qe.crossings), fmt(qd.crossings), qd.crossings ? fmt(qe.crossings / qd.crossings, 2) : 'n/a',
        fmt(qe.area, 1), fmt(qd.area, 1),
      ]);
      sizes.push([c.name, `${fmt(qe.w)} × ${fmt(qe.h)}`, `${fmt(qd.w)} × ${fmt(qd.h)}`, e.walls.map((x) => fmt(x)).join(', '), d.walls.map((x) => fmt(x)).join(', ')]);
    }

    // 3,000-op summary: ELK and dot each in a fresh process, concurrently (2 single-threaded jobs), 60 s cap each.
    const big: Case = { name: 'summary 3000 ops', ops: 3000, full: false, seed: SEED };
    const bigView = caseView(big);
    const bj = JSON.stringify(big);
    const [bigElk, bigDot] = await Promise.all([runChild(['elk', bj, 'q'], 60_000, 30_000), runChild(['dot', bj, 'q'], 60_000, 30_000)]);
    for (const [n, o] of [['elk', bigElk], ['dot', bigDot]] as const) if (o.error) console.error(`3000 ${n}:`, o.error);
    const bt = (o: ChildOutput) => { const t = tagged(o, 'TIME'); return t ? `${wc(t.layout)} (cold)` : o.timedOut ? 'timeout (> 60 s)' : 'error'; };
    const be = tagged(bigElk, 'QUALITY') as Quality | undefined, bd = tagged(bigDot, 'QUALITY') as Quality | undefined;
    rows.push([
      big.name, `${bigView.nodes.length} / ${bigView.edges.length}`, bt(bigElk), '—', bt(bigDot), '—',
      be ? fmt(be.crossings) : '—', bd ? fmt(bd.crossings) : '—', be && bd && bd.crossings ? fmt(be.crossings / bd.crossings, 2) : '—',
      be ? fmt(be.area, 1) : '—', bd ? fmt(bd.area, 1) : '—',
    ]);
    if (be || bd) sizes.push([big.name, be ? `${fmt(be.w)} × ${fmt(be.h)}` : '—', bd ? `${fmt(bd.w)} × ${fmt(bd.h)}` : '—', '', '']);

    console.log(md('Layout time and quality', ['graph', 'nodes / edges', 'ELK cold ms: wall (cpu)', 'ELK warm ms: median wall (cpu)', 'dot cold ms: wall (cpu)', 'dot warm ms: median wall (cpu)', 'ELK crossings', 'dot crossings', 'crossings ELK/dot', 'ELK area / node area', 'dot area / node area'], rows, [
      `Cold = first layout in a fresh process (\`new ELK()\` resp. \`Graphviz.load()\` timed separately as "load"); warm = same process, after ${cases.map((c) => c.warmup).join('/')} warm-up run(s), median of ${cases.map((c) => c.runs).join('/')}. ELK: layoutGraph(elk, view, {direction: 'DOWN'}) (orthogonal edges, as the webview default); dot: same box sizes (fixedsize, px/72 in), nodesep 24 px, ranksep 36 px, splines=true.`,
      'Crossings: proper intersections between segments of two edges with no common end node (ELK polylines; dot B-splines sampled 8 points per bezier). Area: tight bbox of nodes and edge points / summed node area. The 3,000-op row runs both engines concurrently in two fresh processes, 60 s cap each.',
    ]));
    console.log(md('Drawing size (px) and raw warm wall times', ['graph', 'ELK w × h', 'dot w × h', 'ELK warm runs (ms)', 'dot warm runs (ms)'], sizes));
  }

  if (!quick) await variants(cases);
  console.log(`\n_Total bench time: ${fmt((performance.now() - started) / 1000, 1)} s_`);
}

/** ELK option variants patched into layoutGraph's root options, on the same graphs. */
async function variants(cases: Case[]): Promise<void> {
  const S200 = cases[0]!.name, S1000 = cases[1]!.name, FULL = cases[2]!.name;
  const gs = (type: string) => ({ 'elk.layered.crossingMinimization.greedySwitch.type': type, 'elk.layered.crossingMinimization.greedySwitch.activationThreshold': '0' });
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
    { name: 'spacing edgeEdge 5, edgeNode 8', patch: { 'elk.spacing.edgeEdge': '5', 'elk.spacing.edgeNode': '8', 'elk.layered.spacing.edgeEdgeBetweenLayers': '5', 'elk.layered.spacing.edgeNodeBetweenLayers': '8' } },
    { name: 'nodePlacement LINEAR_SEGMENTS', patch: { 'elk.layered.nodePlacement.strategy': 'LINEAR_SEGMENTS' }, cases: [S200] },
    { name: 'nodePlacement NETWORK_SIMPLEX', patch: { 'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX' }, cases: [S200] },
    { name: 'edgeRouting SPLINES (settings.edges = splines)', patch: {}, edges: 'splines', cases: [S200, FULL] },
    { name: 'edgeRouting POLYLINE', patch: { 'elk.edgeRouting': 'POLYLINE' }, cases: [S200, FULL] },
  ];
  // Per-graph time caps for the whole sweep (one child process each); variants not reached show "—".
  const caps = new Map([[S200, 40_000], [S1000, 75_000], [FULL, 60_000]]);
  const results = new Map<string, Map<string, { t: Timing; q: Quality }>>();
  const capped = new Set<string>();
  for (const c of cases) {
    const mine = list.filter((v) => !v.cases || v.cases.includes(c.name));
    const out = await runChild(['variants', JSON.stringify({ name: c.name, ops: c.ops, full: c.full, seed: c.seed }), JSON.stringify(mine), c.name === S200 ? '4' : c.name === S1000 ? '1' : '2', c.name === S200 ? '3' : '1'], caps.get(c.name)!);
    if (out.error) console.error(`variants ${c.name}:`, out.error);
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
      if (!r) { row.push(v.cases && !v.cases.includes(c.name) ? '—' : capped.has(c.name) ? 'cap' : 'err', '', ''); continue; }
      const rel = base && v !== list[0] ? ` (${r.q.crossings <= base.q.crossings ? '' : '+'}${fmt(((r.q.crossings - base.q.crossings) / base.q.crossings) * 100)}%)` : '';
      row.push(wc(r.t), `${fmt(r.q.crossings)}${rel}`, fmt(r.q.area, 1));
    }
    return row;
  });
  console.log(md('ELK option variants (patched into layoutGraph\'s root options; warm: 200 ops median of 3 after 4 warm-up runs, 1000-node graphs one run after 1-2 warm-ups)', header, body, [
    `"—": not run on this graph (too slow or irrelevant there); "cap": the graph's sweep hit its time cap (${[...caps.values()].map((x) => x / 1000).join('/')} s) before this variant.`,
  ]));
}

export { caseView, elkLayout, elkDrawing, quality, toBenchDot, sizesOf, dotDrawing, median };
export type { Case };

if (process.argv[1] !== SELF) {
  // imported as a module (explore scripts): run nothing
} else if (process.argv[2] === '--child') {
  void childMain(process.argv.slice(3)).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
} else {
  void main();
}
