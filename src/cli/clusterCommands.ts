import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startWorker, clusterStatus, formatStatus, type ModuleLoader } from '../executors/cluster/index.js';
import { bundleScript, type Esbuild } from '../runner/bundleScript.js';
import { loadEsbuild } from '../runner/esbuildApi.js';
import { libraryFor } from '../runner/library.js';

/* The work of `pyflow worker` and `pyflow cluster status` (dist/cli-cluster.js, loaded by cluster.ts). */

type Fail = (message: string, code?: number) => never;

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

/** Runs a worker until SIGINT or SIGTERM; resolves to the exit code. */
export async function runWorker(options: { redis: string; concurrency: number; root: string; lockMs: number; queue?: string }, fail: Fail): Promise<number> {
  process.setSourceMapsEnabled(true);
  const { esbuild, libraryFor: library } = await bundler();
  const workDir = mkdtempSync(join(tmpdir(), 'pyflow-worker-'));
  const worker = await startWorker({ ...options, load: moduleLoader(esbuild, library, workDir), log: (line) => process.stderr.write(`${line}\n`) }).catch(
    (error: unknown) => {
      rmSync(workDir, { recursive: true, force: true });
      return fail((error as Error).message, 1);
    },
  );
  const signal = await new Promise<string>((stop) => {
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  process.stderr.write(`${signal}: worker ${worker.name} lets its running ops finish and stops\n`);
  try {
    await worker.close();
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return 0;
}

export async function printStatus(options: { redis: string; queue: string | undefined; json: boolean }, fail: Fail): Promise<number> {
  const status = await clusterStatus(options.redis, options.queue).catch((error: unknown) => fail((error as Error).message, 1));
  process.stdout.write(`${options.json ? JSON.stringify(status, null, 2) : formatStatus(status, options.queue)}\n`);
  return 0;
}
