import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractGraph } from '../../src/analysis/extractGraph.js';

const header = `import { GraphBuilder } from 'pyflow';\nconst f = (x: number) => x + 1;\nconst G = new GraphBuilder();\n`;

function extract(body: string) {
  const result = extractGraph(header + body, '/ws/script.ts');
  return { ...result, nodes: result.graphs[0]?.nodes ?? [] };
}

describe('dynamic code: drawn as far as known, flagged, never guessed silently', () => {
  it('a loop: its nodes are drawn once and flagged, later nodes too', () => {
    const { nodes, diagnostics } = extract(`let x = G.add(f)(1);\nfor (let i = 0; i < 3; i++) {\n  x = G.add(f)(x);\n}\nconst y = G.add(f)(x);\n`);
    assert.deepEqual(
      nodes.filter((n) => n.kind === 'operation').map((n) => [n.uid, n.dynamic === true]),
      [
        ['f_0', false],
        ['f_3', true],
        ['f_5', true],
      ],
    );
    const loop = diagnostics.find((d) => /inside a loop/.test(d.message));
    assert.ok(loop);
    assert.equal(loop.range.line, 5);
  });

  it('a conditional is flagged with its own reason', () => {
    const { nodes, diagnostics } = extract(`const a = G.add(f)(1);\nif (Math.random() > 0.5) G.add(f)(a);\n`);
    assert.equal(nodes.find((n) => n.uid === 'f_3')?.dynamic, true);
    assert.ok(diagnostics.some((d) => /inside a conditional/.test(d.message)));
  });

  it('a helper that receives the graph: its nodes are unknown, later uids uncertain', () => {
    const { nodes, diagnostics } = extract(
      `function stage(g: GraphBuilder, v: number) {\n  return g.add(f)(v);\n}\nconst a = G.add(f)(1);\nstage(G, 2);\nconst b = G.add(f)(a);\n`,
    );
    assert.equal(nodes.find((n) => n.uid === 'f_0')?.dynamic, undefined);
    assert.equal(nodes.find((n) => n.uid === 'f_3')?.dynamic, true);
    const d = diagnostics.find((x) => /stage\(…\) may add nodes to graph "graph"/.test(x.message));
    assert.ok(d);
    assert.equal(d.range.line, 8);
  });

  it('a closure helper that uses the graph variable is detected too', () => {
    const { diagnostics } = extract(`function more() { G.add(f)(5); }\nG.add(f)(1);\nmore();\n`);
    assert.ok(diagnostics.some((x) => /more\(…\) may add nodes/.test(x.message)));
  });

  it('a function computed at runtime and non-literal options are reported, not guessed silently', () => {
    const { nodes, diagnostics } = extract(
      `const fns = [f];\nconst a = G.add(fns[0]!)(1);\nconst b = G.add(f, makeOptions())(a);\nfunction makeOptions() { return {}; }\n`,
    );
    assert.equal(nodes[0]!.dynamic, true);
    assert.ok(diagnostics.some((d) => /computed at runtime/.test(d.message)));
    assert.ok(diagnostics.some((d) => /not an object literal/.test(d.message) && d.range.line === 6));
  });

  it("every option the library takes is known: a graph's executor and cache, an op's cache and version, draw without warnings", () => {
    const result = extractGraph(
      `import { GraphBuilder, workerPool } from 'pyflow';
const pool = workerPool({ threads: 2 });
const f = (x: number) => x;
const G = new GraphBuilder({ alias: 'g', executor: pool, cache: false, concurrency: 2 });
G.add(f, { cache: 'refresh', version: 'v2', group: 'a/b' })(1);
`,
      '/ws/script.ts',
    );
    assert.deepEqual(result.diagnostics, []);
  });

  it('unknown options and shapes are warnings naming what is known', () => {
    const { diagnostics, nodes } = extract(`G.add(f, { shape: 'star', colour: 'red', rank: 'top' })(1);\n`);
    assert.ok(diagnostics.some((d) => /unknown shape "star": drawn as a box/.test(d.message)));
    assert.ok(diagnostics.some((d) => /unknown option "colour"/.test(d.message)));
    assert.ok(diagnostics.some((d) => /option "rank" must be a whole number .* got "top": the run will fail with BAD_OPTION/.test(d.message)));
    assert.equal(nodes[0]!.shape, 'star');
  });

  it('an option value the runtime rejects is reported and left out, so the view can still draw the graph', () => {
    const { diagnostics, nodes } = extract(`G.add(f, { fontsize: 0, rank: 1.5 })(1);\n`);
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      [
        'option "fontsize" must be a number > 0, got 0 (number): the run will fail with BAD_OPTION',
        'option "rank" must be a whole number (equal ranks share a row), got 1.5 (number): the run will fail with BAD_OPTION',
      ],
    );
    assert.equal(nodes[0]!.fontsize, undefined);
    assert.equal(nodes[0]!.rank, undefined);
  });
});

describe('type-checker refinement', () => {
  it('imported functions: the quick graph says types are pending; refinement settles output-less ops', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { refineWithTypes } = await import('../../src/analysis/refineWithTypes.js');
    const file = join(__dirname, 'corpus', 'importedFunctions.ts');
    const text = readFileSync(file, 'utf8');
    const quick = extractGraph(text, file);
    assert.equal(quick.typesPending, true);
    assert.deepEqual(
      quick.graphs[0]!.nodes.filter((n) => n.kind === 'operation').map((n) => n.uid),
      ['load_0', 'save_3', 'upload_5', 'load_7'],
    );
    const refined = refineWithTypes(text, file, quick)!;
    assert.deepEqual(
      refined.graphs[0]!.nodes.filter((n) => n.kind === 'operation').map((n) => n.uid),
      ['load_0', 'save_3', 'upload_4', 'load_5'],
    );
    assert.equal(
      refined.graphs[0]!.nodes.some((n) => n.uid === 'data_4'),
      false,
      'save has no output',
    );
  });
});
