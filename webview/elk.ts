import ELKApi from 'elkjs/lib/elk-api.js';
import workerSource from 'elkjs/lib/elk-worker.min.js' with { type: 'text' };
import type { ElkLike, ElkNode } from '../src/drawing/layout.js';

/*
 * ELK in a Web Worker started from a blob URL (the only kind a webview may start; the CSP allows
 * `worker-src blob:`), so layout never blocks the UI. If the worker cannot start, or does not answer, the
 * layout falls back to ELK on the main thread instead of hanging: elkjs's bundled build, loaded only then from
 * the file the page names in its script tag's `data-elk-fallback` (with the page's nonce). Bundled into the view's
 * script, it would make that script several times larger and every view slower to draw its first graph, for a
 * fallback most views never use.
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
      // instead of nine.
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
