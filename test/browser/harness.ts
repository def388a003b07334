import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { GENEROUS_MS } from '../waitFor.js';

/*
 * The built webview bundle in real Chromium, outside VS Code: a local page with the same body and CSP as
 * the extension's (cspSource is 'self' here) and a stub acquireVsCodeApi that records what the webview sends.
 */

const REPO = resolve(__dirname, '..', '..');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.ttf': 'font/ttf' };

/** A few of the variables VS Code sets on a webview, with its default themes' values. */
const THEMES: Record<string, string> = {
  'vscode-light':
    ':root{--vscode-editor-background:#ffffff;--vscode-editor-foreground:#3b3b3b;--vscode-editorWidget-background:#f8f8f8;--vscode-editorWidget-border:#c8c8c8;--vscode-focusBorder:#005fb8;--vscode-charts-lines:rgba(97,97,97,.5);--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace}',
  'vscode-dark':
    ':root{--vscode-editor-background:#1f1f1f;--vscode-editor-foreground:#cccccc;--vscode-editorWidget-background:#202020;--vscode-editorWidget-border:#454545;--vscode-focusBorder:#0078d4;--vscode-charts-lines:rgba(204,204,204,.5);--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace}',
  'vscode-high-contrast':
    ':root{--vscode-editor-background:#000000;--vscode-editor-foreground:#ffffff;--vscode-editorWidget-background:#0c141f;--vscode-contrastBorder:#6fc3df;--vscode-focusBorder:#f38518;--vscode-charts-lines:rgba(255,255,255,.6);--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace}',
};

export interface Harness {
  url: string;
  browser: Browser;
  close(): Promise<void>;
  /**
   * A new page with the webview; `init` runs in the page before any of its scripts (e.g. to break something; or to
   * set `window.__savedState`, what VS Code's getState returns after a reload).
   */
  open(theme?: 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast', init?: string): Promise<Page>;
}

export async function startHarness(): Promise<Harness> {
  const nonce = 'test-nonce';
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data: blob:; font-src 'self'; worker-src blob:`;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/' || path.startsWith('/index')) {
      const theme = new URL(req.url!, 'http://x').searchParams.get('theme') ?? 'vscode-dark';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="/dist/media/codicon.css" nonce="${nonce}">
<link rel="stylesheet" href="/media/webview.css">
<link rel="stylesheet" href="/dist/media/uPlot.min.css">
<link rel="stylesheet" href="/media/preview.css">
<style nonce="${nonce}">${THEMES[theme] ?? ''}</style>
</head><body class="${theme}">${readFileSync(join(REPO, 'media', 'webview-body.html'), 'utf8')}
<script nonce="${nonce}">
window.__sent = []; window.__state = window.__savedState; window.__errors = [];
window.addEventListener('securitypolicyviolation', (e) => window.__errors.push('csp: ' + e.violatedDirective));
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__sent.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
</script>
<script nonce="${nonce}" src="/dist/webview.js" data-elk-fallback="/dist/elk-fallback.js"></script></body></html>`);
      return;
    }
    try {
      const body = readFileSync(join(REPO, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.PYFLOW_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    url,
    browser,
    async open(theme = 'vscode-dark', init?: string) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
      // Every wait on this page waits for a condition; this is only how long a broken run takes to fail.
      page.setDefaultTimeout(GENEROUS_MS);
      if (init) await page.addInitScript(init);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('dialog', (d) => {
        errors.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      (page as Page & { pyflowErrors: string[] }).pyflowErrors = errors;
      await page.goto(`${url}?theme=${theme}`);
      await page.waitForFunction(() => (globalThis as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'ready'));
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}
