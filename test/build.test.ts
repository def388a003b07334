import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as yauzl from 'yauzl';

/* The build output, once: the library loads from both module systems, and the .vsix ships only what we mean. */

const REPO = resolve(__dirname, '..');

/**
 * What the extension loads at run time: its bundles, the webview's page, styles and icons, the library the runner
 * imports (with its worker pool's thread entry and piscina), esbuild.
 */
const SHIPPED =
  /^(package\.json|readme\.md|LICENSE\.txt|media\/(webview-body\.html|webview\.css|preview\.css)|dist\/(extension|extractor|refineWorker|runner|webview|elk-fallback)\.js|dist\/lib\/(index|poolWorker)\.mjs|dist\/node_modules\/piscina\/(package\.json|LICENSE|dist\/.*\.m?js)|dist\/media\/(codicon\.(css|ttf)|uPlot\.min\.css)|dist\/esbuild\/.*|dist\/esbuild-wasm\/(package\.json|lib\/main\.js|bin\/esbuild|esbuild\.wasm|wasm_exec(_node)?\.js))$/;

function unwantedBecause(file: string): string | undefined {
  if (/(^|\/)screenshots\/|\.(png|jpe?g|gif|webp)$/i.test(file)) return 'an image (the README screenshots)';
  if (/\.map$/.test(file)) return 'a source map';
  if (/^(src|webview|examples|docs|\.ci)\/|\.(ts|mts|cts|tsx)$/.test(file) && !file.endsWith('.d.ts')) return 'a source file';
  if (/(^|\/)(test|tests|test-results)\/|\.test\./.test(file)) return 'a test';
  if (/(^|\/)node_modules\//.test(file) && !/^dist\/(esbuild\/node_modules\/@esbuild|node_modules\/piscina)\//.test(file))
    return 'a node_modules file other than the vendored esbuild and piscina';
  return undefined;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((ok, fail) => yauzl.open(path, { lazyEntries: true }, (err, zip) => (err ? fail(err) : ok(zip))));
}

async function zipEntries(path: string): Promise<yauzl.Entry[]> {
  const zip = await openZip(path);
  const entries: yauzl.Entry[] = [];
  return new Promise((ok, fail) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => ok(entries));
    zip.on('error', fail);
    zip.readEntry();
  });
}

async function zipText(path: string, name: string): Promise<string> {
  const zip = await openZip(path);
  return new Promise((ok, fail) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== name) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          zip.close();
          ok(Buffer.concat(chunks).toString('utf8'));
        });
        stream.on('error', fail);
      });
    });
    zip.on('end', () => fail(new Error(`${name} is not in ${path}`)));
    zip.on('error', fail);
    zip.readEntry();
  });
}

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
    const out = execFileSync(process.execPath, ['-e', "const { GraphBuilder } = require('pyflow'); console.log(typeof GraphBuilder)"], {
      cwd: join(REPO, 'examples'),
      encoding: 'utf8',
    });
    assert.equal(out.trim(), 'function');
  });

  it('the .vsix holds only what the extension runs: bundles, webview page and styles, vendored esbuild and piscina, manifest, readme, licence', async (t) => {
    const vsix = join(REPO, 'dist', 'pyflow.vsix');
    assert.ok(existsSync(vsix), `${vsix} is missing: \`npm test\` packages it first (or run \`npm run package\`)`);
    const entries = await zipEntries(vsix);
    const files = entries
      .map((e) => e.fileName)
      .filter((f) => f.startsWith('extension/'))
      .map((f) => f.slice('extension/'.length));
    const unwanted = files.map((f) => ({ file: f, why: unwantedBecause(f) })).filter((f) => f.why !== undefined);
    assert.deepEqual(unwanted, []);
    assert.deepEqual(
      files.filter((f) => !SHIPPED.test(f)),
      [],
      'every shipped file is one the extension loads',
    );
    for (const required of [
      'package.json',
      'readme.md',
      'LICENSE.txt',
      'dist/extension.js',
      'dist/extractor.js',
      'dist/refineWorker.js',
      'dist/esbuild-wasm/esbuild.wasm',
      'dist/runner.js',
      'dist/webview.js',
      'dist/elk-fallback.js',
      'dist/lib/index.mjs',
      'dist/lib/poolWorker.mjs',
      'dist/node_modules/piscina/dist/main.js',
      'dist/node_modules/piscina/dist/worker.js',
      'dist/media/codicon.css',
      'dist/media/codicon.ttf',
      'media/webview-body.html',
      'media/webview.css',
      'media/preview.css',
      'dist/media/uPlot.min.css',
      'dist/esbuild/lib/main.js',
    ]) {
      assert.ok(files.includes(required), `${required} is shipped`);
    }
    const packed = statSync(vsix).size;
    const unpacked = entries.reduce((n, e) => n + e.uncompressedSize, 0);
    t.diagnostic(`dist/pyflow.vsix: ${(packed / 2 ** 20).toFixed(2)} MiB, ${files.length} files, ${(unpacked / 2 ** 20).toFixed(2)} MiB unpacked`);
  });

  it('the packaged readme (the details page in VS Code) embeds no image and links nowhere relative', async () => {
    const readme = await zipText(join(REPO, 'dist', 'pyflow.vsix'), 'extension/readme.md');
    assert.equal(readme, readFileSync(join(REPO, 'docs', 'extension-readme.md'), 'utf8'));
    const relative = [...readme.matchAll(/!?\[[^\]]*\]\(([^)]+)\)|<img[^>]*src=["']([^"']+)/g)]
      .map((m) => m[1] ?? m[2]!)
      .filter((link) => !/^(https:\/\/|#|mailto:)/.test(link));
    assert.deepEqual(relative, []);
    assert.doesNotMatch(readme, /!\[|<img/);
  });
});
