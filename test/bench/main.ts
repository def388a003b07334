import { extractionBench } from './extraction.js';

/** `npm run bench`: every benchmark, as ratios measured in this one run. */
async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(`# Pyflow benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  if (!only || only === 'extraction') console.log(extractionBench());
}

void main();
