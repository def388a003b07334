import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { GraphBuilder, type AddOptions, type DataNode } from '../../src/core/index.js';
import { toDot, viewGraph } from '../../src/drawing/index.js';
import { random } from '../core/seeded.js';

/*
 * toDot's output is parsed and laid out by Graphviz itself (the wasm build of dot): every node, edge and label of the
 * drawing must come back as the graph has it, for names made of DOT's keywords in any case, quotes, backslashes,
 * braces, pipes, angle brackets, unicode and newlines.
 */

let graphviz: Graphviz;
before(async () => {
  graphviz = await Graphviz.load();
});

interface Parsed {
  name: string;
  nodes: { name: string; texts: string[] }[];
  edges: [string, string][];
}

/**
 * What Graphviz made of a DOT text: the graph's name, each node's name and each edge's ends from its JSON output, and
 * the lines of text each node draws from its SVG output (the JSON output's texts are cut short after backslashes).
 */
function parse(dot: string): Parsed {
  const json = JSON.parse(graphviz.layout(dot, 'json', 'dot')) as {
    name: string;
    objects?: { _gvid: number; name: string; nodes?: number[]; label?: string }[];
    edges?: { tail: number; head: number }[];
  };
  const objects = json.objects ?? [];
  const nameOf = new Map(objects.map((o) => [o._gvid, o.name]));
  const svg = graphviz.layout(dot, 'svg', 'dot');
  const drawn = new Map(
    [...svg.matchAll(/<g id="node\d+" class="node">\s*<title>([\s\S]*?)<\/title>([\s\S]*?)<\/g>/g)].map((m) => [
      xmlText(m[1]!),
      [...m[2]!.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((t) => xmlText(t[1]!)),
    ]),
  );
  const nodes = objects.filter((o) => o.nodes === undefined).map((o) => ({ name: o.name, texts: drawn.get(o.name) ?? ['(not drawn)'] }));
  return { name: json.name, nodes: nodes.sort(byName), edges: (json.edges ?? []).map((e) => [nameOf.get(e.tail)!, nameOf.get(e.head)!]) };
}

/**
 * SVG text as plain text. Graphviz writes the second of two spaces as a no-break space so that both show (and toDot
 * writes the leading spaces of a record field so): read as spaces. (It leaves text that looks like an entity as it is:
 * the random names hold none.)
 */
function xmlText(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\u00a0/g, ' ');
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Graphviz's name of a node with this uid: backslashes doubled and newlines as `\\n` (see toDot's `quote`). */
const dotName = (uid: string): string => uid.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** The lines Graphviz draws for a label: one per line of text but empty ones; an empty first line is drawn as a space. */
const lines = (text: string): string[] =>
  text
    .split(/\r\n?|\n/)
    .map((line, i) => (i === 0 && line === '' ? ' ' : line))
    .filter((line) => line !== '');

const PIECES = [
  'graph',
  'Graph',
  'GRAPH',
  'node',
  'Node',
  'edge',
  'EDGE',
  'strict',
  'StRiCt',
  'subgraph',
  'SubGraph',
  'digraph',
  'DiGraph',
  '"',
  '\\',
  '\\"',
  '"\\',
  '{',
  '}',
  '|',
  '<',
  '>',
  '<<b>>',
  '[',
  ']',
  ';',
  ',',
  '=',
  '->',
  '--',
  '#',
  '//',
  '/*',
  '*/',
  'é',
  '☃',
  '😀',
  '中文',
  'שלום',
  '\n',
  '\r',
  '\t',
  ' ',
  'a',
  'b1',
  '_',
  '-1',
  '3.5',
  '\\n',
  '\\N',
  '\\G',
  '\\l',
  '&',
  '#',
  'amp',
  "'",
  '%',
];

function randomName(rnd: () => number): string {
  let name = '';
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) name += PIECES[Math.floor(rnd() * PIECES.length)]!;
  // (Text that looks like an XML entity is kept as it is in Graphviz's SVG: see xmlText. The test with `&amp;` below.)
  // (Graphviz takes a name that starts with `%` for an anonymous object's, and names it `%<n>`.)
  if (name.startsWith('%')) name = `_${name}`;
  return /&(#?\w+);/.test(name) ? name.replace(/&/g, '& ') : name;
}

const recordShape = (n: { shape?: string }): boolean => /^m?record$/i.test(n.shape ?? '');
const SHAPES = ['box', 'cylinder', 'ellipse', 'record', 'Mrecord', 'box3d', 'note'];
const COLORS = ['lightblue', '#ff8800', 'red', '0.5 0.5 0.9'];

/** A random graph whose every name (graph, op and output aliases, function names) is random, grafting another graph. */
function randomGraphs(seed: number): GraphBuilder {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  // (A grafted graph is drawn as a node named by its alias: one that looks like a uid could share a name with one.)
  const upstream = new GraphBuilder({ alias: `${randomName(rnd)}!` });
  const shared = upstream.add((x: number) => [x, x + 1], { nOut: 2, alias: randomName(rnd) })(3);
  const G = new GraphBuilder({ alias: rnd() < 0.2 ? pick(['graph', 'digraph', 'Node']) : randomName(rnd) });
  const data: DataNode[] = [...shared];
  const ops = 2 + Math.floor(rnd() * 9);
  for (let k = 0; k < ops; k++) {
    const nOut = rnd() < 0.25 ? 2 : 1;
    const options: AddOptions = { nOut };
    if (rnd() < 0.7) options.alias = randomName(rnd);
    if (rnd() < 0.5) options.outputAlias = nOut === 2 ? [randomName(rnd), randomName(rnd)] : randomName(rnd);
    if (rnd() < 0.4) options.persist = true;
    if (rnd() < 0.3) options.rank = Math.floor(rnd() * 3);
    if (rnd() < 0.3) options.shape = pick(SHAPES);
    if (rnd() < 0.3) options.color = pick(COLORS);
    if (rnd() < 0.2) options.fontsize = 8 + Math.floor(rnd() * 8);
    // Groups whose names are hostile too ('/' separates the parts of a path, so it is left out of a part).
    if (seed % 2 === 0 && rnd() < 0.6) options.group = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => randomName(rnd).replace(/\//g, '∕')).join('/');
    const name = randomName(rnd);
    const fn = { [name]: (...xs: number[]) => (nOut === 2 ? [xs.length, 1] : xs.length) }[name]!;
    const args = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => (data.length > 0 && rnd() < 0.7 ? pick(data) : Math.floor(rnd() * 100)));
    const made = G.add(fn as (...xs: unknown[]) => number, options)(...args);
    data.push(...(nOut === 2 ? (made as unknown as DataNode[]) : [made]));
  }
  // Some persisted values present: their record boxes carry a dimension.
  for (const d of data) if (d._graph === G && rnd() < 0.3) d.get();
  return G;
}

/** Each cluster Graphviz found: its name, the lines its label draws, and its member nodes (with those of nested clusters). */
function clusters(dot: string): { name: string; texts: string[]; members: string[] }[] {
  const json = JSON.parse(graphviz.layout(dot, 'json', 'dot')) as { objects?: { _gvid: number; name: string; nodes?: number[] }[] };
  const objects = json.objects ?? [];
  const nameOf = new Map(objects.map((o) => [o._gvid, o.name]));
  const svg = graphviz.layout(dot, 'svg', 'dot');
  const drawn = new Map(
    [...svg.matchAll(/<g id="clust\d+" class="cluster">\s*<title>([\s\S]*?)<\/title>([\s\S]*?)<\/g>/g)].map((m) => [
      xmlText(m[1]!),
      [...m[2]!.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((t) => xmlText(t[1]!)),
    ]),
  );
  return objects
    .filter((o) => o.name.startsWith('cluster_'))
    .map((o) => ({ name: o.name, texts: drawn.get(o.name) ?? ['(not drawn)'], members: (o.nodes ?? []).map((id) => nameOf.get(id)!).sort() }))
    .sort(byName);
}

/** The clusters a view's groups make: one per group path and prefix of one, holding the nodes at or below it. */
function expectedClusters(nodes: readonly { uid: string; group?: string }[]): { name: string; texts: string[]; members: string[] }[] {
  const members = new Map<string, string[]>();
  for (const n of nodes) {
    const parts = n.group?.split('/') ?? [];
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('/');
      (members.get(path) ?? members.set(path, []).get(path)!).push(dotName(n.uid));
    }
  }
  return [...members].map(([path, uids]) => ({ name: dotName(`cluster_${path}`), texts: lines(path.split('/').at(-1)!), members: uids.sort() })).sort(byName);
}

describe('toDot, parsed by Graphviz', () => {
  it('groups are clusters, nested by their paths, with ranks across them: the whole output', () => {
    const adding = (a: number, b: number) => a + b;
    const G = new GraphBuilder({ alias: 'groups' });
    const a = G.add(adding, { group: 'cleaning', rank: 0 })(1, 2);
    const b = G.add(adding, { group: 'cleaning/outliers', alias: 'trim' })(a, 3);
    const c = G.add(adding, { rank: 0 })(4, 5);
    G.add(adding, { group: 'model' })(b, c);
    const dot = toDot(G.toJSON());
    const op = (uid: string, label: string): string =>
      `"${uid}" [label="${label}" shape="box" fontsize="12" fillcolor="white" style="filled" height="0.0" width="0.0"]`;
    assert.equal(
      dot,
      [
        'digraph "groups" {',
        '\toverlap=false ranksep=0.415 splines=true newrank=true',
        `\t${op('adding_7', 'adding')}`,
        '\tsubgraph "cluster_cleaning" {',
        '\t\tlabel="cleaning" style="rounded,dashed" fontsize="11"',
        `\t\t${op('adding_0', 'adding')}`,
        '\t\tsubgraph "cluster_cleaning/outliers" {',
        '\t\t\tlabel="outliers" style="rounded,dashed" fontsize="11"',
        `\t\t\t${op('trim_4', 'trim')}`,
        '\t\t}',
        '\t}',
        '\tsubgraph "cluster_model" {',
        '\t\tlabel="model" style="rounded,dashed" fontsize="11"',
        `\t\t${op('adding_11', 'adding')}`,
        '\t}',
        '\t{ rank=same "adding_0" "adding_7" }',
        '\t"adding_0" -> "trim_4"',
        '\t"trim_4" -> "adding_11"',
        '\t"adding_7" -> "adding_11"',
        '}',
        '',
      ].join('\n'),
    );
    assert.deepEqual(clusters(dot), [
      { name: 'cluster_cleaning', texts: ['cleaning'], members: ['adding_0', 'trim_4'] },
      { name: 'cluster_cleaning/outliers', texts: ['outliers'], members: ['trim_4'] },
      { name: 'cluster_model', texts: ['model'], members: ['adding_11'] },
    ]);
    const json = JSON.parse(graphviz.layout(dot, 'json', 'dot')) as { objects: { name: string; pos?: string }[] };
    const y = (name: string): string => json.objects.find((o) => o.name === name)!.pos!.split(',')[1]!;
    assert.equal(y('adding_0'), y('adding_7'), 'rank 0 is one row across the clusters');
  });

  it('toDot: summary by default, full on request, ranks as rank=same rows, record boxes for persisted outputs', () => {
    const adding = (a: number, b: number) => a + b;
    const G = new GraphBuilder({ alias: 'dot' });
    const a = G.add(adding, { rank: 0 })(1, 2);
    const b = G.add(adding, { rank: 0, persist: true })(3, 4);
    G.add(adding)(a, b);
    b.get();
    const summary = toDot(G.toJSON());
    // (Every ID quoted, record fields escaped once: the tests below have Graphviz parse them.)
    assert.match(summary, /\{ rank=same "adding_0" \[.*\] "adding_4" \[label="\{adding\|\(1,\\ \)\}" shape="record"/);
    assert.match(summary, /"adding_0" -> "adding_8"\n\t"adding_4" -> "adding_8"/);
    assert.doesNotMatch(summary, /data_/);
    assert.match(toDot(G.toJSON(), { full: true }), /"data_1" \[label="\{data\|\(1,\\ \)\}" shape="record" fontsize="10"/);
  });

  it('the default graph ("graph", a DOT keyword) and the seed\'s styling: the whole output', () => {
    const adding = (a: number, b: number) => a + b;
    const G = new GraphBuilder();
    const a = G.add(adding, { rank: 0 })(1, 2);
    const b = G.add(adding, { rank: 0, persist: true, color: 'lightblue', shape: 'cylinder' })(3, 4);
    G.add(adding)(a, b);
    b.get();
    const dot = toDot(G.toJSON());
    assert.equal(
      dot,
      [
        'digraph "graph" {',
        '\toverlap=false ranksep=0.415 splines=true',
        '\t"adding_8" [label="adding" shape="box" fontsize="12" fillcolor="white" style="filled" height="0.0" width="0.0"]',
        '\t{ rank=same "adding_0" [label="adding" shape="box" fontsize="12" fillcolor="white" style="filled" height="0.0" width="0.0"] ' +
          '"adding_4" [label="{adding|(1,\\ )}" shape="record" fontsize="12" fillcolor="lightblue" style="filled" height="0.0" width="0.0"] }',
        '\t"adding_0" -> "adding_8"',
        '\t"adding_4" -> "adding_8"',
        '}',
        '',
      ].join('\n'),
    );
    const parsed = parse(dot);
    assert.equal(parsed.name, 'graph');
    assert.deepEqual(parsed.nodes, [
      { name: 'adding_0', texts: ['adding'] },
      { name: 'adding_4', texts: ['adding', '(1, )'] },
      { name: 'adding_8', texts: ['adding'] },
    ]);
    assert.deepEqual(parsed.edges, [
      ['adding_0', 'adding_8'],
      ['adding_4', 'adding_8'],
    ]);
  });

  it('a record label shows braces, pipes, angle brackets, quotes, backslashes and spaces as written', () => {
    const G = new GraphBuilder({ alias: 'strict' });
    const label = ' {a|b} <p> "q" \\ \\n  two  spaces\\';
    const x = G.add((v: number) => v, { alias: label, persist: true, outputAlias: 'node' })(1);
    x.get();
    const parsed = parse(toDot(G.toJSON()));
    assert.deepEqual(parsed.nodes, [{ name: dotName(`${label}_0`), texts: [label, '(1, )'] }]);
    assert.deepEqual(parse(toDot(G.toJSON(), { full: true })).nodes, [
      { name: dotName(`${label}_0`), texts: [label] },
      { name: 'data_1', texts: ['data', '(1, )'] },
      { name: 'node_2', texts: ['node', '(1, )'] },
    ]);
  });

  it('labels show `&amp;`, `\\N`, `\\n` and `\\G` as written, not as entities or escapes', () => {
    const G = new GraphBuilder({ alias: 'node' });
    const label = 'a &amp; b &lt; \\N \\G \\n';
    G.add((v: number) => v, { alias: label })(1);
    const json = JSON.parse(graphviz.layout(toDot(G.toJSON()), 'json', 'dot')) as { objects: { name: string; _ldraw_: { op: string; text?: string }[] }[] };
    // (xdot writes a backslash twice.)
    assert.deepEqual(
      json.objects.map((o) => [o.name, o._ldraw_.filter((op) => op.op === 'T').map((op) => op.text!.replace(/\\\\/g, '\\'))]),
      [[dotName(`${label}_0`), [label]]],
    );
  });

  it('on 300 random graphs with hostile names: Graphviz parses every view and finds each node, edge and label', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const G = randomGraphs(seed);
      const model = G.toJSON();
      for (const full of [false, true]) {
        const uidLabels = seed % 3 === 0;
        const view = viewGraph(model, full);
        const highlight = new Set(view.nodes.filter((_, i) => i % 2 === 0).map((n) => n.uid));
        const dot = toDot(G.toJSON(), { full, uidLabels, highlight });
        let parsed: Parsed;
        try {
          parsed = parse(dot);
        } catch (error) {
          assert.fail(`seed ${seed}, full ${full}: Graphviz rejected the DOT: ${(error as Error).message}\n${dot}`);
        }
        const where = `seed ${seed}, full ${full}`;
        assert.equal(parsed.name, dotName(model.alias), `${where}: graph name`);
        const expected = view.nodes.map((n) => {
          const label = uidLabels ? n.uid : n.label;
          const persisted = n.persist === true && n.kind !== 'graph';
          // (Graphviz draws an empty record field as one space.)
          // (A tab in a record field is drawn as a space.)
          const field = (text: string): string[] => lines(text.replace(/\t/g, ' '));
          return {
            name: dotName(n.uid),
            texts: persisted ? [...field(label), ...(n.dim ? field(n.dim) : [' '])] : recordShape(n) ? field(label) : lines(label),
          };
        });
        assert.deepEqual(parsed.nodes, expected.sort(byName), `${where}: nodes and their labels\n${dot}`);
        assert.deepEqual(
          parsed.edges,
          view.edges.map((e) => [dotName(e.from), dotName(e.to)]),
          `${where}: edges\n${dot}`,
        );
        assert.deepEqual(clusters(dot), expectedClusters(view.nodes), `${where}: clusters\n${dot}`);
      }
    }
  });
});
