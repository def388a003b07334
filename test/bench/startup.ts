import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { medianMs, table, wallClock } from './util.js';

const REPO = resolve(__dirname, '..', '..');

/**
 * Activating the extension inside a fresh Node process: requiring the production dist/extension.js and calling
 * `activate` with an inert `vscode` (every API call returns a no-op). VS Code's own work is not included.
 */
const ACTIVATE = `
const Module = require('node:module');
const inert = new Proxy(function () {}, { get: (_, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : inert), apply: () => inert, construct: () => inert });
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest); };
const api = {};
for (const name of JSON.parse(process.argv[2])) api[name] = inert;
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: api };
const t0 = performance.now();
const extension = require(process.argv[1] + '/extension.js');
const t1 = performance.now();
extension.activate({ subscriptions: [], extensionUri: inert });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ require: t1 - t0, activate: t2 - t1 }));
`;

/** The first extraction in a fresh process: loading dist/extractor.js (the TypeScript compiler) and extracting. */
const FIRST_EXTRACTION = `
const text = require('node:fs').readFileSync(process.argv[2], 'utf8');
const t0 = performance.now();
const { extractGraph } = require(process.argv[1] + '/extractor.js');
const t1 = performance.now();
extractGraph(text, process.argv[2]);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ load: t1 - t0, extract: t2 - t1 }));
`;

/** Every name the `vscode` module exports, read from @types/vscode, so the inert API has whatever the extension uses. */
function vscodeApiNames(): string[] {
  const types = readFileSync(join(REPO, 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
  return [...new Set([...types.matchAll(/^\texport (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]!))];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function inFreshProcesses(code: string, args: string[], runs: number): Record<string, number> {
  const samples: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++)
    samples.push(JSON.parse(execFileSync(process.execPath, ['-e', code, ...args], { encoding: 'utf8' })) as Record<string, number>);
  return Object.fromEntries(Object.keys(samples[0]!).map((k) => [k, median(samples.map((s) => s[k]!))]));
}

/** `npm run bench -- startup`: what the extension and the CLI cost before they do anything, in a production build. */
export function startupBench(): string {
  // A package's layout (package.json beside dist/), as the CLI and the runner expect to find the library.
  const root = mkdtempSync(join(tmpdir(), 'pyflow-bench-dist-'));
  const dist = join(root, 'dist');
  copyFileSync(join(REPO, 'package.json'), join(root, 'package.json'));
  try {
    execFileSync(process.execPath, ['esbuild.mjs', '--production'], {
      cwd: REPO,
      env: { ...process.env, PYFLOW_DIST: dist },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const quickstart = join(REPO, 'examples', 'quickstart.ts');
    const activation = inFreshProcesses(ACTIVATE, [dist, JSON.stringify(vscodeApiNames())], 9);
    const extraction = inFreshProcesses(FIRST_EXTRACTION, [dist, quickstart], 5);
    const cli = (...args: string[]) => medianMs(() => execFileSync(process.execPath, [join(dist, 'cli.js'), ...args], { stdio: 'ignore' }), 5, 1, wallClock);
    const kb = (file: string) => `${Math.round(statSync(join(dist, file)).size / 1024)} KB`;
    return table(
      `Start-up, production build (ms, median; extension.js ${kb('extension.js')}, extractor.js ${kb('extractor.js')}, cli-main.js ${kb('cli-main.js')})`,
      ['what', 'ms', 'target'],
      [
        ['require dist/extension.js (fresh process)', activation.require!, ''],
        ['activate() with an inert vscode API', activation.activate!, ''],
        ['activation: require + activate', activation.require! + activation.activate!, '< 50'],
        ['first extraction: require dist/extractor.js', extraction.load!, 'paid once, by files that use pyflow'],
        ['first extraction: extractGraph(examples/quickstart.ts)', extraction.extract!, ''],
        ['`pyflow --help`, wall time', cli('--help'), ''],
        ['`pyflow run examples/quickstart.ts`, wall time', cli('run', quickstart), ''],
        ['`pyflow graph examples/quickstart.ts`, wall time', cli('graph', quickstart), '< 500'],
        ['`node -e 0`, wall time (the floor of the three above)', medianMs(() => execFileSync(process.execPath, ['-e', '0']), 5, 1, wallClock), ''],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
