import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { startWorker, clusterStatus, formatStatus, type ModuleLoader } from '../executors/cluster/index.js';
import { bundleScript, type Esbuild } from '../runner/bundleScript.js';
import { loadEsbuild } from '../runner/esbuildApi.js';
import { libraryFor } from '../runner/library.js';

export const WORKER_USAGE = 'pyflow worker --redis URL [--concurrency N] [--root DIR] [--queue NAME] [--lock-ms MS]   run cluster ops (exports of modules under DIR, default cwd)';
export const CLUSTER_USAGE = 'pyflow cluster status --redis URL [--queue NAME] [--json]   list the cluster\'s workers and queue depth';

type Fail = (message: string, code?: number) => never;

function parse<const T extends ParseArgsConfig>(config: T, usage: string, fail: Fail): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    return fail(`${(error as Error).message}\nusage: ${usage}`);
  }
}

function positiveInt(name: string, text: string | undefined, fallback: number, fail: Fail): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a whole number above 0, got "${text}"`);
  return n;
}

/** esbuild and the pyflow library to bundle op modules with: the shipped ones, or the repository's from source. */
async function bundler(): Promise<{ esbuild: Esbuild; libraryFor(file: string): string }> {
  if (__filename.endsWith('.ts')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { esbuild: require('esbuild') as Esbuild, libraryFor: () => resolve(__dirname, '../core/index.ts') };
  }
  const { esbuild } = await loadEsbuild(__dirname);
  return { esbuild, libraryFor: (file) => libraryFor(file, __dirname).path };
}

/** Bundles each op module once (TypeScript, its imports, source maps) into a temporary directory, and imports it. */
function moduleLoader(esbuild: Esbuild, library: (file: string) => string, workDir: string): ModuleLoader {
  let n = 0;
  return async (file) => {
    const outDir = join(workDir, String(++n));
    const bundle = await bundleScript({ file, libraryPath: library(file), esbuild }, outDir);
    if (!bundle.ok) throw new Error(bundle.error.message);
    return (await import(pathToFileURL(bundle.path).href)) as Record<string, unknown>;
  };
}

export async function workerCommand(args: string[], fail: Fail): Promise<void> {
  const { values } = parse({
    args,
    options: { redis: { type: 'string' }, concurrency: { type: 'string' }, root: { type: 'string' }, queue: { type: 'string' }, 'lock-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  }, WORKER_USAGE, fail);
  if (values.help) {
    process.stdout.write(`usage: ${WORKER_USAGE}\n`);
    return;
  }
  if (!values.redis) fail(`--redis URL is needed\nusage: ${WORKER_USAGE}`);
  process.setSourceMapsEnabled(true);
  const { esbuild, libraryFor: library } = await bundler();
  const workDir = mkdtempSync(join(tmpdir(), 'pyflow-worker-'));
  const worker = await startWorker({
    redis: values.redis,
    root: values.root ?? process.cwd(),
    concurrency: positiveInt('--concurrency', values.concurrency, 1, fail),
    ...(values.queue ? { queue: values.queue } : {}),
    lockMs: positiveInt('--lock-ms', values['lock-ms'], 30_000, fail),
    load: moduleLoader(esbuild, library, workDir),
    log: (line) => process.stderr.write(`${line}\n`),
  }).catch((error: unknown) => {
    rmSync(workDir, { recursive: true, force: true });
    return fail((error as Error).message, 1);
  });
  const stop = (signal: string): void => {
    process.stderr.write(`${signal}: worker ${worker.name} finishes its running ops and stops\n`);
    void worker.close().finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export async function clusterCommand(args: string[], fail: Fail): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'status') fail(`unknown cluster command "${sub ?? ''}"\nusage: ${CLUSTER_USAGE}`);
  const { values } = parse({ args: rest, options: { redis: { type: 'string' }, queue: { type: 'string' }, json: { type: 'boolean' } }, strict: true }, CLUSTER_USAGE, fail);
  if (!values.redis) fail(`--redis URL is needed\nusage: ${CLUSTER_USAGE}`);
  const status = await clusterStatus(values.redis, values.queue).catch((error: unknown) => fail((error as Error).message, 1));
  process.stdout.write(`${values.json ? JSON.stringify(status, null, 2) : formatStatus(status, values.queue)}\n`);
}
