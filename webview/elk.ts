import ELKApi from 'elkjs/lib/elk-api.js';
import ELKBundled from 'elkjs/lib/elk.bundled.js';
import workerSource from 'elkjs/lib/elk-worker.min.js' with { type: 'text' };
import type { ElkLike, ElkNode } from './layout.js';

/*
 * ELK in a Web Worker started from a blob URL (the only kind a webview may start; the CSP allows
 * `worker-src blob:`), so layout never blocks the UI. If the worker cannot start, or does not answer, the
 * layout falls back to ELK on the main thread instead of hanging.
 */
export function createElk(onFallback: (reason: string) => void): ElkLike {
  let fallback: ElkLike | undefined;
  const mainThread = (reason: string): ElkLike => {
    if (!fallback) {
      onFallback(reason);
      fallback = new ELKBundled();
    }
    return fallback;
  };
  let worker: ElkLike | undefined;
  let failed = false;
  try {
    const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    worker = new ELKApi({
      // Only the algorithm the view uses: the worker's start-up `register` then sets up one layout provider
      // instead of nine (15 ms instead of 30 in the worker, measured; the cold first layout is within noise).
      algorithms: ['layered'],
      workerFactory: () => {
        const w = new Worker(url);
        w.addEventListener('error', () => { failed = true; });
        return w;
      },
    });
  } catch (error) {
    failed = true;
  }
  let warmed = false;
  return {
    async layout(graph: ElkNode): Promise<ElkNode> {
      if (failed || !worker) return mainThread('the layout worker could not start').layout(graph);
      const timeoutMs = warmed ? 120_000 : 10_000;
      const result = await Promise.race([
        worker.layout(graph).then((r) => { warmed = true; return r; }),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs)),
        new Promise<undefined>((resolve) => {
          const poll = setInterval(() => { if (failed) { clearInterval(poll); resolve(undefined); } }, 100);
          setTimeout(() => clearInterval(poll), timeoutMs);
        }),
      ]);
      if (result) return result;
      failed = true;
      return mainThread('the layout worker did not answer').layout(graph);
    },
  };
}
