import { parentPort } from 'node:worker_threads';
import { loadAnalysis } from '../analysis/lazy.js';
import type { RefineReply, RefineRequest } from './typeRefiner.js';

/** The worker of `TypeRefiner` (dist/refineWorker.js): the type checker's pass, off the extension host's thread. */
parentPort?.on('message', ({ id, text, fileName }: RefineRequest) => {
  let reply: RefineReply;
  try {
    const { extractGraph, refineWithTypes } = loadAnalysis();
    reply = { id, result: refineWithTypes(text, fileName, extractGraph(text, fileName)) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
