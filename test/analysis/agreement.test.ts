import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import { refineWithTypes } from '../../src/analysis/refineWithTypes.js';
import { startRun } from '../../src/runner/startRun.js';
import type { GraphModel, ModelNode } from '../../src/core/index.js';

/*
 * The agreement test: for each corpus script, the static model equals the runtime model
 * (uids, kinds, labels, edges, styling). The runtime side runs the real script in a child process.
 */

const REPO = resolve(__dirname, '..', '..');
const CORPUS = join(__dirname, 'corpus');
const COMPARED: (keyof ModelNode)[] = ['uid', 'kind', 'label', 'alias', 'fn', 'rank', 'shape', 'color', 'fontsize', 'raw'];

function comparable(graph: GraphModel) {
  return {
    alias: graph.alias,
    nodes: graph.nodes.map((n) => Object.fromEntries(COMPARED.filter((k) => n[k] !== undefined).map((k) => [k, n[k]]))),
    edges: graph.edges.map((e) => `${e.from} -> ${e.to}`).sort(),
  };
}

async function runtimeGraphs(file: string): Promise<GraphModel[]> {
  const snapshots = new Map<string, GraphModel>();
  const handle = startRun({ file, target: { kind: 'script' }, runnerPath: join(REPO, 'dist', 'runner.js'), libraryPath: join(REPO, 'dist', 'lib', 'index.mjs'), esbuild }, {
    onMessage: (m) => { if (m.type === 'graph/snapshot') snapshots.set(m.graph.alias, m.graph); },
    onOutput: () => undefined,
  });
  const outcome = await handle.done;
  assert.equal(outcome.status, 'done', JSON.stringify(outcome));
  return [...snapshots.values()];
}

describe('static extraction agrees with the runtime', () => {
  const files = readdirSync(CORPUS).filter((f) => /\.(ts|js)$/.test(f)).sort();
  for (const name of files) {
    it(name, async () => {
      const file = join(CORPUS, name);
      const text = readFileSync(file, 'utf8');
      const quick = extractGraph(text, file);
      const result = refineWithTypes(text, file, quick) ?? quick;
      const runtime = await runtimeGraphs(file);
      assert.deepEqual(result.graphs.map(comparable), runtime.map(comparable));
      assert.deepEqual(result.diagnostics.filter((d) => d.severity !== 'info'), []);
    });
  }
});
