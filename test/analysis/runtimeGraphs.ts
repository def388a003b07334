import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { startRun } from '../../src/runner/startRun.js';
import type { SourceTransform } from '../../src/runner/bundleScript.js';
import type { GraphModel, ModelNode } from '../../src/core/index.js';

const REPO = resolve(__dirname, '..', '..');
const COMPARED: (keyof ModelNode)[] = ['uid', 'kind', 'label', 'alias', 'fn', 'rank', 'shape', 'color', 'fontsize', 'raw', 'group'];

/** What static and runtime graphs must agree on: uids, kinds, labels, styling and edges. */
export function comparable(graph: GraphModel) {
  return {
    alias: graph.alias,
    nodes: graph.nodes.map((n) => Object.fromEntries(COMPARED.filter((k) => n[k] !== undefined).map((k) => [k, n[k]]))),
    edges: graph.edges.map((e) => `${e.from} -> ${e.to}`).sort(),
  };
}

/** Runs the script in a child process with the built library and returns the graphs it snapshots. */
export async function runtimeGraphs(file: string, transform?: SourceTransform): Promise<GraphModel[]> {
  const snapshots = new Map<string, GraphModel>();
  const handle = startRun(
    {
      file,
      target: { kind: 'script' },
      runnerPath: join(REPO, 'dist', 'runner.js'),
      libraryPath: join(REPO, 'dist', 'lib', 'index.mjs'),
      esbuild,
      ...(transform ? { transform } : {}),
    },
    {
      onMessage: (m) => {
        if (m.type === 'graph/snapshot') snapshots.set(m.graph.alias, m.graph);
      },
      onOutput: () => undefined,
    },
  );
  const outcome = await handle.done;
  assert.equal(outcome.status, 'done', JSON.stringify(outcome));
  return [...snapshots.values()];
}
