import { isHostToWebview, type HostToWebview, type WebviewToHost } from '../src/protocol/index.js';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The connection to the extension: typed, validated, and `ready` is sent once the listener is attached. */
export function connectHost(onMessage: (message: HostToWebview) => void): VsCodeApi {
  const api = acquireVsCodeApi();
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isHostToWebview(event.data)) onMessage(event.data);
    else api.postMessage({ type: 'webview/error', message: `Dropped an unknown message: ${JSON.stringify(event.data)?.slice(0, 200)}` });
  });
  window.addEventListener('error', (event) => {
    // The browser's note that a resize callback changed the layout again: the next frame delivers it, nothing failed.
    if (/^ResizeObserver loop/.test(event.message)) return;
    api.postMessage({ type: 'webview/error', message: event.message, stack: (event.error as Error | undefined)?.stack });
  });
  window.addEventListener('unhandledrejection', (event) =>
    api.postMessage({ type: 'webview/error', message: String(event.reason), stack: (event.reason as Error | undefined)?.stack }),
  );
  api.postMessage({ type: 'ready' });
  return api;
}
