import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { GraphBuilder, dimensionOf } from '../../src/core/index.js';

const adding = (a: number, b: number) => a + b;
Object.defineProperty(adding, 'name', { value: 'adding' });

describe('graph model and view', () => {
  it('toJSON: kinds, labels, styling, persisted dimensions, raw values', () => {
    const G = new GraphBuilder({ alias: 'm' });
    const a = G.add(adding, { rank: 0, shape: 'cylinder', color: 'lightblue', fontsize: 14, persist: true, outputAlias: 'sum' })(1, 2);
    G.add((x: number) => [x, x], { nOut: 2, alias: 'split', outputAlias: ['l', 'r'] })(a);
    a.get();
    const model = G.toJSON();
    assert.equal(model.alias, 'm');
    const byUid = Object.fromEntries(model.nodes.map((n) => [n.uid, n]));
    assert.deepEqual(Object.keys(byUid), ['adding_0', 'data_1', 'data_2', 'sum_3', 'split_4', 'l_5', 'r_6']);
    assert.deepEqual(byUid.adding_0, {
      uid: 'adding_0',
      kind: 'operation',
      label: 'adding',
      fn: 'adding',
      rank: 0,
      shape: 'cylinder',
      color: 'lightblue',
      fontsize: 14,
    });
    assert.deepEqual(byUid.sum_3, { uid: 'sum_3', kind: 'data', label: 'sum', alias: 'sum', persist: true, dim: '(1, )' });
    assert.equal(byUid.data_1!.value, '1');
    assert.equal(byUid.split_4!.label, 'split');
    assert.deepEqual(model.edges, [
      { from: 'data_1', to: 'adding_0' },
      { from: 'data_2', to: 'adding_0' },
      { from: 'adding_0', to: 'sum_3' },
      { from: 'sum_3', to: 'split_4' },
      { from: 'split_4', to: 'l_5' },
      { from: 'split_4', to: 'r_6' },
    ]);
  });

  it("toJSON: an op's group, nested with \"/\", is its outputs' and raw inputs' group too", () => {
    const G = new GraphBuilder({ alias: 'g' });
    const a = G.add(adding, { group: 'cleaning' })(1, 2);
    G.add(adding, { group: 'cleaning/outliers', outputAlias: 'trimmed' })(a, 3);
    G.add(adding)(a, 4);
    assert.deepEqual(
      G.toJSON().nodes.map((n) => [n.uid, n.group]),
      [
        ['adding_0', 'cleaning'],
        ['data_1', 'cleaning'],
        ['data_2', 'cleaning'],
        ['data_3', 'cleaning'],
        ['adding_4', 'cleaning/outliers'],
        ['data_5', 'cleaning/outliers'],
        ['trimmed_6', 'cleaning/outliers'],
        ['adding_7', undefined],
        ['data_8', undefined],
        ['data_9', undefined],
      ],
    );
  });

  it('dimension strings as pyflow prints them', () => {
    assert.equal(dimensionOf(3), '(1, )');
    assert.equal(dimensionOf('text'), '(1, )');
    assert.equal(dimensionOf([1, 2, 3, 4, 5]), '(5, )');
    assert.equal(dimensionOf(new Float32Array(7)), '(7, )');
    assert.equal(dimensionOf({ shape: [3, 4] }), '(3, 4)');
    assert.equal(dimensionOf({ shape: () => [2, 5, 6] }), '(2, 5, 6)');
  });

  it('grafting: a node of another graph is drawn as one box3d node for that graph', () => {
    const G = new GraphBuilder({ alias: 'First Graph' });
    const g1 = G.add(adding, { outputAlias: 'leaving!' })(1, 2);
    const H = new GraphBuilder({ alias: 'second' });
    const h1 = H.add(adding)(g1, 1);
    H.add(adding)(g1, h1);
    const model = H.toJSON();
    const graphs = model.nodes.filter((n) => n.kind === 'graph');
    assert.deepEqual(graphs, [{ uid: 'First Graph', kind: 'graph', label: 'First Graph', graph: 'First Graph', shape: 'box3d' }]);
    assert.deepEqual(
      model.edges.filter((e) => e.from === 'First Graph').map((e) => e.to),
      ['adding_0', 'adding_3'],
    );
  });

  it('dependencies and view: what a node needs; view() writes a standalone page', async () => {
    const G = new GraphBuilder({ alias: 'deps' });
    const a = G.add(adding)(1, 2);
    const b = G.add(adding)(3, 4);
    const c = G.add(adding)(a, 5);
    void b;
    assert.deepEqual([...G.dependencies(c)].sort(), ['adding_0', 'adding_8', 'data_1', 'data_10', 'data_2', 'data_3', 'data_9']);
    const path = await G.viewDependency(c);
    assert.ok(path && existsSync(path));
    const html = readFileSync(path!, 'utf8');
    assert.match(html, /<svg[^>]*class="pyflow-graph"/);
    assert.equal((html.match(/st-activated/g) ?? []).length - 1, 2, 'the two ops c needs are highlighted');
    rmSync(path!);
  });
});
