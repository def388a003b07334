// `npm run package [-- VSCE_FLAGS]`: the production build, then the extension's .vsix (dist/pyflow.vsix unless
// --out says otherwise), packed by vsce from a staging folder that holds only what the extension loads.
// Staged because the npm package and the .vsix ship different files: package.json's `files` lists the npm
// package's, and vsce refuses a `files` list next to a .vscodeignore. test/build.test.ts checks the .vsix's list.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** What the extension loads at run time; a folder is copied whole. */
const SHIPPED = [
  'LICENSE',
  'media/webview-body.html',
  'media/webview.css',
  'media/preview.css',
  'dist/extension.js',
  'dist/extractor.js',
  'dist/refineWorker.js',
  'dist/runner.js',
  'dist/webview.js',
  'dist/elk-fallback.js',
  'dist/media/codicon.css',
  'dist/media/codicon.ttf',
  'dist/media/uPlot.min.css',
  // The library a run imports when the workspace has no pyflow installed (src/runner/library.ts).
  'dist/lib/index.mjs',
  // Its worker pool: the threads' entry and piscina (vendored into dist/node_modules by esbuild.mjs).
  'dist/lib/poolWorker.mjs',
  'dist/node_modules/piscina',
  'dist/esbuild/package.json',
  'dist/esbuild/lib/main.js',
  'dist/esbuild/node_modules',
];

/** esbuild's WebAssembly build: in the universal package only (a platform package has its native binary alone). */
const WASM = ['package.json', 'lib/main.js', 'bin/esbuild', 'esbuild.wasm', 'wasm_exec.js', 'wasm_exec_node.js'].map((f) => `dist/esbuild-wasm/${f}`);

/** The manifest's fields that describe the npm package, not the extension. */
const NPM_ONLY = ['files', 'exports', 'types', 'bin', 'scripts', 'devDependencies'];

const args = process.argv.slice(2);
const outAt = args.findIndex((a) => a === '--out' || a === '-o');
const out = resolve(ROOT, outAt >= 0 ? args.splice(outAt, 2)[1] : join('dist', 'pyflow.vsix'));

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });

const stage = mkdtempSync(join(tmpdir(), 'pyflow-vsix-'));
try {
  const wasm = process.env.PYFLOW_ESBUILD_PLATFORM ? [] : WASM;
  for (const file of [...SHIPPED, ...wasm]) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: the build should have written it`);
    cpSync(join(ROOT, file), join(stage, file), { recursive: true });
  }
  cpSync(join(ROOT, 'docs', 'extension-readme.md'), join(stage, 'README.md'));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const field of NPM_ONLY) delete manifest[field];
  manifest.files = ['LICENSE', 'README.md', 'dist', 'media'];
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', ...args, '--out', out], {
    cwd: stage,
    stdio: 'inherit',
  });
  if (!existsSync(out)) throw new Error(`vsce wrote no ${out}`);
  console.log(`${out.startsWith(ROOT) ? out.slice(ROOT.length + 1) : out}: ${(readFileSync(out).length / 2 ** 20).toFixed(2)} MiB`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
