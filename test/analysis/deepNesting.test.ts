import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import { refineWithTypes } from '../../src/analysis/refineWithTypes.js';
import { instrumentAddCalls } from '../../src/analysis/instrument.js';
import { MAX_NESTING } from '../../src/analysis/parseSource.js';
import { siteMarker } from '../../src/core/introspect.js';
import { assertLocated } from './located.js';
import { comparable, runtimeGraphs } from './runtimeGraphs.js';

/*
 * Code nested deeper than the TypeScript parser's (recursive) reach, about 800 parentheses: the extractor,
 * the type-checked refinement and the runner's instrumentation never throw; the code is reported where it
 * is, the graph above it is drawn, and what follows it is flagged.
 */

const header = `import { GraphBuilder } from 'pyflow';\nconst f = (x: unknown) => x;\nconst G = new GraphBuilder();\nconst a = G.add(f)(1);\n`;
const footer = `const b = G.add(f)(a);\n`;

const DEEP: Record<string, (n: number) => string> = {
  parentheses: (n) => `const v = ${'('.repeat(n)}G.add(f)(a)${')'.repeat(n)};\n`,
  arrays: (n) => `const v = ${'['.repeat(n)}G.add(f)(a)${']'.repeat(n)};\n`,
  calls: (n) => `const v = ${'f('.repeat(n)}G.add(f)(a)${')'.repeat(n)};\n`,
  templates: (n) => `const v = ${'`${'.repeat(n)}G.add(f)(a)${'}`'.repeat(n)};\n`,
  objects: (n) => `const v = ${'{ k: '.repeat(n)}G.add(f)(a)${' }'.repeat(n)};\n`,
  blocks: (n) => `${'{ '.repeat(n)}G.add(f)(a);${' }'.repeat(n)}\n`,
  arrows: (n) => `const v = ${'() => '.repeat(n)}G.add(f)(a);\n`,
  negations: (n) => `const v = ${'!'.repeat(n * 10)}G.add(f)(a);\n`,
  conditionals: (n) => `const v = ${'a ? 1 : '.repeat(n * 10)}G.add(f)(a);\n`,
  'property chains': (n) => `const v = G.add(f)(a)${'.p'.repeat(n * 2)};\n`,
};

describe('deep nesting never crashes the extractor', () => {
  for (const [name, make] of Object.entries(DEEP)) {
    it(`${name}, 5,000+ levels: a located error, the graph above, later nodes flagged`, () => {
      const text = header + make(5000) + footer;
      const result = extractGraph(text, '/ws/deep.ts');
      assertLocated(result, text, name);
      const nodes = result.graphs[0]!.nodes;
      assert.deepEqual(
        nodes.slice(0, 3).map((n) => [n.uid, n.dynamic ?? false]),
        [
          ['f_0', false],
          ['data_1', false],
          ['data_2', false],
        ],
      );
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      assert.ok(errors.length > 0 && errors.every((d) => d.range.line === 5), JSON.stringify(errors));
      // After the unread code, drawn nodes are flagged (their uids may differ); nothing is drawn as certain.
      assert.deepEqual(
        nodes.slice(3).filter((n) => !n.dynamic),
        [],
      );
    });
  }

  it('a sum of 100,000 terms is as deep, but read whole: no diagnostic, nothing flagged', () => {
    const text = `${header}const v = G.add(f)(a)${' + 1'.repeat(100_000)};\n${footer}`;
    const result = extractGraph(text, '/ws/sum.ts');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.graphs[0]!.nodes.map((n) => [n.uid, n.dynamic ?? false]),
      [
        ['f_0', false],
        ['data_1', false],
        ['data_2', false],
        ['f_3', false],
        ['data_4', false],
        ['f_5', false],
        ['data_6', false],
      ],
    );
  });

  it('a function bound 50,000 times in a row is read whole', () => {
    const text = `${header}const v = G.add(f${'.bind(null)'.repeat(50_000)})(a);\n${footer}`;
    const result = extractGraph(text, '/ws/bound.ts');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.graphs[0]!.nodes.map((n) => [n.uid, n.dynamic ?? false]),
      [
        ['f_0', false],
        ['data_1', false],
        ['data_2', false],
        ['f_3', false],
        ['data_4', false],
        ['f_5', false],
        ['data_6', false],
      ],
    );
  });

  it('the whole result for parentheses around an add call', () => {
    const text = header + DEEP.parentheses!(5000) + footer;
    const column = 'const v = '.length + MAX_NESTING + 1;
    assert.deepEqual(extractGraph(text, '/ws/deep.ts'), {
      file: '/ws/deep.ts',
      graphs: [
        {
          alias: 'graph',
          nodes: [
            { uid: 'f_0', kind: 'operation', label: 'f', fn: 'f', source: { file: '/ws/deep.ts', line: 4, column: 13, endLine: 4, endColumn: 22 } },
            {
              uid: 'data_1',
              kind: 'data',
              label: 'data',
              raw: true,
              persist: true,
              value: '1',
              source: { file: '/ws/deep.ts', line: 4, column: 20, endLine: 4, endColumn: 21 },
            },
            { uid: 'data_2', kind: 'data', label: 'data', source: { file: '/ws/deep.ts', line: 4, column: 13, endLine: 4, endColumn: 22 } },
            {
              uid: 'f_3',
              kind: 'operation',
              label: 'f',
              fn: 'f',
              source: { file: '/ws/deep.ts', line: 6, column: 13, endLine: 6, endColumn: 22 },
              dynamic: true,
            },
            { uid: 'data_4', kind: 'data', label: 'data', source: { file: '/ws/deep.ts', line: 6, column: 13, endLine: 6, endColumn: 22 }, dynamic: true },
          ],
          edges: [
            { from: 'data_1', to: 'f_0' },
            { from: 'f_0', to: 'data_2' },
            { from: 'data_2', to: 'f_3' },
            { from: 'f_3', to: 'data_4' },
          ],
        },
      ],
      diagnostics: [
        {
          severity: 'error',
          message: `Pyflow cannot read this code (brackets nested more than ${MAX_NESTING} deep): nodes added in it are not drawn, and uids after it may differ; split the expression, or run the script to see the real graph`,
          range: { file: '/ws/deep.ts', line: 5, column, endLine: 5, endColumn: column + 2 * (5000 - MAX_NESTING) + 'G.add(f)(a)'.length },
        },
      ],
    });
  });

  it('the type-checked refinement of a deeply nested file does not throw', () => {
    const file = join(__dirname, 'corpus', 'importedFunctions.ts');
    const text = readFileSync(file, 'utf8') + DEEP.calls!(5000);
    const quick = extractGraph(text, file);
    assert.equal(quick.typesPending, true);
    const refined = refineWithTypes(text, file, quick)!;
    assertLocated(refined, text, 'refined');
    assert.deepEqual(
      refined.graphs[0]!.nodes.filter((n) => n.kind === 'operation').map((n) => n.uid),
      ['load_0', 'save_3', 'upload_4', 'load_5'],
    );
  });

  it('the runner instruments the add calls it can read and leaves the rest', () => {
    const text = header + DEEP.parentheses!(5000) + DEEP.negations!(5000) + footer;
    const out = instrumentAddCalls('/ws/deep.ts', text)!;
    assert.deepEqual(
      out.split('\n').filter((line) => line.includes('pyflow-site')),
      [`const a = G.add(f, undefined, ${JSON.stringify(siteMarker({ file: '/ws/deep.ts', line: 4, column: 13 }))})(1);`],
    );
    assert.equal(out.split('\n').length, text.split('\n').length);
  });

  it('`pyflow run` builds and runs a file nested 5,000 deep; the static graph agrees where it is not flagged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-deep-'));
    try {
      const file = join(dir, 'deep.ts');
      const text = header + DEEP.parentheses!(5000) + footer;
      writeFileSync(file, text);
      const runtime = comparable((await runtimeGraphs(file, instrumentAddCalls))[0]!);
      assert.deepEqual(
        runtime.nodes.map((n) => n.uid),
        ['f_0', 'data_1', 'data_2', 'f_3', 'data_4', 'f_5', 'data_6'],
      );
      const stat = extractGraph(text, file).graphs[0]!;
      const certain = comparable({ ...stat, nodes: stat.nodes.filter((n) => !n.dynamic) }).nodes;
      assert.deepEqual(certain, runtime.nodes.slice(0, 3));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('brackets that are not code do not count as nesting', () => {
  it('brackets in strings, templates, comments and regular expressions', () => {
    const many = '('.repeat(300) + '['.repeat(300) + '{'.repeat(300);
    const text = `${header}const s = '${many}';\nconst t = \`${many}\${G.add(f)(a)}${many}\`;\n// ${many}\n/* ${many} */\nconst r = /${'\\('.repeat(300)}/;\nconst q = a ? 1 / 2 : /[(]{3}/.test('x');\n${footer}`;
    const result = extractGraph(text, '/ws/literals.ts');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.graphs[0]!.nodes.map((n) => [n.uid, n.dynamic ?? false]),
      [
        ['f_0', false],
        ['data_1', false],
        ['data_2', false],
        ['f_3', false],
        ['data_4', false],
        ['f_5', false],
        ['data_6', false],
      ],
    );
  });

  it(`${MAX_NESTING} levels of real brackets are read whole`, () => {
    const text = `${header}const v = ${'['.repeat(MAX_NESTING - 1)}G.add(f)(a)${']'.repeat(MAX_NESTING - 1)};\n${footer}`;
    const result = extractGraph(text, '/ws/nested.ts');
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.graphs[0]!.nodes.filter((n) => n.dynamic).length, 0);
    assert.equal(result.graphs[0]!.nodes.length, 7);
  });
});
