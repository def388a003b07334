import { parentPort } from 'node:worker_threads';
import { loadAnalysis } from '../analysis/lazy.js';
import type { AnalysisReply, AnalysisRequest } from './analysisWorker.js';

/** The thread of `AnalysisWorker` (dist/refineWorker.js): static extraction and the type checker's pass, off the extension host's thread. */
parentPort?.on('message', ({ id, job, text, fileName }: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    const { extractGraph, refineWithTypes } = loadAnalysis();
    const quick = extractGraph(text, fileName);
    reply = { id, result: job === 'extract' ? quick : refineWithTypes(text, fileName, quick) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(reply);
});
