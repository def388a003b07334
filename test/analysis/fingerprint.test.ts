import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fingerprinter } from '../../src/analysis/fingerprint.js';
import { nodeFingerprintHost } from '../../src/cache/fingerprintHost.js';

/** A workspace of files (relative path → text); returns the fingerprints of main.ts's ops in order of their lines. */
function fingerprints(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-fp-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const table = new Fingerprinter(nodeFingerprintHost).fingerprintFile(join(dir, 'main.ts'), files['main.ts']!);
    return [...table.values()];
  } finally {
    rmSync(dir, { recursive: true });
  }
}

const LIB = `export const K = 3;\nexport function deep(x: number) { return x * K; }\nexport function mid(x: number) { return deep(x) + 1; }\n`;
const MAIN = `import { GraphBuilder } from 'pyflow';
import { mid } from './lib.js';
import pad from 'left-pad';
const G = new GraphBuilder();
function double(x: number) { return x * 2; }
const a = G.add(double)(1);
const b = G.add((x: number) => mid(x))(a);
const c = G.add((s: string) => pad(s, 5))('x');
`;
const PKG = (version: string) => ({ 'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version }) });

describe('code fingerprints', () => {
  it('name every piece of code an op reaches, through imports, with package versions', () => {
    const [a, b, c] = fingerprints({ 'main.ts': MAIN, 'lib.ts': LIB, ...PKG('1.3.0') });
    assert.deepEqual(Object.keys(a!.parts), ['function double']);
    assert.deepEqual(Object.keys(b!.parts).sort(), ['const K (lib.ts)', 'function (inline)', 'function deep (lib.ts)', 'function mid (lib.ts)']);
    assert.deepEqual(Object.keys(c!.parts).sort(), ['function (inline)', 'package left-pad']);
    assert.equal(c!.parts['package left-pad'], '1.3.0');
    assert.deepEqual(
      [a, b, c].map((f) => f!.uncacheable),
      [undefined, undefined, undefined],
    );
  });

  it('ignore comments and formatting, but not the text of strings', () => {
    const base = fingerprints({ 'main.ts': MAIN, 'lib.ts': LIB, ...PKG('1.3.0') });
    const reformatted = fingerprints({
      'main.ts': MAIN.replace('function double(x: number) { return x * 2; }', 'function double(x: number) {\n  // twice\n  return x*2;\n}'),
      'lib.ts': `/** three */\nexport const K = 3;\nexport function deep(x: number) {\n  return x * K;\n}\nexport function mid(x: number) { return deep(x) + 1 }\n`,
      ...PKG('1.3.0'),
    });
    assert.deepEqual(
      reformatted.map((f) => f.hash),
      base.map((f) => f.hash).map((hash, i) => (i === 1 ? reformatted[1]!.hash : hash)),
    );
    // The one difference above: a semicolon less in mid (a token). Strings: one space more is another value.
    assert.notEqual(reformatted[1]!.parts['function mid (lib.ts)'], base[1]!.parts['function mid (lib.ts)']);
    const spaced = fingerprints({ 'main.ts': MAIN.replace("('x')", "('x')").replace('pad(s, 5)', 'pad(s + " ", 5)'), 'lib.ts': LIB, ...PKG('1.3.0') });
    const spaced2 = fingerprints({ 'main.ts': MAIN.replace('pad(s, 5)', 'pad(s + "  ", 5)'), 'lib.ts': LIB, ...PKG('1.3.0') });
    assert.notEqual(spaced[2]!.hash, spaced2[2]!.hash);
  });

  it('change exactly the ops whose code changed: a helper two calls away, a constant, a package version', () => {
    const base = fingerprints({ 'main.ts': MAIN, 'lib.ts': LIB, ...PKG('1.3.0') });
    const changed = (files: Record<string, string>) =>
      fingerprints({ 'main.ts': MAIN, 'lib.ts': LIB, ...PKG('1.3.0'), ...files }).map((f, i) => f.hash !== base[i]!.hash);
    assert.deepEqual(changed({ 'lib.ts': LIB.replace('x * K', 'x * K + 0') }), [false, true, false]);
    assert.deepEqual(changed({ 'lib.ts': LIB.replace('K = 3', 'K = 4') }), [false, true, false]);
    assert.deepEqual(changed(PKG('1.3.1')), [false, false, true]);
    assert.deepEqual(changed({ 'main.ts': MAIN.replace('x * 2', 'x * 3') }), [true, false, false]);
  });

  it('leave uncacheable an op that reads a local of the code around it, or a variable the script reassigns', () => {
    const [inLoop, reassigned] = fingerprints({
      'main.ts': `import { GraphBuilder } from 'pyflow';
let scale = 1;
function main() {
  const G = new GraphBuilder();
  for (const k of [1, 2]) G.add((x: number) => x * k)(1);
  G.add((x: number) => x * scale)(1);
}
scale = 2;
main();
`,
    });
    assert.match(inLoop!.uncacheable ?? '', /reads `k` from the code around the `add` call/);
    assert.match(reassigned!.uncacheable ?? '', /reads the variable `scale`, which the script reassigns/);
  });

  it('leave uncacheable an op whose code loads other code at run time (import(), require, eval)', () => {
    const found = fingerprints({
      'main.ts': `import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder();
function viaHelper(x: number) { return require('./lib').deep(x); }
G.add(async (x: number) => (await import('./lib.js')).deep(x))(1);
G.add(viaHelper)(1);
G.add((s: string) => eval(s))('1 + 1');
`,
      'lib.ts': LIB,
    });
    assert.deepEqual(
      found.map((f) => f.uncacheable),
      [
        'its function loads code at run time (import()), which pyflow does not read',
        'function viaHelper loads code at run time (require()), which pyflow does not read',
        'its function loads code at run time (eval()), which pyflow does not read',
      ],
    );
  });
});
