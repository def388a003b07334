import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Graphviz } from '@hpcc-js/wasm-graphviz';

/* `pyflow graph` (the built CLI) draws what a graph uses of a graph it grafts as a cluster named after that graph. */

const REPO = resolve(__dirname, '..', '..');

const SCRIPT = `import { GraphBuilder } from 'pyflow';
const adding = (a: number, b: number) => a + b;
const prep = new GraphBuilder({ alias: 'prep' });
const cleaned = prep.add(adding, { group: 'cleaning' })(1, 2);
const scaled = prep.add(adding)(cleaned, 3);
prep.add(adding)(scaled, 4);
const model = new GraphBuilder({ alias: 'model' });
const fit = model.add(adding, { group: 'fit' })(scaled, 1);
model.add(adding)(fit, cleaned);
`;

describe('pyflow graph: grafted graphs as groups', () => {
  it('DOT, laid out by Graphviz: the grafted ops sit in the cluster of their graph, their own groups nested in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-graft-'));
    try {
      const file = join(dir, 'grafts.ts');
      writeFileSync(file, SCRIPT);
      const { status, stdout, stderr } = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), 'graph', file, '--format', 'dot'], { encoding: 'utf8' });
      assert.deepEqual({ status, stderr }, { status: 0, stderr: '' });
      const graphs = stdout.split(/(?<=^\})\n\n/m);
      assert.equal(graphs.length, 2);
      const graphviz = await Graphviz.load();
      const json = JSON.parse(graphviz.layout(graphs[1]!, 'json', 'dot')) as {
        name: string;
        objects: { _gvid: number; name: string; label?: string; nodes?: number[]; subgraphs?: number[] }[];
        edges: { tail: number; head: number }[];
      };
      const nameOf = new Map(json.objects.map((o) => [o._gvid, o.name]));
      const clusters = json.objects
        .filter((o) => o.name.startsWith('cluster_'))
        .map((o) => ({ name: o.name, label: o.label, members: (o.nodes ?? []).map((id) => nameOf.get(id)).sort() }));
      assert.equal(json.name, 'model');
      assert.deepEqual(clusters, [
        { name: 'cluster_prep', label: 'prep', members: ['prep/adding_0', 'prep/adding_4'] },
        { name: 'cluster_prep/cleaning', label: 'cleaning', members: ['prep/adding_0'] },
        { name: 'cluster_fit', label: 'fit', members: ['adding_0'] },
      ]);
      const edges = json.edges.map((e) => `${nameOf.get(e.tail)} -> ${nameOf.get(e.head)}`).sort();
      assert.deepEqual(edges, ['adding_0 -> adding_3', 'prep/adding_0 -> adding_3', 'prep/adding_0 -> prep/adding_4', 'prep/adding_4 -> adding_0']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
