import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import { refineWithTypes } from '../../src/analysis/refineWithTypes.js';
import { comparable, runtimeGraphs } from './runtimeGraphs.js';

/*
 * The agreement test: for each corpus script, the static model equals the runtime model
 * (uids, kinds, labels, edges, styling). The runtime side runs the real script in a child process.
 */

const CORPUS = join(__dirname, 'corpus');

describe('static extraction agrees with the runtime', () => {
  const files = readdirSync(CORPUS)
    .filter((f) => /\.(ts|js)$/.test(f))
    .sort();
  for (const name of files) {
    it(name, async () => {
      const file = join(CORPUS, name);
      const text = readFileSync(file, 'utf8');
      const quick = extractGraph(text, file);
      const result = refineWithTypes(text, file, quick) ?? quick;
      const runtime = await runtimeGraphs(file);
      assert.deepEqual(result.graphs.map(comparable), runtime.map(comparable));
      assert.deepEqual(
        result.diagnostics.filter((d) => d.severity !== 'info'),
        [],
      );
    });
  }
});
