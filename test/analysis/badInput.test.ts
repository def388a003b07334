import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentAddCalls } from '../../src/analysis/instrument.js';
import { MAX_SOURCE_LENGTH } from '../../src/analysis/parseSource.js';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import { assertLocated } from './located.js';

const CORPUS = join(__dirname, 'corpus');

/** A small deterministic PRNG, so a failing mutation can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = [
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ';',
  '=>',
  'G.add(',
  ')(',
  '...',
  'const ',
  'await ',
  '`',
  "'",
  '/*',
  '\u0000',
  'if (',
  'for (;;',
  '\n',
  '('.repeat(2000),
  '['.repeat(6000),
  'f('.repeat(3000),
  '`${'.repeat(3000),
  '!'.repeat(60000),
  ' + 1'.repeat(30000),
  '\uFFFD\uD800\u2028',
];

/** Random edits (cuts, junk insertions, truncation); also returns the first line they touch. */
function mutate(text: string, random: () => number): { text: string; firstLine: number } {
  let out = text;
  let first = text.length;
  const edits = 1 + Math.floor(random() * 6);
  for (let i = 0; i < edits; i++) {
    const from = i === 0 ? 0 : Math.min(first, out.length);
    const at = from + Math.floor(random() * (out.length - from));
    first = Math.min(first, at);
    const kind = random();
    if (kind < 0.4) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 20));
    else if (kind < 0.85) out = out.slice(0, at) + JUNK[Math.floor(random() * JUNK.length)] + out.slice(at);
    else out = out.slice(0, at);
  }
  return { text: out, firstLine: text.slice(0, first).split('\n').length };
}

describe('bad input never crashes or hangs the extractor', () => {
  const corpus = readdirSync(CORPUS)
    .filter((f) => /\.(ts|js)$/.test(f))
    .map((f) => ({ name: f, text: readFileSync(join(CORPUS, f), 'utf8') }));

  it('fuzz: 1,500 mutations of the corpus never throw, locate every diagnostic, and keep the graph above the damage', () => {
    let prefixOps = 0;
    let kept = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const random = rng(seed);
      const file = corpus[seed % corpus.length]!;
      const { text, firstLine } = mutate(file.text, random);
      let result;
      try {
        result = extractGraph(text, `/ws/${file.name}`);
      } catch (error) {
        assert.fail(`seed ${seed} (${file.name}) threw: ${String(error)}`);
      }
      assert.ok(Array.isArray(result.graphs) && Array.isArray(result.diagnostics));
      assertLocated(result, text, `seed ${seed} (${file.name})`);
      // Ops whose whole statement lies above the first damaged line are unaffected by it. (A graph's own ops: what it
      // shows of a graph it grafts depends on the later line that uses it.)
      const original = extractGraph(file.text, `/ws/${file.name}`);
      const above = original.graphs
        .flatMap((g) => g.nodes)
        .filter((n) => n.kind === 'operation' && n.graph === undefined && (n.source?.endLine ?? Infinity) < firstLine - 1);
      const now = new Set(result.graphs.flatMap((g) => g.nodes.map((n) => n.uid)));
      prefixOps += above.length;
      kept += above.filter((n) => now.has(n.uid)).length;
    }
    assert.ok(prefixOps > 500, `the fuzz reaches past the first ops (${prefixOps})`);
    assert.ok(kept / prefixOps > 0.95, `ops above the damage are kept: ${kept} of ${prefixOps}`);
  });

  it('a syntax error gives a partial graph and a located diagnostic', () => {
    const text = `import { GraphBuilder } from 'pyflow';\nconst f = (x: number) => x;\nconst G = new GraphBuilder();\nconst a = G.add(f)(1);\nconst b = G.add(f)(a;\n`;
    const result = extractGraph(text, '/ws/broken.ts');
    assert.ok(result.graphs[0]!.nodes.some((n) => n.uid === 'f_0'));
    const syntax = result.diagnostics.find((d) => d.severity === 'error' && /Syntax error/.test(d.message));
    assert.ok(syntax);
    assert.equal(syntax.range.line, 5);
  });

  it('half-typed code (an add call in progress) does not crash', () => {
    const lines = `import { GraphBuilder } from 'pyflow';\nconst f = (x: number) => x;\nconst G = new GraphBuilder();\nconst a = G.add(f)(1);\nconst b = G.add(`;
    for (let i = lines.length - 12; i <= lines.length; i++) assert.doesNotThrow(() => extractGraph(lines.slice(0, i), '/ws/typing.ts'));
  });

  it('a file with no graph gives no graphs and no errors', () => {
    const result = extractGraph(`export const x = 1;\nfunction add(a: number, b: number) { return a + b; }\n`, '/ws/plain.ts');
    assert.deepEqual(result.graphs, []);
    assert.deepEqual(result.diagnostics, []);
  });

  it('a 5 MB file is extracted whole', () => {
    const lines = [
      `import { GraphBuilder } from 'pyflow';`,
      `const f = (a: number, b: number) => a + b;`,
      `const G = new GraphBuilder();`,
      `let x0 = G.add(f)(1, 2);`,
    ];
    let size = 0;
    let i = 1;
    while (size < 5 * 1024 * 1024) {
      const line = `const x${i} = G.add(f, { alias: 'step_with_a_rather_long_name' })(x${i - 1}, ${i}); // ${'pad'.repeat(20)}`;
      lines.push(line);
      size += line.length + 1;
      i++;
    }
    const result = extractGraph(lines.join('\n'), '/ws/huge.ts');
    assert.equal(result.graphs[0]!.nodes.filter((n) => n.kind === 'operation').length, i);
    assert.deepEqual(result.diagnostics, []);
  });

  it('a file over the size limit is refused with one diagnostic, not parsed', () => {
    const text = `import { GraphBuilder } from 'pyflow';\nconst G = new GraphBuilder();\n${'// padding padding padding\n'.repeat(MAX_SOURCE_LENGTH / 27)}`;
    assert.ok(text.length > MAX_SOURCE_LENGTH);
    assert.deepEqual(extractGraph(text, '/ws/big.ts'), {
      file: '/ws/big.ts',
      graphs: [],
      diagnostics: [
        {
          severity: 'error',
          message: `This file is too large to draw statically (${(text.length / 1024 / 1024).toFixed(1)} MB of text, the limit is 8.0 MB): run it to see its graph`,
          range: { file: '/ws/big.ts', line: 1, column: 1 },
        },
      ],
    });
    assert.equal(instrumentAddCalls('/ws/big.ts', text), undefined);
  });

  it('binary garbage: random bytes, NUL bytes and invalid UTF-8 give located diagnostics, and the graph before them', () => {
    const header = `import { GraphBuilder } from 'pyflow';\nconst f = (x: number) => x;\nconst G = new GraphBuilder();\nconst a = G.add(f)(1);\n`;
    const random = rng(17);
    const bytes = Buffer.from(Array.from({ length: 1 << 18 }, () => Math.floor(random() * 256)));
    for (const garbage of [bytes.toString('utf8'), bytes.toString('latin1'), '\u0000'.repeat(1 << 18), bytes.toString('utf16le')]) {
      const text = header + garbage;
      const result = extractGraph(text, '/ws/garbage.ts');
      assertLocated(result, text, 'garbage');
      assert.deepEqual(
        result.graphs[0]!.nodes.slice(0, 3).map((n) => n.uid),
        ['f_0', 'data_1', 'data_2'],
      );
      assert.ok(result.diagnostics.some((d) => d.severity === 'error' && d.range.line >= 5));
    }
  });
});
