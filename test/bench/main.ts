import { extractionBench } from './extraction.js';
import { runnerBench } from './runner.js';
import { webviewBench } from './webview.js';

/** `npm run bench`: every benchmark, as ratios measured in this one run. */
async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(`# Pyflow benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  if (!only || only === 'extraction') console.log(extractionBench());
  if (!only || only === 'runner') console.log(await runnerBench());
  if (!only || only === 'webview') console.log(await webviewBench());
}

void main();
