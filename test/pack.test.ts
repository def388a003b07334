import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { libraryFor } from '../src/runner/library.js';
import { brokenLinks } from './markdownLinks.js';

/*
 * The library as a user gets it: `npm pack`, installed from the tarball into a fresh project (offline: it has no
 * dependencies; bullmq and ioredis, for pyflow/cluster only, are optional peer dependencies, not installed), imported
 * from ESM and CJS TypeScript under `strict`, type-checked by tsc and run by node.
 * Needs `npm run build` first, as `npm test` does.
 */

const REPO = resolve(__dirname, '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const run = promisify(execFile);

function npm(args: string[], cwd: string) {
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, maxBuffer: 64 << 20 });
}

async function tsc(project: string): Promise<{ code: number; stdout: string }> {
  try {
    const out = await run(process.execPath, [TSC, '-p', project], { cwd: project });
    return { code: 0, stdout: out.stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

const SCRIPT = `
const adding = (a: number, b: number): number => a + b;
const G = new GraphBuilder({ alias: 'consumer' });
const a1 = G.add(adding)(2, 2);
const a3 = G.add(adding)(a1, G.add(adding)(3, a1));
const total: number = a3.get();
console.log(total);
`;

const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [], outDir: 'out', rootDir: '.' },
  include: ['*.mts', '*.cts'],
};

let tarball: string;
let project: string;

describe('the npm package, installed from its tarball', () => {
  before(async () => {
    const packDir = mkdtempSync(join(tmpdir(), 'pyflow-pack-'));
    const { stdout } = await npm(['pack', '--pack-destination', packDir], REPO);
    tarball = join(packDir, stdout.trim().split('\n').at(-1)!);
    project = mkdtempSync(join(tmpdir(), 'pyflow-consumer-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await npm(['install', '--offline', tarball], project);
  });

  it('holds the library, its ESM and CJS types, the CLI and the documents the README links to, and no extension bundles', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''))
      .sort();
    const [esbuild, rest] = [files.filter((f) => f.startsWith('dist/esbuild/')), files.filter((f) => !/^dist\/esbuild(-wasm)?\//.test(f))];
    const entries = ['index', 'view', 'cache', 'cluster'].flatMap((name) =>
      ['.cjs', '.cjs.map', '.d.mts', '.d.ts', '.mjs', '.mjs.map'].map((ext) => `dist/lib/${name}${ext}`),
    );
    const piscina = rest.filter((f) => f.startsWith('dist/node_modules/piscina/'));
    // The documents the README links to, so that its links and images resolve in the package.
    const docs = [
      ...readdirSync(join(REPO, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
      ...readdirSync(join(REPO, 'docs', 'images')).map((f) => `docs/images/${f}`),
      'media/screenshots/summary-view.png',
      'CHANGELOG.md',
      'CONTRIBUTING.md',
    ];
    assert.deepEqual(
      rest.filter((f) => !piscina.includes(f)),
      [
        ...docs,
        'LICENSE',
        'README.md',
        'dist/cli-cluster.js',
        'dist/cli-graph.js',
        'dist/cli-main.js',
        'dist/cli.js',
        'dist/extractor.js',
        ...entries,
        'dist/lib/poolWorker.mjs',
        'dist/lib/poolWorker.mjs.map',
        'dist/runner.js',
        'package.json',
      ].sort(),
    );
    // The worker pool's library, its code and licence only (see vendorPiscina in esbuild.mjs).
    assert.ok(
      ['package.json', 'LICENSE', 'dist/main.js', 'dist/worker.js', 'dist/esm-wrapper.mjs'].every((f) => piscina.includes(`dist/node_modules/piscina/${f}`)),
      piscina.join('\n'),
    );
    assert.deepEqual(
      piscina.filter((f) => !/\/(package\.json|LICENSE|[^/]+\.m?js)$/.test(f)),
      [],
    );
    // The CLI's `pyflow run` bundles scripts with the esbuild copied into dist (see esbuild.mjs).
    assert.ok(esbuild.includes('dist/esbuild/package.json') && esbuild.includes('dist/esbuild/lib/main.js'), esbuild.join('\n'));
    // Where no native esbuild binary runs (another platform than the one that packed), the portable one does.
    assert.ok(files.includes('dist/esbuild-wasm/esbuild.wasm') && files.includes('dist/esbuild-wasm/lib/main.js'), files.join('\n'));
  });

  it("the README's and the docs' relative links and images resolve inside the installed package", () => {
    const root = join(project, 'node_modules', 'pyflow');
    const markdown = [
      'README.md',
      'CHANGELOG.md',
      'CONTRIBUTING.md',
      ...readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    assert.deepEqual(brokenLinks(root, markdown), []);
  });

  it('every entry resolves to its JavaScript and types in node16 CJS and ESM and in bundlers (arethetypeswrong)', async () => {
    const attw = join(REPO, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const { stdout } = await run(process.execPath, [attw, tarball, '--format', 'json'], { maxBuffer: 64 << 20 }).catch((error: { stdout: string }) => error);
    const { analysis, problems = {} } = JSON.parse(stdout) as { analysis: { entrypoints: Record<string, unknown> }; problems?: Record<string, unknown[]> };
    assert.deepEqual(
      { entrypoints: Object.keys(analysis.entrypoints), problems: Object.values(problems).flat() },
      {
        entrypoints: ['.', './cluster', './view', './cache', './package.json'],
        // TypeScript's old `node10` resolution ignores `exports`, so it finds no subpath; Node >= 20, `node16`/`nodenext` and
        // `bundler` resolution all read `exports`.
        problems: ['./cluster', './view', './cache'].map((entrypoint) => ({ entrypoint, kind: 'NoResolution', resolutionKind: 'node10' })),
      },
    );
  });

  it('pyflow/cluster loads from ESM and CJS without its optional peer dependencies (bullmq, ioredis), and says to install them', async () => {
    const message =
      'the pyflow cluster needs the packages bullmq and ioredis (optional peer dependencies of pyflow, not installed with it): ' +
      'install bullmq and ioredis beside pyflow (npm install bullmq ioredis)';
    assert.ok(!existsSync(join(project, 'node_modules', 'bullmq')) && !existsSync(join(project, 'node_modules', 'ioredis')), 'npm installed neither');
    const check = (kind: string) =>
      `console.log(typeof cluster.clusterExecutor, typeof cluster.startWorker, '${kind}');
const c = cluster.clusterExecutor({ redis: 'redis://127.0.0.1:1' });
new pyflow.GraphBuilder({ executor: c }).add(c.fn(process.cwd() + '/ops.mjs', 'add'))(1, 2).getAsync().catch((e) => console.log(e.name, e.message.replace(/^.* could not run on the cluster: /, '')));`;
    writeFileSync(join(project, 'cluster.mjs'), `import * as cluster from 'pyflow/cluster';\nimport * as pyflow from 'pyflow';\n${check('esm')}`);
    writeFileSync(join(project, 'cluster.cjs'), `const cluster = require('pyflow/cluster');\nconst pyflow = require('pyflow');\n${check('cjs')}`);
    for (const [file, kind] of [
      ['cluster.mjs', 'esm'],
      ['cluster.cjs', 'cjs'],
    ]) {
      assert.deepEqual(
        await run(process.execPath, [join(project, file!)], { cwd: project }),
        { stdout: `function function ${kind}\nPyflowError ${message}\n`, stderr: '' },
        file,
      );
    }
    const worker = await run(join(project, 'node_modules', '.bin', 'pyflow'), ['worker', '--redis', 'redis://127.0.0.1:1'], { cwd: project }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.deepEqual(
      { code: (worker as { code?: number }).code, stdout: worker.stdout, stderr: worker.stderr },
      { code: 1, stdout: '', stderr: `pyflow: ${message}\n` },
    );
  });

  it('ESM (.mts) and CJS (.cts) importers type-check under strict and run', async () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    const imports = "import { GraphBuilder } from 'pyflow';\nimport { renderGraphSvg, type StandaloneOptions } from 'pyflow/view';\n";
    const drawing = 'const draw: (model: ReturnType<typeof G.toJSON>, options: StandaloneOptions) => Promise<string> = renderGraphSvg;\nvoid draw;\n';
    writeFileSync(join(project, 'esm.mts'), `${imports}${SCRIPT}${drawing}`);
    writeFileSync(join(project, 'cjs.cts'), `${imports}${SCRIPT}${drawing}`);
    writeFileSync(join(project, 'required.cts'), `import pyflow = require('pyflow');\nconst { GraphBuilder } = pyflow;\n${SCRIPT}`);
    assert.deepEqual(await tsc(project), { code: 0, stdout: '' });
    const compiled = readFileSync(join(project, 'out', 'cjs.cjs'), 'utf8');
    assert.match(compiled, /require\("pyflow"\)/);
    for (const file of ['esm.mjs', 'cjs.cjs', 'required.cjs']) {
      assert.deepEqual(await run(process.execPath, [join(project, 'out', file)], { cwd: project }), { stdout: '11\n', stderr: '' }, file);
    }
  });

  it('runs ops on worker threads from ESM and CJS, typed as their exports (workerPool)', async () => {
    const dir = join(project, 'threads');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    writeFileSync(join(dir, 'ops.mts'), 'export function square(x: number): number {\n  return x * x;\n}\n');
    const script = (imports: string, moduleRef: string) => `${imports}
const pool = workerPool({ threads: 2 });
const square = pool.fn<typeof import('./ops.mjs').square>(${moduleRef}, 'square');
const signal = new AbortController().signal;
const op = { uid: 'square_1', graph: 'G', fnName: square.name, site: undefined, nOut: 1 };
Promise.all([3, 4].map((x) => pool.run({ op, fn: square, args: [x], movable: [], signal })))
  .then((results) => console.log(results.map((r) => r.value).join(' ')))
  .finally(() => pool.close());
// Typed as the export (never called here: a pool function runs through its executor).
const typed: (x: number) => number = square;
void typed;
`;
    writeFileSync(join(dir, 'esm.mts'), script("import { workerPool } from 'pyflow';", "new URL('./ops.mjs', import.meta.url)"));
    writeFileSync(
      join(dir, 'cjs.cts'),
      script("import { workerPool } from 'pyflow';", "require('node:path').join(__dirname, 'ops.mjs')").replace(
        'const pool',
        'declare const require: (id: string) => { join(...parts: string[]): string };\ndeclare const __dirname: string;\nconst pool',
      ),
    );
    assert.deepEqual(await tsc(dir), { code: 0, stdout: '' });
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      assert.deepEqual(await run(process.execPath, [join(dir, 'out', file)], { cwd: dir }), { stdout: '9 16\n', stderr: '' }, file);
    }
  });

  it('runs the executor example of docs/executors.md, compiled by tsc to an outDir: worker ops on threads, a plain op inline', async () => {
    const dir = join(project, 'executor');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'executor-example', private: true, type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, include: ['*.ts'] }));
    writeFileSync(join(dir, 'ops.ts'), 'export function heavy(x: number): number {\n  let s = 0;\n  for (let i = 0; i < 1e6; i++) s += x;\n  return s;\n}\n');
    const main = (moduleName: string) => `import { GraphBuilder, workerPool, type TraceEvent } from 'pyflow';
import type * as ops from './ops.js';

const pool = workerPool({ threads: 2 });
const heavy = pool.fn<typeof ops.heavy>(new URL('${moduleName}', import.meta.url), 'heavy');
const sum = (parts: number[]): number => parts.reduce((a, b) => a + b, 0);
const G = new GraphBuilder({ executor: pool });
const ran: string[] = [];
G.subscribe((e: TraceEvent) => {
  if (e.kind === 'finished') ran.push(\`\${e.uid} on \${e.worker === undefined ? 'the main thread' : e.worker.replace(/\\d+$/, 'N')}\`);
});
const parts = [1, 2, 3, 4].map((x) => G.add(heavy)(x));
const total = G.add(sum)(parts);
try {
  const value: number = await total.getAsync();
  console.log(value);
} catch (error) {
  const e = error as { code: string; message: string };
  // Placeholders: which op fails first (a race between two threads), its add line (named only with call sites
  // on), the paths of this temporary project.
  const [out, project] = [new URL('.', import.meta.url).pathname, new URL('../..', import.meta.url).pathname];
  const message = e.message.replace(/^heavy_\\d+ \\(heavy, added at .*\\) could/, 'heavy_<n> (heavy, added at <site>) could');
  console.log(e.code, message.replace(out, '<out>/').replace(project, '<project>/'));
} finally {
  await pool.close();
}
if (ran.length > 0) console.log(ran.sort().join('\\n'));
`;
    writeFileSync(join(dir, 'main.ts'), main('./ops.js'));
    writeFileSync(join(dir, 'tsName.ts'), main('./ops.ts'));
    assert.deepEqual(await tsc(dir), { code: 0, stdout: '' });
    assert.deepEqual(await run(process.execPath, [join(dir, 'out', 'main.js')], { cwd: dir }), {
      stdout: '10000000\nheavy_0 on thread N\nheavy_3 on thread N\nheavy_6 on thread N\nheavy_9 on thread N\nsum_12 on the main thread\n',
      stderr: '',
    });
    // In the outDir there is no ops.ts: naming the source module fails the op, and says which file is missing.
    assert.deepEqual(await run(process.execPath, [join(dir, 'out', 'tsName.js')], { cwd: dir }), {
      stdout:
        "OP_FAILED heavy_<n> (heavy, added at <site>) could not be loaded in a worker thread: Cannot find module '<out>/ops.ts' imported from <project>/node_modules/pyflow/dist/lib/poolWorker.mjs\n",
      stderr: '',
    });
  });

  it("checks the user's code against pyflow's types, in ESM and CJS", async () => {
    const dir = join(project, 'wrong');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    const wrong = `import { GraphBuilder } from 'pyflow';\nconst G = new GraphBuilder();\nconst s: string = G.add((a: number) => a + 1)(1).get();\nvoid s;\n`;
    writeFileSync(join(dir, 'a.mts'), wrong);
    writeFileSync(join(dir, 'b.cts'), wrong);
    assert.deepEqual(await tsc(dir), {
      code: 2,
      stdout:
        "a.mts(3,7): error TS2322: Type 'number' is not assignable to type 'string'.\nb.cts(3,7): error TS2322: Type 'number' is not assignable to type 'string'.\n",
    });
  });

  it('installs the pyflow CLI, which runs a script of the project', async () => {
    writeFileSync(join(project, 'quick.ts'), `import { GraphBuilder } from 'pyflow';\n${SCRIPT}`);
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'pyflow'), ['run', 'quick.ts'], { cwd: project });
    assert.equal(stdout, '11\n');
  });

  it('installs the pyflow CLI, which draws a script of the project (the extractor ships in the tarball)', async () => {
    writeFileSync(join(project, 'quick.ts'), `import { GraphBuilder } from 'pyflow';\n${SCRIPT}`);
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'pyflow'), ['graph', 'quick.ts'], { cwd: project });
    const result = JSON.parse(stdout) as { graphs: { nodes: { uid: string; kind: string }[] }[]; diagnostics: unknown[] };
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.graphs.length, 1);
    assert.equal(result.graphs[0]!.nodes.filter((n) => n.kind === 'operation').length, 3, stdout);
  });

  it("publint finds nothing wrong but the `main` field, which is the VS Code extension's entry", async () => {
    const { publint } = await import('publint');
    const { messages } = await publint({ pkgDir: join(project, 'node_modules', 'pyflow'), pack: false, level: 'warning' });
    assert.deepEqual(
      messages.map((m) => ({ code: m.code, path: m.path.join('.') })),
      [{ code: 'FILE_DOES_NOT_EXIST', path: 'main' }],
    );
  });

  it('a run of a workspace script uses the pyflow installed there (what the editor types it against)', async () => {
    const installed = join(project, 'node_modules', 'pyflow');
    assert.deepEqual(libraryFor(join(project, 'quick.ts'), join(REPO, 'dist')), { path: join(installed, 'dist', 'lib', 'index.mjs') });
    // The installed copy marked, run by the repository's own CLI (the extension's runner does the same).
    const marked = join(project, 'marked');
    cpSync(installed, join(marked, 'node_modules', 'pyflow'), { recursive: true });
    const entry = join(marked, 'node_modules', 'pyflow', 'dist', 'lib', 'index.mjs');
    writeFileSync(entry, `${readFileSync(entry, 'utf8')}\nconsole.log('the workspace copy');\n`);
    writeFileSync(join(marked, 'quick.ts'), `import { GraphBuilder } from 'pyflow';\n${SCRIPT}`);
    const { stdout } = await run(process.execPath, [join(REPO, 'dist', 'cli.js'), 'run', join(marked, 'quick.ts')], { cwd: marked });
    assert.equal(stdout, 'the workspace copy\n11\n');
  });

  it('another version installed in the workspace is used, with a note naming both versions', () => {
    const other = join(project, 'other');
    cpSync(join(project, 'node_modules', 'pyflow'), join(other, 'node_modules', 'pyflow'), { recursive: true });
    const manifest = join(other, 'node_modules', 'pyflow', 'package.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(`"version": "${VERSION}"`, '"version": "0.0.1"'));
    assert.deepEqual(libraryFor(join(other, 'main.ts'), join(REPO, 'dist')), {
      path: join(other, 'node_modules', 'pyflow', 'dist', 'lib', 'index.mjs'),
      note: `note: this run uses the pyflow 0.0.1 installed at ${join(other, 'node_modules', 'pyflow')} (this tool ships ${VERSION}); if the run misbehaves, install pyflow ${VERSION} there (docs/install.md).`,
    });
  });

  it('without pyflow installed, a run uses the copy the tool ships', () => {
    const bare = mkdtempSync(join(tmpdir(), 'pyflow-bare-'));
    assert.deepEqual(libraryFor(join(bare, 'main.ts'), join(REPO, 'dist')), { path: join(REPO, 'dist', 'lib', 'index.mjs') });
  });
});
