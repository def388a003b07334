import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { startRun } from '../../src/runner/startRun.js';
import type { RunTarget } from '../../src/protocol/index.js';
import { instrumentAddCalls } from '../../src/analysis/instrument.js';
import { table } from './util.js';

const REPO = resolve(__dirname, '..', '..');
const DIST = join(REPO, 'dist');

function run(file: string, target: RunTarget): Promise<{ firstEventMs: number; totalMs: number; stdout: string; events: number }> {
  const started = performance.now();
  let firstEventMs = -1;
  let stdout = '';
  let events = 0;
  const handle = startRun(
    { file, target, runnerPath: join(DIST, 'runner.js'), libraryPath: join(DIST, 'lib', 'index.mjs'), esbuild, transform: instrumentAddCalls, timeoutMs: 0 },
    {
      onMessage: (m) => {
        if (m.type !== 'trace/append') return;
        if (firstEventMs < 0) firstEventMs = performance.now() - started;
        events += m.events.length;
      },
      onOutput: (text, stream) => {
        if (stream === 'stdout') stdout += text;
      },
    },
  );
  return handle.done.then((outcome) => {
    if (outcome.status !== 'done') throw new Error(JSON.stringify(outcome));
    return { firstEventMs, totalMs: performance.now() - started, stdout, events };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const spread = (xs: number[]) => `${median(xs).toFixed(2)}x (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

/** Runs ./chain.ts under a pyflow host hook that keeps every trace event (what the runner's hook does, minus IPC). */
function hostHook(previewValues: boolean): string {
  return `const events: unknown[] = [];
(globalThis as any)[Symbol.for('pyflow.host')] = {
  captureCallSites: false, previewValues: ${previewValues},
  graphCreated(graph: any) { graph.subscribe((event: unknown) => { events.push(event); }); },
};
await import('./chain.ts');
`;
}

/**
 * A chain of `n` ops that times its own build + evaluation and prints ns per op, in CPU time of its process (user +
 * system, all threads, so the collector's and the IPC's work count): what other processes' load disturbs least.
 */
function chainScript(n: number): string {
  return `import { GraphBuilder } from 'pyflow';
const inc = (x: number) => x + 1;
const t = process.cpuUsage();
const G = new GraphBuilder();
let node = G.add(inc)(0);
for (let i = 1; i < ${n}; i++) node = G.add(inc)(node);
node.get();
const c = process.cpuUsage(t);
console.log(((c.user + c.system) * 1e3 / ${n}).toFixed(1));
`;
}

/** `smoke`: one run of each kind on small scripts (test/bench/smoke.test.ts). */
export async function runnerBench(smoke = false): Promise<string> {
  const quickstart = join(REPO, 'examples', 'quickstart.ts');
  if (!smoke) await run(quickstart, { kind: 'line', file: quickstart, line: 11 });
  const first: number[] = [];
  for (let i = 0; i < (smoke ? 1 : 5); i++) first.push((await run(quickstart, { kind: 'line', file: quickstart, line: 11 })).firstEventMs);

  const dir = mkdtempSync(join(tmpdir(), 'pyflow-bench-'));
  const file = join(dir, 'chain.ts');
  const n = smoke ? 200 : 20_000;
  writeFileSync(file, chainScript(n));
  const bundle = async (name: string, source: string): Promise<string> => {
    writeFileSync(join(dir, `${name}.ts`), source);
    const out = join(dir, `${name}.mjs`);
    await esbuild.build({
      entryPoints: [join(dir, `${name}.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      // The library is loaded from dist/lib at run time, as the runner loads it (it finds its worker entry beside it).
      plugins: [
        {
          name: 'pyflow-library',
          setup(build) {
            build.onResolve({ filter: /^pyflow(\/view)?$/ }, (args) => ({
              path: pathToFileURL(join(DIST, 'lib', args.path === 'pyflow' ? 'index.mjs' : 'view.mjs')).href,
              external: true,
            }));
          },
        },
      ],
      logLevel: 'silent',
    });
    return out;
  };
  const plainBundle = await bundle('plain', `import './chain.ts';\n`);
  // Where the runner's cost comes from: the same chain in plain node with a host hook (as the runner installs) that
  // keeps every trace event, without and with value previews; no packing, no IPC.
  const hooked = await bundle('hooked', hostHook(false));
  const previewed = await bundle('previewed', hostHook(true));
  const timeOf = (path: string) => Number(execFileSync(process.execPath, [path], { encoding: 'utf8' }).trim());
  const plain: number[] = [];
  const traced: number[] = [];
  const hookedRatios: number[] = [];
  const previewRatios: number[] = [];
  let events = 0;
  // Nine rounds, each a plain run, then the others: the ratio of one round moves ±10% with the machine's load.
  const ratios: number[] = [];
  for (let i = 0; i < (smoke ? 1 : 9); i++) {
    plain.push(timeOf(plainBundle));
    const r = await run(file, { kind: 'script' });
    traced.push(Number(r.stdout.trim()));
    ratios.push(traced.at(-1)! / plain.at(-1)!);
    hookedRatios.push(timeOf(hooked) / plain.at(-1)!);
    previewRatios.push(timeOf(previewed) / plain.at(-1)!);
    events = r.events;
  }
  const streamFile = join(dir, 'stream.ts');
  const streamOps = smoke ? 500 : 25_000;
  writeFileSync(streamFile, chainScript(streamOps));
  const stream = await run(streamFile, { kind: 'script' });
  if (stream.events < streamOps) throw new Error(`${stream.events} trace events arrived from a ${streamOps}-op chain`);
  return [
    table(
      `Runner (medians: ${first.length} quickstart runs, ${ratios.length} chain runs each way)`,
      ['what', 'value', 'target'],
      [
        [
          'first trace event after starting a run of the quickstart (bundle + process start + evaluation)',
          `${median(first).toFixed(0)} ms`,
          '<= 500 ms from the CodeLens click',
        ],
        [`per-op CPU time, ${n}-op chain, plain library in node`, `${median(plain).toFixed(0)} ns`, ''],
        [
          `per-op CPU time, same script under the runner (call sites written into the bundle, ${events} events streamed in packed batches, value previews)`,
          `${median(traced).toFixed(0)} ns`,
          '',
        ],
        ["runner overhead per op: median of the rounds' ratios to plain (lowest–highest)", spread(ratios), '<= 3x'],
        ["of which the library's tracing: plain node, a host hook keeping every event, no previews, no IPC (ratio to plain)", spread(hookedRatios), ''],
        ['the same with value previews, as the runner asks (ratio to plain)', spread(previewRatios), ''],
        [`streaming ${stream.events.toLocaleString('en')} trace events to the parent`, `${stream.totalMs.toFixed(0)} ms total`, 'every event arrives'],
      ],
    ),
  ].join('\n');
}
