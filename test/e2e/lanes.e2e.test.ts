import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './codeServer.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, saveExtensionHostLog, screenshot, showGraph } from './workbench.js';

/*
 * The time view of a worker pool run in a real VS Code (code-server + Chromium), from the packaged .vsix: two
 * 300 ms ops on two threads and an inline sum give one row per thread and one for the main thread.
 */

const OPS = `export function wait(ms: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
}
`;

const LANES = `import { GraphBuilder, workerPool } from 'pyflow';
import type * as ops from './ops.js';

const pool = workerPool({ threads: 2 });
const wait = pool.fn<typeof ops.wait>(new URL('./ops.ts', import.meta.url), 'wait');
const G = new GraphBuilder({ alias: 'lanes', executor: pool });
const total = G.add(function total(a: number, b: number) { return a + b; })(G.add(wait)(300), G.add(wait)(301));
try {
  console.log(await total.getAsync());
} finally {
  await pool.close();
}
`;

describe('the time view of a worker pool run in a real VS Code (code-server + Chromium)', { timeout: 900_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const ws = mkdtempSync(join(tmpdir(), 'pyflow-lanes-ws-'));
    writeFileSync(join(ws, 'ops.ts'), OPS);
    writeFileSync(join(ws, 'lanes.ts'), LANES);
    server = await startCodeServer({ workspace: ws });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await openFile(page, 'lanes.ts');
    await showGraph(page, 'lanes.ts');
  });

  afterEach(async (t) => {
    const test = t as { passed?: boolean; name: string };
    if (test.passed === false && page) {
      await screenshot(page, 'e2e-lanes-failed');
      saveExtensionHostLog(server, 'e2e-lanes-failed-exthost.log');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Evaluate here, then the time view: one row per thread that ran a wait, and main thread for the sum', async () => {
    const frame = graphFrame(page);
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Evaluate here' }).first().click();
    await frame.locator('#time-view').click();
    // The sum's bar has finished on the main thread: the run is over.
    await frame.locator('#timeview[data-rows-per="worker"][data-bars="3"] #timeview-canvas[aria-label*="main thread)"]').waitFor({ timeout: 120_000 });
    assert.equal(await frame.locator('#time-view').getAttribute('title'), 'Time view of the run, one row per worker (t)');
    const label = (await frame.locator('#timeview-canvas').getAttribute('aria-label')) ?? '';
    const rows = /^Run time view, one row per worker: 3 rows \(([^)]*)\)/.exec(label)?.[1]?.split(', ');
    assert.ok(rows, label);
    // Which thread ran which wait is the pool's choice: two different threads, then the main thread.
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /^thread \d+$/);
    assert.match(rows[1]!, /^thread \d+$/);
    assert.notEqual(rows[0], rows[1]);
    assert.equal(rows[2], 'main thread');
    await screenshot(page, 'e2e-lanes-timeview');
  });
});
