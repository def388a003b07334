// Builds every target: extension, extractor, runner, CLI (node, cjs), webview (browser), core library (esm +
// cjs) and its worker pool's thread entry, copies piscina (the pool) into dist/node_modules, and copies esbuild
// itself into dist/ (the extension and CLI bundle user scripts at run time): the native package of this machine and
// the portable WebAssembly build.
// Flags: --production (minify, no source maps), --watch. PYFLOW_DIST=DIR builds into DIR instead of dist/.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const production = process.argv.includes('--production');
const DIST = process.env.PYFLOW_DIST ?? 'dist';
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const define = { PYFLOW_VERSION: JSON.stringify(pkg.version) };
/** Set when packaging for one platform: its esbuild binary only, and no WebAssembly fallback. */
const targetPlatform = process.env.PYFLOW_ESBUILD_PLATFORM;

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
        entryPoints: [args.path],
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        logLevel: 'silent',
        metafile: true,
      });
      return { contents: result.outputFiles[0].text, loader: 'text', watchFiles: Object.keys(result.metafile.inputs) };
    });
  },
};

/**
 * `pyflow/cluster` and the cluster CLI commands: BullMQ and ioredis are the package's optional peer dependencies,
 * loaded from node_modules on first use (not bundled); the core is `pyflow` itself (also for src/executors/shared.ts),
 * so that `PyflowError` is one class for the user's code.
 */
const externalCore = {
  name: 'pyflow-core-external',
  setup(build) {
    build.onResolve({ filter: /\/core\/index\.js$/ }, (args) => (args.importer.includes('/src/executors/') ? { path: 'pyflow', external: true } : undefined));
  },
};
const cluster = { external: ['bullmq', 'ioredis', 'esbuild'], plugins: [problemMatcher, externalCore] };

/** `__filename` in an ESM bundle, for code that finds files beside itself in both builds. */
const esmFilename = { js: "import { fileURLToPath as __pyflowFileURLToPath } from 'node:url';\nconst __filename = __pyflowFileURLToPath(import.meta.url);" };
// `pyflow/view` (the drawing module, dist/lib/view.*) is loaded by the core on demand, never bundled into it.
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  define,
  logLevel: 'warning',
  plugins: [problemMatcher],
  external: ['pyflow/view'],
};
// The TypeScript compiler is in dist/extractor.js only: the extension and the CLI load it on first need
// (src/analysis/lazy.ts), so activating the extension, `pyflow --help` and `pyflow run` do not pay for it.
const targets = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: `${DIST}/extension.js`, external: ['vscode', 'pyflow/view'] },
  { ...node, entryPoints: ['src/analysis/index.ts'], outfile: `${DIST}/extractor.js` },
  { ...node, entryPoints: ['src/extension/refineWorker.ts'], outfile: `${DIST}/refineWorker.js` },
  { ...node, entryPoints: ['src/runner/main.ts'], outfile: `${DIST}/runner.js` },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: `${DIST}/cli-main.js` },
  { ...node, entryPoints: ['src/cli/graphCommand.ts'], outfile: `${DIST}/cli-graph.js` },
  { ...node, entryPoints: ['src/index.ts'], outfile: `${DIST}/lib/index.cjs`, sourcemap: true, external: ['pyflow/view', 'piscina'] },
  {
    ...node,
    entryPoints: ['src/index.ts'],
    outfile: `${DIST}/lib/index.mjs`,
    format: 'esm',
    sourcemap: true,
    external: ['pyflow/view', 'piscina'],
    banner: esmFilename,
  },
  // The worker pool's thread entry, found beside the library (src/executors/threads/workerPool.ts); both builds use this one.
  {
    ...node,
    entryPoints: ['src/executors/threads/poolWorker.ts'],
    outfile: `${DIST}/lib/poolWorker.mjs`,
    format: 'esm',
    sourcemap: true,
    external: ['piscina'],
  },
  { ...node, entryPoints: ['src/drawing/index.ts'], outfile: `${DIST}/lib/view.cjs` },
  { ...node, entryPoints: ['src/drawing/index.ts'], outfile: `${DIST}/lib/view.mjs`, format: 'esm' },
  // `pyflow/cache`: the on-disk result cache for library users (Node APIs, so not in the core).
  { ...node, entryPoints: ['src/cache/index.ts'], outfile: `${DIST}/lib/cache.cjs` },
  { ...node, entryPoints: ['src/cache/index.ts'], outfile: `${DIST}/lib/cache.mjs`, format: 'esm' },
  // `pyflow/cluster` and the cluster CLI commands (BullMQ and ioredis loaded from node_modules).
  { ...node, entryPoints: ['src/executors/cluster/index.ts'], outfile: `${DIST}/lib/cluster.cjs`, ...cluster },
  { ...node, entryPoints: ['src/executors/cluster/index.ts'], outfile: `${DIST}/lib/cluster.mjs`, format: 'esm', ...cluster },
  { ...node, entryPoints: ['src/cli/clusterCommands.ts'], outfile: `${DIST}/cli-cluster.js`, ...cluster },
  {
    entryPoints: ['webview/main.ts'],
    outfile: `${DIST}/webview.js`,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    define,
    logLevel: 'warning',
    plugins: [problemMatcher, workerText],
  },
];

/** The `pyflow` bin: a tiny launcher that turns on Node's compile cache (Node >= 22) before loading the CLI. */
function writeCliLauncher() {
  writeFileSync(`${DIST}/cli.js`, "#!/usr/bin/env node\n'use strict';\nrequire('node:module').enableCompileCache?.();\nrequire('./cli-main.js');\n", {
    mode: 0o755,
  });
}

/** elkjs's bundled build, which the webview loads only if its layout worker fails (webview/elk.ts). */
function copyElkFallback() {
  cpSync(join('node_modules', 'elkjs', 'lib', 'elk.bundled.js'), join(DIST, 'elk-fallback.js'));
}

/** VS Code's icon font for the webview toolbar (codicon.css and codicon.ttf must stay side by side). */
function copyCodicons() {
  mkdirSync(`${DIST}/media`, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) cpSync(join('node_modules', '@vscode', 'codicons', 'dist', file), join(DIST, 'media', file));
}

/** uPlot's stylesheet for the value preview's plots: a file the page links (its CSP allows no inline styles). */
function copyUplotCss() {
  mkdirSync(`${DIST}/media`, { recursive: true });
  cpSync(join('node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(DIST, 'media', 'uPlot.min.css'));
}

/**
 * Copies the esbuild package and its platform binary to dist/esbuild, where `require('./esbuild')` finds them.
 * By default the binaries installed here (this machine's); PYFLOW_ESBUILD_PLATFORM=<dir of an @esbuild/<platform>
 * package> ships that one instead, for a package built for another platform (scripts/packageTargets.mjs).
 */
function vendorEsbuild() {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('esbuild/package.json'));
  const out = `${DIST}/esbuild`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(pkgDir, 'package.json'), join(out, 'package.json'));
  cpSync(join(pkgDir, 'lib'), join(out, 'lib'), { recursive: true });
  const scope = join(dirname(pkgDir), '@esbuild');
  const platformDirs = targetPlatform ? [targetPlatform] : readdirSync(scope).map((platform) => join(scope, platform));
  for (const dir of platformDirs) {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    cpSync(dir, join(out, 'node_modules', name), { recursive: true });
  }
}

/**
 * piscina, the worker pool under `workerPool`, copied to dist/node_modules where the library (dist/lib) resolves it:
 * the npm package and the extension carry it this way (it loads its own worker file by path, so it is not bundled).
 */
function vendorPiscina() {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(dirname(require.resolve('piscina')));
  const out = `${DIST}/node_modules/piscina`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of ['package.json', 'LICENSE']) cpSync(join(pkgDir, file), join(out, file));
  cpSync(join(pkgDir, 'dist'), join(out, 'dist'), { recursive: true, filter: (src) => !/\.(map|d\.ts)$/.test(src) });
}

/**
 * esbuild's WebAssembly build, for platforms without a native binary in the package. Its API starts the
 * WebAssembly service with the `node` on PATH; VS Code users may have none, so the copy starts it with the
 * running Node (VS Code's own, as the runner does, hence ELECTRON_RUN_AS_NODE).
 */
function vendorEsbuildWasm() {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('esbuild-wasm/package.json'));
  const out = `${DIST}/esbuild-wasm`;
  rmSync(out, { recursive: true, force: true });
  for (const file of ['package.json', 'lib/main.js', 'bin/esbuild', 'esbuild.wasm', 'wasm_exec.js', 'wasm_exec_node.js']) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    cpSync(join(pkgDir, file), join(out, file));
  }
  const main = join(out, 'lib', 'main.js');
  writeFileSync(
    main,
    replaceOnce(
      replaceOnce(
        readFileSync(main, 'utf8'),
        'return ["node", [path2.join(__dirname, "..", "bin", "esbuild")]];',
        'return [process.execPath, [path2.join(__dirname, "..", "bin", "esbuild")]];',
      ),
      'windowsHide: true,\n    stdio: ["pipe", "pipe", "inherit"],',
      'windowsHide: true,\n    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },\n    stdio: ["pipe", "pipe", "inherit"],',
    ),
  );
}

function replaceOnce(text, from, to) {
  const parts = text.split(from);
  if (parts.length !== 2)
    throw new Error(
      `esbuild-wasm changed: expected "${from}" once in lib/main.js, found it ${parts.length - 1} times; update vendorEsbuildWasm in esbuild.mjs`,
    );
  return parts.join(to);
}

if (watch) {
  for (const options of targets) await (await esbuild.context(options)).watch();
  console.log('watching…');
} else {
  // tsc writes the library's declarations beside the bundles: none of a removed source file may stay (the npm package ships dist/lib whole).
  rmSync(`${DIST}/lib`, { recursive: true, force: true });
  await Promise.all(targets.map((options) => esbuild.build(options)));
  vendorEsbuild();
  vendorPiscina();
  if (targetPlatform) rmSync(`${DIST}/esbuild-wasm`, { recursive: true, force: true });
  else vendorEsbuildWasm();
  writeCliLauncher();
  copyCodicons();
  copyUplotCss();
  copyElkFallback();
}
