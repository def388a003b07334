import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnalysisWorker } from '../../src/extension/analysisWorker.js';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import { refineWithTypes } from '../../src/analysis/refineWithTypes.js';

/*
 * The type checker's pass, run by the extension in a worker thread (dist/refineWorker.js, which loads its own
 * dist/extractor.js): the same result as running it in this thread.
 */

const DIST = resolve(__dirname, '..', '..', 'dist');

function scriptWithImportedOp(): { file: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-refine-'));
  writeFileSync(join(dir, 'io.ts'), 'export function save(x: number): void { void x; }\nexport function load(): number { return 1; }\n');
  const text = [
    "import { GraphBuilder } from 'pyflow';",
    "import { load, save } from './io';",
    "const G = new GraphBuilder({ alias: 'io' });",
    'const x = G.add(load)();',
    'G.add(save)(x);',
    '',
  ].join('\n');
  const file = join(dir, 'main.ts');
  writeFileSync(file, text);
  return { file, text };
}

describe('the analysis worker: type refinement in a worker thread', () => {
  it('gives the result of refineWithTypes in this thread, and the extension host thread never loads the extractor for it', async () => {
    const { file, text } = scriptWithImportedOp();
    const quick = extractGraph(text, file);
    assert.equal(quick.typesPending, true, 'the script needs the type checker');
    const refiner = new AnalysisWorker(join(DIST, 'refineWorker.js'));
    try {
      const [inWorker, again] = await Promise.all([refiner.refine(text, file), refiner.refine(text, file)]);
      assert.deepEqual(inWorker, refineWithTypes(text, file, quick));
      assert.deepEqual(again, inWorker);
      assert.equal(
        Object.keys(require.cache).some((f) => f.startsWith(DIST)),
        false,
      );
    } finally {
      refiner.dispose();
    }
  });

  it('rejects the pending requests when the worker cannot start, and the next request tries again', async () => {
    const { file, text } = scriptWithImportedOp();
    const refiner = new AnalysisWorker(join(DIST, 'no-such-worker.js'));
    await assert.rejects(refiner.refine(text, file), /Cannot find module|^Error: the analysis worker exited \(code 1\)$/);
    await assert.rejects(refiner.refine(text, file), /Cannot find module|^Error: the analysis worker exited \(code 1\)$/);
    refiner.dispose();
  });
});
