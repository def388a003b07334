import workerSource from 'worker-text:./preorderWorker.ts';
import { preorder, type Preorder } from '../src/drawing/preorder.js';
import type { Orderer } from '../src/drawing/layout.js';

/*
 * Runs the preorder (on a large graph, a noticeable part of a second) in its own small worker, started at once so
 * that it is ready before the first graph arrives, beside ELK's worker. If the worker cannot start or fails, the
 * preorder runs on this thread instead (and `onFallback` says so). So it does if the worker does not answer in time
 * (a worker that starts but never answers would otherwise stall every layout): 5 s for its first answer (many times
 * the preorder's work on the largest graph it orders), a minute for the later ones; the requests then waiting are
 * laid out by ELK alone.
 */
const FIRST_ANSWER_MS = 5_000;
const LATER_ANSWER_MS = 60_000;

export function createOrderer(onFallback: (reason: string) => void): Orderer {
  let worker: Worker | undefined;
  const pending = new Map<number, (result: Preorder | undefined) => void>();
  let nextId = 0;
  let answered = false;
  const fail = (reason: string): void => {
    if (!worker) return;
    worker.terminate();
    worker = undefined;
    onFallback(reason);
    // Whatever was asked is laid out by ELK alone rather than left waiting.
    for (const resolve of pending.values()) resolve(undefined);
    pending.clear();
  };
  try {
    worker = new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
    worker.addEventListener('message', (event: MessageEvent<{ id: number; result?: Preorder; error?: string }>) => {
      answered = true;
      const resolve = pending.get(event.data.id);
      pending.delete(event.data.id);
      resolve?.(event.data.error === undefined ? event.data.result : undefined);
    });
    worker.addEventListener('error', () => fail('the ordering worker failed'));
  } catch {
    worker = undefined;
    onFallback('the ordering worker could not start');
  }
  return (view, parts, widths) => {
    if (!worker) return preorder(view, parts, widths);
    const input = {
      nodes: view.nodes.map((n) => ({ uid: n.uid })),
      edges: view.edges.map((e) => ({ from: e.from, to: e.to, port: e.port })),
      ports: view.ports,
    };
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => fail('the ordering worker did not answer'), answered ? LATER_ANSWER_MS : FIRST_ANSWER_MS);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      worker!.postMessage({ id, input, parts, widths });
    });
  };
}
