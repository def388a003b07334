import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  const handle = startRun({ file, target, runnerPath: join(DIST, 'runner.js'), libraryPath: join(DIST, 'lib', 'index.mjs'), esbuild, transform: instrumentAddCalls, timeoutMs: 0 }, {
    onMessage: (m) => {
      if (m.type !== 'trace/append') return;
      if (firstEventMs < 0) firstEventMs = performance.now() - started;
      events += m.events.length;
    },
    onOutput: (text, stream) => { if (stream === 'stdout') stdout += text; },
  });
  return handle.done.then((outcome) => {
    if (outcome.status !== 'done') throw new Error(JSON.stringify(outcome));
    return { firstEventMs, totalMs: performance.now() - started, stdout, events };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A chain of `n` ops that times its own build + evaluation and prints ns per op. */
function chainScript(n: number): string {
  return `import { GraphBuilder } from 'pyflow';
const inc = (x: number) => x + 1;
const t = performance.now();
const G = new GraphBuilder();
let node = G.add(inc)(0);
for (let i = 1; i < ${n}; i++) node = G.add(inc)(node);
node.get();
console.log(((performance.now() - t) * 1e6 / ${n}).toFixed(1));
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
  const bundle = join(dir, 'plain.mjs');
  await esbuild.build({ entryPoints: [file], bundle: true, platform: 'node', format: 'esm', outfile: bundle, alias: { pyflow: join(DIST, 'lib', 'index.mjs') }, logLevel: 'silent' });
  const plain: number[] = [];
  const traced: number[] = [];
  let events = 0;
  // Nine pairs, each a plain run then a runner run: the ratio of one pair moves ±10% with the machine's load.
  const ratios: number[] = [];
  for (let i = 0; i < (smoke ? 1 : 9); i++) {
    plain.push(Number(execFileSync(process.execPath, [bundle], { encoding: 'utf8' }).trim()));
    const r = await run(file, { kind: 'script' });
    traced.push(Number(r.stdout.trim()));
    ratios.push(traced.at(-1)! / plain.at(-1)!);
    events = r.events;
  }
  const streamFile = join(dir, 'stream.ts');
  const streamOps = smoke ? 500 : 25_000;
  writeFileSync(streamFile, chainScript(streamOps));
  const stream = await run(streamFile, { kind: 'script' });
  if (stream.events < streamOps) throw new Error(`${stream.events} trace events arrived from a ${streamOps}-op chain`);
  return [
    table(`Runner (medians: ${first.length} quickstart runs, ${ratios.length} chain runs each way)`, ['what', 'value', 'target'], [
      ['first trace event after starting a run of the quickstart (bundle + process start + evaluation)', `${median(first).toFixed(0)} ms`, '<= 500 ms from the CodeLens click'],
      [`per-op cost, ${n}-op chain, plain library in node`, `${median(plain).toFixed(0)} ns`, ''],
      [`per-op cost, same script under the runner (call sites written into the bundle, ${events} events streamed in packed batches, value previews)`, `${median(traced).toFixed(0)} ns`, ''],
      ['runner overhead per op: median of the pairs\' ratios (lowest–highest)', `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`, '<= 3x'],
      [`streaming ${stream.events.toLocaleString('en')} trace events to the parent`, `${stream.totalMs.toFixed(0)} ms total`, 'every event arrives'],
    ]),
  ].join('\n');
}
