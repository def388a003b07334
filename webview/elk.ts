import ELKApi from 'elkjs/lib/elk-api.js';
import workerSource from 'elkjs/lib/elk-worker.min.js' with { type: 'text' };
import type { ElkLike, ElkNode } from '../src/drawing/layout.js';

/*
 * ELK in a Web Worker started from a blob URL (the only kind a webview may start; the CSP allows
 * `worker-src blob:`), so layout never blocks the UI. If the worker cannot start, or does not answer, the
 * layout falls back to ELK on the main thread instead of hanging: elkjs's bundled build, loaded only then from
 * the file the page names in its script tag's `data-elk-fallback` (with the page's nonce). Bundling it into the
 * view's script made that script 5.6 MB instead of 1.8 MB and the view 0.3 s slower to draw its first graph
 * (measured from opening the view).
 */
export function createElk(onFallback: (reason: string) => void): ElkLike {
  let fallback: Promise<ElkLike> | undefined;
  const mainThread = (reason: string): Promise<ElkLike> => {
    if (!fallback) {
      onFallback(reason);
      fallback = loadBundledElk();
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
        w.addEventListener('error', () => {
          failed = true;
        });
        return w;
      },
    });
  } catch (_error) {
    failed = true;
  }
  let warmed = false;
  return {
    async layout(graph: ElkNode): Promise<ElkNode> {
      if (failed || !worker) return (await mainThread('the layout worker could not start')).layout(graph);
      const timeoutMs = warmed ? 120_000 : 10_000;
      const result = await Promise.race([
        worker.layout(graph).then((r) => {
          warmed = true;
          return r;
        }),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs)),
        new Promise<undefined>((resolve) => {
          const poll = setInterval(() => {
            if (failed) {
              clearInterval(poll);
              resolve(undefined);
            }
          }, 100);
          setTimeout(() => clearInterval(poll), timeoutMs);
        }),
      ]);
      if (result) return result;
      failed = true;
      return (await mainThread('the layout worker did not answer')).layout(graph);
    },
  };
}

/** elkjs's bundled build (it defines `ELK` on the page), from the script the page names. */
function loadBundledElk(): Promise<ElkLike> {
  const page = document.querySelector<HTMLScriptElement>('script[data-elk-fallback]');
  const src = page?.dataset.elkFallback;
  return new Promise((resolve, reject) => {
    if (!page || !src) {
      reject(new Error('the page names no fallback layout script'));
      return;
    }
    const script = document.createElement('script');
    script.src = src;
    script.nonce = page.nonce ?? '';
    script.onload = () => resolve(new (window as unknown as { ELK: new () => ElkLike }).ELK());
    script.onerror = () => reject(new Error(`the fallback layout script ${src} did not load`));
    document.head.append(script);
  });
}
