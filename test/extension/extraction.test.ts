import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { AnalysisWorker } from '../../src/extension/analysisWorker.js';
import { Extraction, OFF_THREAD_CHARS } from '../../src/extension/extraction.js';

/*
 * Where the extension extracts a script's graphs: small scripts in place, large ones in the analysis worker
 * (dist/refineWorker.js, built by `npm run build`), so that the extension host's thread stays free.
 * This file loads the extractor itself only after the large script's test (each test file is its own process).
 */

const DIST = resolve(__dirname, '..', '..', 'dist');
const FILE = join(__dirname, 'pipeline.ts');

function pipelineScript(ops: number): string {
  const lines = [
    "import { GraphBuilder } from 'pyflow';",
    "const G = new GraphBuilder({ alias: 'big' });",
    'const add = (a: number, b: number) => a + b;',
    'const n0 = G.add(add)(1, 2);',
  ];
  for (let i = 1; i < ops; i++) lines.push(`const n${i} = G.add(add)(n${i - 1}, ${i});`);
  return `${lines.join('\n')}\n`;
}

/** Counts the turns of this thread's event loop until stopped. */
function loopTurns(): { stop(): number } {
  let turns = 0,
    running = true;
  const spin = (): void => {
    turns++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}

/** The extractor in this thread: its bundle, or its sources (lazy.ts, which only knows where it is, aside). */
const extractorLoaded = (): boolean => Object.keys(require.cache).some((f) => f.startsWith(DIST) || /[\\/]src[\\/]analysis[\\/](?!lazy\.ts$)/.test(f));

describe('extraction on or off the extension host thread', () => {
  it('a large script is extracted in the worker: this thread keeps turning meanwhile and never loads the extractor', async () => {
    const text = pipelineScript(1500);
    assert.ok(text.length >= OFF_THREAD_CHARS);
    const failures: string[] = [];
    const worker = new AnalysisWorker(join(DIST, 'refineWorker.js'));
    try {
      const extraction = new Extraction(worker, (summary) => failures.push(summary));
      const turns = loopTurns();
      const result = await extraction.extract(text, FILE);
      assert.ok(turns.stop() > 0, 'the event loop ran while the script was extracted');
      assert.equal(extractorLoaded(), false, 'the extractor was not loaded in this thread');
      assert.deepEqual(failures, []);
      const { extractGraph } = await import('../../src/analysis/extractGraph.js');
      assert.deepEqual(result, extractGraph(text, FILE));
      assert.equal(result.graphs[0]!.nodes.filter((n) => n.kind === 'operation').length, 1500);
    } finally {
      worker.dispose();
    }
  });

  it('a small script is extracted in place, without starting the worker', async () => {
    const text = pipelineScript(20);
    const failures: string[] = [];
    const extraction = new Extraction(new AnalysisWorker(join(DIST, 'no-such-worker.js')), (summary) => failures.push(summary));
    const { extractGraph } = await import('../../src/analysis/extractGraph.js');
    assert.deepEqual(await extraction.extract(text, FILE), extractGraph(text, FILE));
    assert.deepEqual(failures, []);
  });

  it('if the worker cannot run, a large script is extracted in place after all and the failure is reported once', async () => {
    const text = pipelineScript(1500);
    const failures: string[] = [];
    const worker = new AnalysisWorker(join(DIST, 'no-such-worker.js'));
    const extraction = new Extraction(worker, (summary) => failures.push(summary));
    const { extractGraph } = await import('../../src/analysis/extractGraph.js');
    assert.deepEqual(await extraction.extract(text, FILE), extractGraph(text, FILE));
    assert.deepEqual(failures, [`Pyflow: the analysis worker failed on ${FILE}; extracting on the main thread`]);
    worker.dispose();
  });
});
