import { ts } from 'ts-morph';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import { refineWithTypes } from '../../src/analysis/refineWithTypes.js';
import { medianMs, table, wallClock } from './util.js';

/** A script of `n` add statements: a pipeline mixing chains, fan-in, options and raw arguments. */
export function pipelineSource(n: number): string {
  const lines = [
    `import { GraphBuilder } from 'pyflow';`,
    `function load(i: number) { return i; }`,
    `function combine(a: number, b: number) { return a + b; }`,
    `function save(x: number): void { void x; }`,
    `const G = new GraphBuilder({ alias: 'bench' });`,
    `const x0 = G.add(load, { rank: 0 })(0);`,
  ];
  for (let i = 1; i < n; i++) {
    if (i % 10 === 0) lines.push(`G.add(save)(x${i - 1}); const x${i} = x${i - 1};`);
    else if (i % 3 === 0) lines.push(`const x${i} = G.add(combine, { color: 'lightblue' })(x${i - 1}, x${Math.floor(i / 2)});`);
    else lines.push(`const x${i} = G.add(combine)(x${i - 1}, ${i});`);
  }
  return lines.join('\n');
}

/** `smoke`: tiny sizes, one run each (test/bench/smoke.test.ts). */
export function extractionBench(smoke = false): string {
  const [small, large] = smoke ? [50, 100] : [1000, 5000];
  const [runs, warmup] = smoke ? [1, 0] : [7, 2];
  const rows: (string | number)[][] = [];
  for (const n of [small, large]) {
    const text = pipelineSource(n);
    const parse = medianMs(() => ts.createSourceFile('/ws/bench.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS), runs, warmup);
    let nodes = 0;
    const extract = medianMs(
      () => {
        nodes = extractGraph(text, '/ws/bench.ts').graphs[0]?.nodes.length ?? 0;
      },
      runs,
      warmup,
    );
    if (nodes < n) throw new Error(`extractGraph found ${nodes} nodes in ${n} add statements`);
    const edited = text.replace(`x${Math.floor(n / 2)} = G.add(combine)`, `x${Math.floor(n / 2)} = G.add(combine, { shape: 'box' })`);
    const reextract = medianMs(() => extractGraph(edited, '/ws/bench.ts'), runs, warmup);
    rows.push([n, parse, extract, extract / parse, reextract]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-bench-'));
  writeFileSync(join(dir, 'io.ts'), 'export function save(x: number): void { void x; }\n');
  const file = join(dir, 'bench.ts');
  const calls = smoke ? 50 : 1000;
  const text = pipelineSource(calls)
    .replace(/^function save[^\n]*\n/m, '')
    .replace(`import { GraphBuilder } from 'pyflow';`, `import { GraphBuilder } from 'pyflow';\nimport { save } from './io';`);
  writeFileSync(file, text);
  const quick = extractGraph(text, file);
  let refined = 0;
  const typed = medianMs(
    () => {
      refined = refineWithTypes(text, file, quick)?.graphs[0]?.nodes.length ?? 0;
    },
    smoke ? 1 : 3,
    smoke ? 0 : 1,
  );
  if (refined === 0 || refined === quick.graphs[0]!.nodes.length) throw new Error('refinement did not resolve the imported save');
  const cli = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');
  const quickstart = join(resolve(__dirname, '..', '..'), 'examples', 'quickstart.ts');
  // A child process: its CPU time is not this process's, so this one is wall time.
  const cliMs = medianMs(() => execFileSync(process.execPath, [cli, 'graph', quickstart]), smoke ? 1 : 5, smoke ? 0 : 1, wallClock);
  return [
    table(
      'Static extraction (CPU ms, median; targets: ratio to parse <= 3x, 5,000 statements <= 300 ms, re-extract <= 50 ms)',
      ['add statements', 'raw TS parse (floor)', 'extractGraph', 'ratio to parse', 're-extract after a 1-line edit'],
      rows,
    ),
    table(
      'Type checker (CPU ms) and CLI (wall ms), medians',
      ['what', 'ms', 'target'],
      [
        [
          `refineWithTypes, ${calls.toLocaleString('en')} calls (${quick.typesPending ? 'imported save' : 'nothing pending'})`,
          typed,
          '<= 1000, after the graph is drawn',
        ],
        ['`pyflow graph examples/quickstart.ts`, wall time incl. start-up', cliMs, '< 1000'],
      ],
    ),
  ].join('\n');
}
