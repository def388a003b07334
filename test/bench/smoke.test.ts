import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/*
 * Every section of `npm run bench` in its tiny `--smoke` configuration, as a user runs it (a real child process):
 * it must finish with exit code 0 and print its tables. Nothing is timed here; the figures of a smoke run mean
 * nothing. Needs `npm run build` (and Chromium for the webview section), as `npm test` provides.
 */

const REPO = join(__dirname, '..', '..');

function bench(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO, 'test', 'bench', 'main.ts'), ...args], { cwd: REPO, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The markdown tables of an output: each table's header cells and the first cell of each row. */
function tables(output: string): { header: string[]; rows: string[] }[] {
  const found: { header: string[]; rows: string[] }[] = [];
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !/^\|[-:| ]+\|$/.test(lines[i + 1] ?? '')) continue;
    const table = { header: cells(lines[i]!), rows: [] as string[] };
    for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) table.rows.push(cells(lines[i]!)[0]!);
    found.push(table);
    i--;
  }
  return found;
}

const EXPECTED: Record<string, { header: string[]; rows: string[] }[]> = {
  core: [
    {
      header: [
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
      rows: ['chain', 'tree', 'fanin', 'lattice'],
    },
    { header: ['shape', 'sizes', 'floor', 'pyflow', 'eval-only', 'alien', 'tracing on'], rows: [] },
    {
      header: ['case', 'ops', 'peak rss +MB', 'rss in arrays', 'peak arrayBuffers +MB', 'arrayBuffers in arrays', 'held by graph (arrays)', 's'],
      rows: [
        'pyflow (default: release)',
        'pyflow, onRelease: detachBuffers',
        'pyflow persist: true',
        'alien-signals (reference)',
        'plain loop v = f(v) (reference)',
      ],
    },
  ],
  layout: [
    {
      header: [
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
      rows: ['pipeline, summary 30 ops', 'mapreduce, summary 30 ops', 'layered, summary 30 ops', 'pipeline, full view (37 ops)'],
    },
    {
      header: ['graph', 'ELK w × h', 'dot w × h', 'ELK warm runs (ms)', 'dot warm runs (ms)'],
      rows: ['pipeline, summary 30 ops', 'mapreduce, summary 30 ops', 'layered, summary 30 ops', 'pipeline, full view (37 ops)'],
    },
  ],
  extraction: [
    { header: ['add statements', 'raw TS parse (floor)', 'extractGraph', 'ratio to parse', 're-extract after a 1-line edit'], rows: ['50', '100'] },
    {
      header: ['what', 'ms', 'target'],
      rows: ['refineWithTypes, 50 calls (imported save)', '`pyflow graph examples/quickstart.ts`, wall time incl. start-up'],
    },
  ],
  runner: [
    {
      header: ['what', 'value', 'target'],
      rows: [
        'first trace event after starting a run of the quickstart (bundle + process start + evaluation)',
        'per-op CPU time, 200-op chain, plain library in node',
        'per-op CPU time, same script under the runner (call sites written into the bundle, 1399 events streamed in packed batches, value previews)',
        "runner overhead per op: median of the rounds' ratios to plain (lowest–highest)",
        "of which the library's tracing: plain node, a host hook keeping every event, no previews, no IPC (ratio to plain)",
        'the same with value previews, as the runner asks (ratio to plain)',
        'streaming 3,499 trace events to the parent',
      ],
    },
  ],
  executor: [
    { header: ['engine', 'wall ms (median)', 'speed-up', 'cpu/wall'], rows: ['inline (main thread)', 'workerPool({ threads: 2 })'] },
    {
      header: ['graph', 'workerPool(2) wall µs/op', 'workerPool(2) CPU µs/op', 'inline wall µs/op', 'dask threaded scheduler (2 threads) wall / CPU µs/task'],
      rows: ['50 independent ops', '50 ops in a chain'],
    },
    {
      header: ['hand-off', 'wall ms (median)', "main thread's array after the sum"],
      rows: [
        'moved (released after the sum: transferred both ways)',
        'copied to the summing thread (the value is persisted)',
        'reference: structuredClone of 0.5 MB in the main thread',
      ],
    },
  ],
  webview: [
    {
      header: ['what', 'value', 'target'],
      rows: [
        '20-op summary in a new view (cold workers), first drawing (nodes placed, edges not yet routed): median of 1 views (range)',
        "the same views, ELK's layout (edges routed): median (range)",
        "the same views, from opening the view (page load included) to the first drawing / to ELK's: medians",
        '20-op summary, layouts 2 to 2 in one view (median)',
        '20-op summary, warm: layouts 3 to 3 (median)',
        '50-op summary',
        'full view, 80 nodes',
        '100-op summary, collapsed into layer bands',
        'pan and zoom a 50-op graph: longest frame / p95 (FRAMES frames)',
        "streaming 2,000 trace events in batches of 256 (1500/1500 steps) into a new view: longest frame / p95, median of 1 runs (each run's longest)",
        'the same, a second run in the same view: longest frame / p95',
      ],
    },
    {
      header: ['what', 'value', 'target'],
      rows: [
        'first layout of a 400-op graph in 8 groups (opens collapsed): median of 1 new views',
        'expand a 50-op group in the 400-op graph (new compound layout)',
        'collapse it again (layout cached)',
        'expand it again (layout cached)',
        'time view of a run of 1,000 steps (334 bars), scrolled and zoomed: longest frame / p95 (FRAMES frames)',
        '(steps in that run, as the timeline says)',
      ],
    },
    {
      header: ['what', 'value', 'target'],
      rows: [
        'the op: Float64Array.from of 10,000 sines',
        'its preview in the runner (1,000 line buckets of min/max, 64-bin histogram, statistics)',
        'preview / op',
        'drawing that preview in the details panel (uPlot line + histogram, 2 draws)',
        '10,000 elements drawn: preview + draw',
      ],
    },
  ],
  cache: [
    {
      header: ['what', 'value', 'target'],
      rows: [
        're-evaluation, 4 MB source op cached vs computed: CPU ms (ratio)',
        'a hit of a 4 MB Float64Array (read, CRC-32 check, deserialize): CPU ms (GB/s); wall ms (GB/s)',
        "the same 4 MB file read into a fresh buffer (readFileSync, the floor of a hit): CPU ms (GB/s); the hit's ratio to it",
        '200 trivial ops, uncached: CPU µs/op',
        'the engine with a cache that does nothing (no hashing, no store): µs/op (ratio to uncached)',
        'keys + lookups (every op a miss, nothing written): µs/op (ratio to uncached)',
        'first run (miss, compute, write every op): µs/op (ratio)',
        'second run (every op keyed, the target read from the cache): µs/op (ratio)',
      ],
    },
  ],
  startup: [
    {
      header: ['what', 'ms', 'target'],
      rows: [
        'require dist/extension.js (fresh process)',
        'activate() with an inert vscode API',
        'activation: require + activate',
        'first extraction: require dist/extractor.js',
        'first extraction: extractGraph(examples/quickstart.ts)',
        '`pyflow --help`, wall time',
        '`pyflow run examples/quickstart.ts`, wall time',
        '`pyflow graph examples/quickstart.ts`, wall time',
        '`node -e 0`, wall time (the floor of the three above)',
      ],
    },
  ],
  cluster: [
    { header: ['executor', 'ms per op'], rows: ['inline', 'threads (2)', 'cluster (2 worker processes)'] },
    { header: ['executor', 'wall ms', 'speedup vs inline'], rows: ['inline', 'threads (2)', 'cluster (2 worker processes)'] },
    { header: ['what', 'value'], rows: ['ops per second', 'ms per op', 'Redis CPU per op (µs)', 'coordinator CPU per op (µs)'] },
    { header: ['what', 'value'], rows: ['ms', 'MB/s'] },
  ],
};

describe('npm run bench -- SECTION --smoke', () => {
  for (const [section, expected] of Object.entries(EXPECTED)) {
    it(`the ${section} section runs and prints its tables`, async () => {
      const out = await bench([section, '--smoke']);
      assert.equal(out.code, 0, `exit code ${out.code}\n${out.stderr}`);
      assert.doesNotMatch(out.stderr, /bench: section/);
      // The number of frames of the pan-and-zoom run depends on the machine.
      const got = tables(out.stdout).map((t) => ({ ...t, rows: t.rows.map((r) => r.replace(/\(\d+ frames\)/, '(FRAMES frames)')) }));
      assert.deepEqual(got, expected);
    });
  }

  it('a section that fails is named and makes the exit code non-zero; the other sections still run', async () => {
    const out = await bench(['webview,extraction', '--smoke'], { ...process.env, PYFLOW_CHROMIUM: join(REPO, 'no-such-chromium') });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^bench: section "webview" failed: /m);
    assert.match(out.stderr, /^bench: FAILED section: webview$/m);
    assert.deepEqual(tables(out.stdout), EXPECTED.extraction);
  });

  it('an unknown section is refused with the list of sections', async () => {
    const out = await bench(['layuot']);
    assert.equal(out.code, 2);
    assert.equal(
      out.stderr,
      'bench: unknown section "layuot" (sections: core, layout, extraction, runner, webview, startup, cache, executor, cluster, prototype, view)\n',
    );
  });
});
