import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { extractionBench } from './extraction.js';
import { runnerBench } from './runner.js';
import { webviewBench } from './webview.js';
import { startupBench } from './startup.js';

/**
 * A benchmark program of its own (it re-runs itself with pinned V8 flags, or children per engine). It is
 * bundled by esbuild and run by plain node: under tsx the library would be rewritten (keepNames) and measured
 * slower than users get it.
 */
function program(file: string, args: string[]): void {
  // Inside node_modules/.cache so that the bundle's bare imports (alien-signals, elkjs, ...) resolve.
  const out = join(__dirname, '..', '..', 'node_modules', '.cache', 'pyflow-bench', file.replace(/\.mts$/, '.mjs'));
  esbuild.buildSync({ entryPoints: [join(__dirname, file)], bundle: true, platform: 'node', format: 'esm', outfile: out, packages: 'external', logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  spawnSync(process.execPath, [out, ...args], { stdio: 'inherit', cwd: join(__dirname, '..', '..') });
}

/** `npm run bench`: every benchmark, as ratios measured in this one run. `npm run bench -- core` runs one. */
async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(`# Pyflow benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  if (!only || only === 'core') program('core.mts', process.argv.slice(3));
  if (!only || only === 'layout') program('layout.mts', process.argv.slice(3));
  if (!only || only === 'extraction') console.log(extractionBench());
  if (!only || only === 'runner') console.log(await runnerBench());
  if (!only || only === 'webview') console.log(await webviewBench());
  if (!only || only === 'startup') console.log(startupBench());
  // Only when asked: the algorithm's floor for the evaluation targets (README, Performance).
  if (only === 'prototype') program('prototype.mts', process.argv.slice(3));
}

void main();
