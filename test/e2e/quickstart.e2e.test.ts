import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO, startCodeServer, type CodeServer } from './codeServer.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, runCommand, screenshot } from './workbench.js';

describe('quickstart in a real VS Code (code-server + Chromium)', { timeout: 240_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startCodeServer({ workspace: join(REPO, 'examples') });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await openFile(page, 'quickstart.ts');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Pyflow: Show Graph draws three adding ops and the three op-to-op edges', async () => {
    await runCommand(page, 'Pyflow: Show Graph');
    const frame = graphFrame(page);
    await frame.locator('svg.pyflow-graph .node').first().waitFor({ timeout: 30_000 });
    const labels = await frame.locator('svg.pyflow-graph .node .label').allTextContents();
    assert.deepEqual(labels, ['adding', 'adding', 'adding']);
    // a1 feeds a2 and a3, a2 feeds a3: the summary view has 3 op-to-op edges.
    assert.equal(await frame.locator('svg.pyflow-graph .edge').count(), 3);
    await screenshot(page, 'e2e-show-graph');
  });

  it('Evaluate here on a3 writes the seed-format trace and the value to the Pyflow output channel', async () => {
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Evaluate here' });
    await lens.first().waitFor({ timeout: 20_000 });
    assert.equal(await lens.count(), 3);
    await lens.nth(2).click();
    const deadline = Date.now() + 30_000;
    let text = '';
    while (Date.now() < deadline && !/data_8 = 11/.test(text)) {
      await page.waitForTimeout(250);
      text = server.outputChannel('Pyflow');
    }
    const trace = text.split('\n').filter((l) => /activated!|computing for|running|deactivated!|released!|still needed|=/.test(l));
    assert.deepEqual(trace.slice(-16), [
      'computing for data_8',
      'adding_7 activated!',
      'adding_0 activated!',
      'adding_4 activated!',
      'computing for data_3',
      'running adding_0',
      'adding_0 deactivated!',
      'computing for data_6',
      'running adding_4',
      'data_3 still needed at adding_7',
      'adding_4 deactivated!',
      'running adding_7',
      'data_3 released!',
      'data_6 released!',
      'adding_7 deactivated!',
      'data_8 = 11',
    ]);
    await runCommand(page, 'Pyflow: Show Log');
    await page.locator('.part.panel .output-view .view-lines', { hasText: 'running adding_0' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'e2e-evaluate-here');
  });
});
