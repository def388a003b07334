import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/core/index.js';
import { viewGraph } from '../../src/drawing/viewGraph.js';
import { groupPaths, groupView } from '../../src/drawing/groups.js';
import { groupState } from '../../webview/groupState.js';

function grouped(): GraphBuilder {
  const G = new GraphBuilder({ alias: 'g' });
  const load = G.add(() => 1, { alias: 'load' })();
  const [a, b] = G.add((x: number): [number, number] => [x, x], { alias: 'split', nOut: 2, group: 'cleaning' })(load);
  const t = G.add((x: number) => x, { alias: 'trim', group: 'cleaning/outliers' })(a);
  const u = G.add((x: number, y: number) => x + y, { alias: 'merge', group: 'cleaning' })(t, b);
  G.add((x: number, y: number) => x + y, { alias: 'report' })(u, load);
  return G;
}

describe('groups in a view', () => {
  it('all expanded: the nodes as they are, and the groups that hold them, parents first', () => {
    const view = viewGraph(grouped().toJSON(), false);
    assert.deepEqual(groupPaths(view), ['cleaning', 'cleaning/outliers']);
    const g = groupView(view, new Set());
    assert.deepEqual(g.nodes, view.nodes);
    assert.deepEqual(g.edges, view.edges);
    assert.deepEqual(g.groups, [
      { path: 'cleaning', label: 'cleaning' },
      { path: 'cleaning/outliers', label: 'outliers', parent: 'cleaning' },
    ]);
  });

  it('a collapsed group is one node in its parent with merged edges; its members are listed', () => {
    const view = viewGraph(grouped().toJSON(), false);
    const inner = groupView(view, new Set(['cleaning/outliers']));
    assert.deepEqual(
      inner.nodes.map((n) => [n.uid, n.label, n.group]),
      [
        ['load_0', 'load', undefined],
        ['split_2', 'split', 'cleaning'],
        ['group:/cleaning/outliers', 'outliers · 1 op', 'cleaning'],
        ['merge_7', 'merge', 'cleaning'],
        ['report_9', 'report', undefined],
      ],
    );
    assert.deepEqual(inner.edges, [
      { from: 'load_0', to: 'split_2' },
      { from: 'load_0', to: 'report_9' },
      { from: 'split_2', to: 'group:/cleaning/outliers', port: 0 },
      { from: 'split_2', to: 'merge_7', port: 1 },
      { from: 'group:/cleaning/outliers', to: 'merge_7' },
      { from: 'merge_7', to: 'report_9' },
    ]);
    const outer = groupView(view, new Set(['cleaning', 'cleaning/outliers']));
    assert.deepEqual(
      outer.nodes.map((n) => n.uid),
      ['load_0', 'group:/cleaning', 'report_9'],
    );
    assert.deepEqual(outer.nodes[1]!.label, 'cleaning · 3 ops');
    assert.deepEqual(outer.edges, [
      { from: 'load_0', to: 'group:/cleaning' },
      { from: 'load_0', to: 'report_9' },
      { from: 'group:/cleaning', to: 'report_9' },
    ]);
    assert.deepEqual(outer.members.get('group:/cleaning'), ['split_2', 'trim_5', 'merge_7']);
    assert.deepEqual(outer.groups, []);
    assert.deepEqual(outer.ports, new Map());
    assert.equal(outer.drawnAs.get('trim_5'), 'group:/cleaning');
  });

  it('the full view counts data inside a collapsed group', () => {
    const g = groupView(viewGraph(grouped().toJSON(), true), new Set(['cleaning']));
    assert.equal(g.nodes.find((n) => n.uid === 'group:/cleaning')!.label, 'cleaning · 3 ops, 4 data');
  });

  it("a collapsed group's run state: failures and running ops first, finished when all are; durations add up", () => {
    assert.deepEqual(groupState([{ state: 'finished', durationMs: 2 }, { state: 'error', message: 'no', durationMs: 1 }, undefined]), {
      state: 'error',
      durationMs: 3,
      message: 'no',
    });
    assert.deepEqual(groupState([{ state: 'finished', durationMs: 2 }, { state: 'running' }]), { state: 'running', durationMs: 2 });
    assert.deepEqual(groupState([{ state: 'finished' }, { state: 'released' }]), { state: 'finished' });
    assert.equal(groupState([undefined, undefined]), undefined);
  });
});
