// Builds every target: extension, runner, CLI (node, cjs), webview (browser), core library (esm + cjs),
// and copies esbuild itself into dist/ (the extension and CLI bundle user scripts at run time).
// Flags: --production (minify, no source maps), --watch.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const define = { PYFLOW_VERSION: JSON.stringify(pkg.version) };

/** Prints errors as file:line:col lines, the shape VS Code's problem matchers read. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

/**
 * `import source from 'worker-text:./file.ts'`: that file bundled on its own (IIFE, minified) and imported as text,
 * for a Web Worker the webview starts from a blob (its CSP allows `worker-src blob:` only).
 */
const workerText = {
  name: 'worker-text',
  setup(build) {
    build.onResolve({ filter: /^worker-text:/ }, (args) => ({ path: join(args.resolveDir, args.path.slice('worker-text:'.length)), namespace: 'worker-text' }));
    build.onLoad({ filter: /.*/, namespace: 'worker-text' }, async (args) => {
      const result = await esbuild.build({
        entryPoints: [args.path], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', minify: true, logLevel: 'silent', metafile: true,
      });
      return { contents: result.outputFiles[0].text, loader: 'text', watchFiles: Object.keys(result.metafile.inputs) };
    });
  },
};

const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, define, logLevel: 'warning', plugins: [problemMatcher] };
const targets = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/runner/main.ts'], outfile: 'dist/runner.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js' },
  { ...node, entryPoints: ['src/core/index.ts'], outfile: 'dist/lib/index.cjs', sourcemap: true, external: ['pyflow/view'] },
  { ...node, entryPoints: ['src/core/index.ts'], outfile: 'dist/lib/index.mjs', format: 'esm', sourcemap: true, external: ['pyflow/view'] },
  { ...node, entryPoints: ['src/view/index.ts'], outfile: 'dist/lib/view.cjs' },
  { ...node, entryPoints: ['src/view/index.ts'], outfile: 'dist/lib/view.mjs', format: 'esm' },
  {
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', bundle: true, platform: 'browser', format: 'iife', target: 'es2022',
    sourcemap: !production, minify: production, define, logLevel: 'warning', plugins: [problemMatcher, workerText],
  },
];

/** The `pyflow` bin: a tiny launcher that turns on Node's compile cache (Node >= 22) before loading the CLI. */
function writeCliLauncher() {
  writeFileSync('dist/cli.js', "#!/usr/bin/env node\n'use strict';\nrequire('node:module').enableCompileCache?.();\nrequire('./cli-main.js');\n", { mode: 0o755 });
}

/** elkjs's bundled build, which the webview loads only if its layout worker fails (webview/elk.ts). */
function copyElkFallback() {
  cpSync(join('node_modules', 'elkjs', 'lib', 'elk.bundled.js'), join('dist', 'elk-fallback.js'));
}

/** VS Code's icon font for the webview toolbar (codicon.css and codicon.ttf must stay side by side). */
function copyCodicons() {
  mkdirSync('dist/media', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) cpSync(join('node_modules', '@vscode', 'codicons', 'dist', file), join('dist', 'media', file));
}

/** Copies the esbuild package and its platform binary to dist/esbuild, where `require('./esbuild')` finds them. */
function vendorEsbuild() {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('esbuild/package.json'));
  const out = 'dist/esbuild';
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(pkgDir, 'package.json'), join(out, 'package.json'));
  cpSync(join(pkgDir, 'lib'), join(out, 'lib'), { recursive: true });
  const scope = join(dirname(pkgDir), '@esbuild');
  for (const platform of readdirSync(scope)) {
    cpSync(join(scope, platform), join(out, 'node_modules', '@esbuild', platform), { recursive: true });
  }
}

if (watch) {
  for (const options of targets) await (await esbuild.context(options)).watch();
  console.log('watching…');
} else {
  await Promise.all(targets.map((options) => esbuild.build(options)));
  vendorEsbuild();
  writeCliLauncher();
  copyCodicons();
  copyElkFallback();
}
