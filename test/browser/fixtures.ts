import { GraphBuilder, type GraphModel } from '../../src/core/index.js';
import type { ExtractResult } from '../../src/protocol/index.js';
import { random as seeded } from '../core/seeded.js';

/** Graph models for the render tests, built by the real library. */
function named<F extends (...a: never[]) => unknown>(name: string, fn: F): F {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

const adding = named('adding', (a: number, b: number) => a + b);

export function quickstart(): GraphModel {
  const G = new GraphBuilder({ alias: 'quickstart' });
  const a1 = G.add(adding)(2, 2);
  const a2 = G.add(adding)(3, a1);
  G.add(adding)(a1, a2);
  return G.toJSON();
}

export function styled(): GraphModel {
  const G = new GraphBuilder({ alias: 'styled' });
  const q = { rank: 0, shape: 'cylinder', color: 'lightblue' };
  const df1 = G.add(
    named('query_dataframe_A', () => 1),
    q,
  )();
  const df2 = G.add(
    named('query_dataframe_B', () => 2),
    q,
  )();
  const n1 = G.add(named('product_transform', (x: number) => x * 2))(df1);
  const n2 = G.add(named('product_transform', (x: number) => x * 2))(df2);
  const [dfa] = G.add(
    named('split_transform', (x: number) => [x + 1, x + 2]),
    { nOut: 2 },
  )(n2);
  G.add(
    named('join_transform', (a: number, b: number) => a + b),
    { persist: true },
  )(n1, dfa!);
  return G.toJSON();
}

export function shapes(): GraphModel {
  const G = new GraphBuilder({ alias: 'shapes' });
  let prev = G.add(named('start', () => 0))();
  for (const shape of ['box', 'ellipse', 'circle', 'cylinder', 'box3d', 'record', 'diamond', 'note', 'tab', 'folder', 'hexagon', 'star']) {
    prev = G.add(
      named(shape, (x: number) => x),
      { shape, color: shape === 'diamond' ? 'gold' : undefined, fontsize: shape === 'note' ? 16 : undefined },
    )(prev);
  }
  return G.toJSON();
}

export function grafted(): GraphModel[] {
  const G = new GraphBuilder({ alias: 'First Graph' });
  const g1 = G.add(adding, { outputAlias: 'leaving!' })(1, 2);
  const H = new GraphBuilder({ alias: 'second' });
  const h1 = H.add(adding)(g1, 1);
  H.add(adding)(h1, g1);
  return [G.toJSON(), H.toJSON()];
}

export function xss(): GraphModel {
  const G = new GraphBuilder({ alias: '<img src=x onerror="window.__xss=1">' });
  const evil = named('<img src=x onerror="window.__xss=2">', (x: string) => x);
  const a = G.add(evil, { color: 'red" onload="window.__xss=3', shape: '<script>' })('<script>window.__xss=4</script>');
  G.add(named('</text><foreignObject><b>x</b></foreignObject>', (x: string) => x))(a);
  return G.toJSON();
}

export function pipeline(ops: number, seed = 7): GraphModel {
  const random = seeded(seed);
  const G = new GraphBuilder({ alias: `pipeline-${ops}` });
  const nodes = [
    G.add(
      named('source', () => 1),
      { rank: 0 },
    )(),
  ];
  for (let i = 1; i < ops; i++) {
    const a = nodes[Math.max(0, nodes.length - 1 - Math.floor(random() * 6))]!;
    const b = nodes[Math.max(0, nodes.length - 1 - Math.floor(random() * 12))]!;
    nodes.push(random() < 0.5 ? G.add(named(`step${i % 17}`, (x: number) => x))(a) : G.add(named(`join${i % 13}`, (x: number, y: number) => x + y))(a, b));
  }
  return G.toJSON();
}

/** A small pipeline with groups: load → cleaning (clean, cleaning/outliers: trim, clip) → model (fit, score) → report. */
export function grouped(): GraphModel {
  const G = new GraphBuilder({ alias: 'grouped' });
  const load = G.add(named('load', () => [1, 2, 3]))();
  const clean = G.add(
    named('clean', (x: number[]) => x),
    { group: 'cleaning' },
  )(load);
  const trim = G.add(
    named('trim', (x: number[]) => x),
    { group: 'cleaning/outliers' },
  )(clean);
  const clip = G.add(
    named('clip', (x: number[]) => x),
    { group: 'cleaning/outliers' },
  )(trim);
  const fit = G.add(
    named('fit', (x: number[]) => x.length),
    { group: 'model' },
  )(clip);
  const score = G.add(
    named('score', (m: number, x: number[]) => m + x.length),
    { group: 'model' },
  )(fit, load);
  G.add(named('report', (a: number, b: number) => a + b))(score, fit);
  return G.toJSON();
}

/** `pipeline(ops)` with its ops in groups of `size` consecutive ops (`stage0`, `stage1`, …), the first op left out. */
export function groupedPipeline(ops: number, size = 50, seed = 7): GraphModel {
  const model = pipeline(ops, seed);
  let i = 0;
  for (const n of model.nodes) {
    if (n.kind !== 'operation') continue;
    if (i > 0) n.group = `stage${Math.floor((i - 1) / size)}`;
    i++;
  }
  // An op's outputs are in its group, as toJSON puts them.
  const byUid = new Map(model.nodes.map((n) => [n.uid, n]));
  for (const e of model.edges) {
    const from = byUid.get(e.from)!;
    const to = byUid.get(e.to)!;
    if (from.kind === 'operation' && from.group !== undefined) to.group = from.group;
  }
  return { ...model, alias: `grouped-${ops}` };
}

export function result(graphs: GraphModel[], file = '/ws/fixture.ts'): ExtractResult {
  return { file, graphs, diagnostics: [] };
}
