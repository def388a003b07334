import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { extractionBench } from './extraction.js';
import { runnerBench } from './runner.js';
import { viewBench, webviewBench } from './webview.js';
import { previewBench } from './previews.js';
import { startupBench } from './startup.js';
import { cacheBench } from './cache.js';
import { executorBench } from './executor.js';
import { clusterBench } from './cluster.js';

const REPO = join(__dirname, '..', '..');

/**
 * A benchmark program of its own (it re-runs itself with pinned V8 flags, or children per engine). It is
 * bundled by esbuild and run by plain node: under tsx the library would be rewritten (keepNames) and measured
 * slower than users get it.
 */
function program(file: string, args: string[]): void {
  // Inside node_modules/.cache so that the bundle's bare imports (alien-signals, elkjs, ...) resolve.
  const out = join(REPO, 'node_modules', '.cache', 'pyflow-bench', file.replace(/\.mts$/, '.mjs'));
  esbuild.buildSync({
    entryPoints: [join(__dirname, file)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    packages: 'external',
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const child = spawnSync(process.execPath, [out, ...args], { stdio: 'inherit', cwd: REPO });
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`${file} exited with ${child.status ?? child.signal}`);
}

/** The sections, in the order a plain `npm run bench` runs them; `prototype` and `view` (part of `webview`) run only when named. */
const SECTIONS: Record<string, (smoke: boolean, args: string[]) => Promise<void> | void> = {
  core: (smoke, args) => program('core.mts', smoke ? ['--smoke', ...args] : args),
  layout: (smoke, args) => program('layout.mts', smoke ? ['--smoke', ...args] : args),
  extraction: (smoke) => console.log(extractionBench(smoke)),
  runner: async (smoke) => console.log(await runnerBench(smoke)),
  webview: async (smoke) => {
    console.log(await webviewBench(smoke));
    console.log(await viewBench(smoke));
    console.log(await previewBench(smoke));
  },
  startup: () => console.log(startupBench()),
  cache: async (smoke) => console.log(await cacheBench(smoke)),
  executor: async (smoke) => console.log(await executorBench(smoke)),
  cluster: async (smoke) => console.log(await clusterBench(smoke)),
  prototype: (_smoke, args) => program('prototype.mts', args),
  /** Only the groups and time view figures of `webview`. */
  view: async (smoke) => console.log(await viewBench(smoke)),
};

/**
 * `npm run bench [-- SECTION[,SECTION…]] [--smoke] [section flags]`: every section (but `prototype`), or the ones
 * named. `--smoke` runs each in a tiny configuration (test/bench/smoke.test.ts). A section that fails prints
 * `bench: section "NAME" failed` and the rest still run; the exit code is then 1.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const rest = args.filter((a) => a !== '--smoke');
  const named = rest[0] !== undefined && !rest[0].startsWith('-') ? rest.shift()!.split(',') : undefined;
  const unknown = (named ?? []).filter((s) => !(s in SECTIONS));
  if (unknown.length > 0) {
    console.error(`bench: unknown section ${unknown.map((s) => `"${s}"`).join(', ')} (sections: ${Object.keys(SECTIONS).join(', ')})`);
    process.exit(2);
  }
  const sections = named ?? Object.keys(SECTIONS).filter((s) => s !== 'prototype' && s !== 'view');
  console.log(`# Pyflow benchmarks — node ${process.version}${smoke ? ' (smoke: tiny sizes, figures mean nothing)' : ''}`);
  const failed: string[] = [];
  for (const section of sections) {
    console.log(`\n## ${section}\n`);
    try {
      await SECTIONS[section]!(smoke, rest);
    } catch (error) {
      failed.push(section);
      console.error(`\nbench: section "${section}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  if (failed.length > 0) {
    console.error(`\nbench: FAILED section${failed.length > 1 ? 's' : ''}: ${failed.join(', ')}`);
    process.exit(1);
  }
}

void main();
