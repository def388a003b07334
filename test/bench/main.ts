import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { extractionBench } from './extraction.js';
import { runnerBench } from './runner.js';
import { webviewBench } from './webview.js';

/** A benchmark program of its own (it re-runs itself with pinned V8 flags, or children per engine). */
function program(file: string, args: string[]): void {
  spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, file), ...args], { stdio: 'inherit' });
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
}

void main();
