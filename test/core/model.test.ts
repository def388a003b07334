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

  it('grafting: what a graph uses of another is the group named after it, nested above its own groups', () => {
    const G = new GraphBuilder({ alias: 'First Graph' });
    const g1 = G.add(adding, { outputAlias: 'leaving!', group: 'prep' })(1, 2);
    G.add(adding)(g1, 5); // not used by H: not shown there
    const H = new GraphBuilder({ alias: 'second' });
    const h1 = H.add(adding)(g1, 1);
    H.add(adding)(g1, h1);
    const grafted = { group: 'First Graph/prep', graph: 'First Graph' };
    const raw = (uid: string, value: string) => ({ uid, kind: 'data', label: 'data', raw: true, value, persist: true, dim: '(1, )' });
    assert.deepEqual(H.toJSON(), {
      alias: 'second',
      nodes: [
        { uid: 'First Graph/adding_0', kind: 'operation', label: 'adding', fn: 'adding', ...grafted },
        { ...raw('First Graph/data_1', '1'), ...grafted },
        { ...raw('First Graph/data_2', '2'), ...grafted },
        { uid: 'First Graph/leaving!_3', kind: 'data', label: 'leaving!', alias: 'leaving!', ...grafted },
        { uid: 'adding_0', kind: 'operation', label: 'adding', fn: 'adding' },
        raw('data_1', '1'),
        { uid: 'data_2', kind: 'data', label: 'data' },
        { uid: 'adding_3', kind: 'operation', label: 'adding', fn: 'adding' },
        { uid: 'data_4', kind: 'data', label: 'data' },
      ],
      edges: [
        { from: 'First Graph/data_1', to: 'First Graph/adding_0' },
        { from: 'First Graph/data_2', to: 'First Graph/adding_0' },
        { from: 'First Graph/adding_0', to: 'First Graph/leaving!_3' },
        { from: 'First Graph/leaving!_3', to: 'adding_0' },
        { from: 'data_1', to: 'adding_0' },
        { from: 'adding_0', to: 'data_2' },
        { from: 'First Graph/leaving!_3', to: 'adding_3' },
        { from: 'data_2', to: 'adding_3' },
        { from: 'adding_3', to: 'data_4' },
      ],
    });
  });

  it('grafting: grafts nest (a graph grafted by a grafted graph), a cycle of grafts ends in one box3d node', () => {
    const A = new GraphBuilder({ alias: 'a/b' });
    const a = A.add(adding)(1, 2);
    const B = new GraphBuilder({ alias: 'B' });
    const b = B.add(adding)(a, 3);
    const C = new GraphBuilder({ alias: 'C' });
    C.add(adding)(b, 4);
    const groups = (model: { nodes: { uid: string; group?: string; graph?: string; kind: string }[] }) =>
      model.nodes.map((n) => [n.uid, n.kind, n.group ?? '', n.graph ?? '']);
    assert.deepEqual(groups(C.toJSON()), [
      ['a/b/adding_0', 'operation', 'B/a\u2215b', 'a/b'],
      ['a/b/data_1', 'data', 'B/a\u2215b', 'a/b'],
      ['a/b/data_2', 'data', 'B/a\u2215b', 'a/b'],
      ['a/b/data_3', 'data', 'B/a\u2215b', 'a/b'],
      ['B/adding_0', 'operation', 'B', 'B'],
      ['B/data_1', 'data', 'B', 'B'],
      ['B/data_2', 'data', 'B', 'B'],
      ['adding_0', 'operation', '', ''],
      ['data_1', 'data', '', ''],
      ['data_2', 'data', '', ''],
    ]);
    // B uses A's data and A uses B's: B shows only the part of A it uses (A's later use of B is not in it).
    A.add(adding)(b, 1);
    const ofB = B.toJSON();
    assert.deepEqual(groups(ofB), [
      ['a/b/adding_0', 'operation', 'a\u2215b', 'a/b'],
      ['a/b/data_1', 'data', 'a\u2215b', 'a/b'],
      ['a/b/data_2', 'data', 'a\u2215b', 'a/b'],
      ['a/b/data_3', 'data', 'a\u2215b', 'a/b'],
      ['adding_0', 'operation', '', ''],
      ['data_1', 'data', '', ''],
      ['data_2', 'data', '', ''],
    ]);
    const ofA = A.toJSON();
    assert.deepEqual(
      ofA.nodes.filter((n) => n.kind === 'graph'),
      [{ uid: 'a/b', kind: 'graph', label: 'a/b', graph: 'a/b', shape: 'box3d', group: 'B' }],
    );
    assert.ok(ofA.edges.some((e) => e.from === 'a/b' && e.to === 'B/adding_0'));
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
