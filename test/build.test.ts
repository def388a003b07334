import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/* The build output, once: the library loads from both module systems, and the .vsix ships only what we mean. */

const REPO = resolve(__dirname, '..');

describe('build output', () => {
  it('the CommonJS and ESM builds of the library evaluate the quickstart', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cjs = require(join(REPO, 'dist', 'lib', 'index.cjs')) as typeof import('../src/core/index.js');
    const esm = (await import(join(REPO, 'dist', 'lib', 'index.mjs'))) as typeof import('../src/core/index.js');
    for (const lib of [cjs, esm]) {
      const G = new lib.GraphBuilder();
      const add = (a: number, b: number) => a + b;
      const a1 = G.add(add)(2, 2);
      const a2 = G.add(add)(3, a1);
      assert.equal(G.add(add)(a1, a2).get(), 11);
    }
  });

  it('the package resolves by its own name with types (self-reference)', () => {
    const out = execFileSync(process.execPath, ['-e', "const { GraphBuilder } = require('pyflow'); console.log(typeof GraphBuilder)"], { cwd: join(REPO, 'examples'), encoding: 'utf8' });
    assert.equal(out.trim(), 'function');
  });

  it('vsce ships only the manifest, readme, licence, bundles, media and the vendored esbuild (native and WebAssembly)', () => {
    const vsce = join(REPO, 'node_modules', '.bin', 'vsce');
    const files = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' }).trim().split('\n').sort();
    const unexpected = files.filter((f) => !/^(package\.json|README\.md|LICENSE|media\/.*|dist\/(extension|extractor|refineWorker|runner|webview|elk-fallback)\.js|dist\/lib\/index\.mjs|dist\/media\/codicon\.(css|ttf)|dist\/esbuild\/(package\.json|lib\/main\.js|node_modules\/@esbuild\/[^/]+\/.*)|dist\/esbuild-wasm\/(package\.json|lib\/main\.js|bin\/esbuild|esbuild\.wasm|wasm_exec(_node)?\.js))$/.test(f));
    assert.deepEqual(unexpected, []);
    for (const required of ['package.json', 'README.md', 'dist/extension.js', 'dist/extractor.js', 'dist/esbuild-wasm/esbuild.wasm', 'dist/runner.js', 'dist/webview.js', 'dist/elk-fallback.js', 'dist/lib/index.mjs', 'media/webview.css']) {
      assert.ok(files.includes(required), `${required} is shipped`);
    }
  });
});
