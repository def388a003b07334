import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './codeServer.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, runCommand, saveExtensionHostLog, screenshot, showGraph } from './workbench.js';

/*
 * A worker pool script in a real VS Code (code-server + Chromium), in a workspace without pyflow installed: the
 * extension's own library and its piscina run the ops, its runner bundles the TypeScript op module for the threads,
 * and the graph view shows both pool ops running at once (Evaluate here on their consumer); Stop ends them.
 */

const OPS = `export function wait(ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}
`;

const POOL = `import { GraphBuilder, workerPool } from 'pyflow';
import type * as ops from './ops.js';

const pool = workerPool({ threads: 2 });
const wait = pool.fn<typeof ops.wait>(new URL('./ops.ts', import.meta.url), 'wait');
const G = new GraphBuilder({ alias: 'pool', executor: pool });
const total = G.add(function total(a: number, b: number) { return a + b; })(G.add(wait)(3_600_000), G.add(wait)(3_600_001));
try {
  console.log(await total.getAsync());
} finally {
  await pool.close();
}
`;

describe('a worker pool script in a real VS Code (code-server + Chromium)', { timeout: 900_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const ws = mkdtempSync(join(tmpdir(), 'pyflow-pool-ws-'));
    writeFileSync(join(ws, 'ops.ts'), OPS);
    writeFileSync(join(ws, 'pool.ts'), POOL);
    server = await startCodeServer({ workspace: ws });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await openFile(page, 'pool.ts');
    await showGraph(page, 'pool.ts');
  });

  afterEach(async (t) => {
    const test = t as { passed?: boolean; name: string };
    if (test.passed === false && page) {
      await screenshot(page, 'e2e-pool-failed');
      saveExtensionHostLog(server, 'e2e-pool-failed-exthost.log');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Evaluate here shows both pool ops running at once; Stop ends them and names one', async () => {
    const frame = graphFrame(page);
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Evaluate here' }).first().click();
    try {
      await frame.locator('svg .node.st-running[data-uid^="wait_"] >> nth=1').waitFor();
      assert.deepEqual(await frame.locator('svg .node.st-running').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-uid')?.replace(/_\d+$/, ''))), [
        'wait',
        'wait',
      ]);
      await screenshot(page, 'e2e-pool-running');
    } finally {
      await runCommand(page, 'Pyflow: Stop');
    }
    await frame.locator('#timeline-outcome', { hasText: /Stopped while wait_\d+ \(pool\.ts:7\) was running/ }).waitFor();
    await frame.locator('svg .node.st-stopped[data-uid^="wait_"] >> nth=1').waitFor();
    await screenshot(page, 'e2e-pool-stopped');
  });
});
