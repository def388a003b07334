import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/core/index.js';
import { viewGraph } from '../../src/drawing/viewGraph.js';
import type { NodeState } from '../../webview/overlay.js';
import { parseSelection, selectNodes, type SelectionGraph } from '../../webview/selection.js';

const adding = (a: number, b: number) => a + b;
Object.defineProperty(adding, 'name', { value: 'adding' });

/** load → clean (cleaning) → trim (cleaning/outliers) → fit (model) → report; load → stats → report. */
function pipeline(states: Record<string, NodeState> = {}): SelectionGraph {
  const G = new GraphBuilder({ alias: 'p' });
  const load = G.add(() => 1, { alias: 'load' })();
  const clean = G.add((x: number) => x, { alias: 'clean', group: 'cleaning' })(load);
  const trim = G.add((x: number) => x, { alias: 'trim', group: 'cleaning/outliers' })(clean);
  const fit = G.add((x: number) => x, { alias: 'fit', group: 'model' })(trim);
  const stats = G.add((x: number) => x, { alias: 'stats' })(load);
  G.add(adding, { alias: 'report' })(fit, stats);
  const view = viewGraph(G.toJSON(), false);
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const e of view.edges) {
    (parents.get(e.to) ?? parents.set(e.to, []).get(e.to)!).push(e.from);
    (children.get(e.from) ?? children.set(e.from, []).get(e.from)!).push(e.to);
  }
  return { nodes: view.nodes.map((n) => ({ ...n, key: n.uid })), parents, children, state: (key) => states[key] };
}

function select(graph: SelectionGraph, query: string): string[] | string {
  const parsed = parseSelection(query);
  return 'error' in parsed ? parsed.error : selectNodes(graph, parsed.terms);
}

describe("the find box's selection syntax", () => {
  const g = pipeline({
    load_0: { state: 'finished', durationMs: 5 },
    clean_2: { state: 'finished', durationMs: 250 },
    trim_4: { state: 'error', message: 'boom' },
    stats_8: { state: 'finished', durationMs: 1500 },
  });
  it('plain text finds by uid, label or function name', () => {
    assert.deepEqual(select(g, 'tri'), ['trim_4']);
    assert.deepEqual(select(g, 'clean fit'), ['clean_2', 'fit_6']);
  });
  it('+name, name+, N hops up and down (focus)', () => {
    assert.deepEqual(select(g, '+fit'), ['load_0', 'clean_2', 'trim_4', 'fit_6']);
    assert.deepEqual(select(g, 'clean+'), ['clean_2', 'trim_4', 'fit_6', 'report_10']);
    assert.deepEqual(select(g, 'clean+1'), ['clean_2', 'trim_4']);
    assert.deepEqual(select(g, '1+trim+1'), ['clean_2', 'trim_4', 'fit_6']);
    assert.deepEqual(select(g, '2+REPORT'), ['load_0', 'trim_4', 'fit_6', 'stats_8', 'report_10']);
  });
  it('a..b: the nodes on the paths between two nodes, either way round', () => {
    assert.deepEqual(select(g, 'clean..report'), ['clean_2', 'trim_4', 'fit_6', 'report_10']);
    assert.deepEqual(select(g, 'report..clean'), ['clean_2', 'trim_4', 'fit_6', 'report_10']);
    assert.deepEqual(select(g, 'stats..fit'), []);
  });
  it('group:, status:, slow>', () => {
    assert.deepEqual(select(g, 'group:cleaning'), ['clean_2', 'trim_4']);
    assert.deepEqual(select(g, 'group:cleaning/outliers'), ['trim_4']);
    assert.deepEqual(select(g, 'group:clean'), []);
    assert.deepEqual(select(g, 'status:failed'), ['trim_4']);
    assert.deepEqual(select(g, 'slow>100ms'), ['clean_2', 'stats_8']);
    assert.deepEqual(select(g, 'slow>1s'), ['stats_8']);
    assert.deepEqual(select(g, 'status:failed slow>1s'), ['trim_4', 'stats_8']);
  });
  it('mistakes are said in words', () => {
    assert.equal(select(g, 'status:broken'), 'unknown status "broken": use failed, running, finished, kept, released, notRun or stopped');
    assert.equal(select(g, 'status:constructor'), 'unknown status "constructor": use failed, running, finished, kept, released, notRun or stopped');
    assert.equal(select(g, 'slow>fast'), '"slow>fast": write slow>100ms or slow>2s');
    assert.equal(select(g, 'group:'), 'group: needs a group name, e.g. group:cleaning');
  });
});
