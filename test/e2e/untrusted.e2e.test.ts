import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO, startCodeServer, type CodeServer } from './codeServer.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, screenshot, showGraph } from './workbench.js';

describe('an untrusted workspace (Restricted Mode)', { timeout: 900_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const ws = mkdtempSync(join(tmpdir(), 'pyflow-untrusted-'));
    cpSync(join(REPO, 'examples'), ws, { recursive: true });
    server = await startCodeServer({ workspace: ws, trusted: false });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor();
    await openFile(page, 'quickstart.ts');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('still draws the graph', async () => {
    await showGraph(page, 'quickstart.ts');
    await graphFrame(page).locator('svg.pyflow-graph .node').first().waitFor();
    assert.equal(await graphFrame(page).locator('svg.pyflow-graph .node').count(), 3);
  });

  it('Evaluate here explains that it is disabled and runs nothing', async () => {
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Evaluate here (trust this workspace to run)' });
    await lens.first().waitFor();
    await lens.nth(2).click();
    // The extension either warns or starts the run (writing its header first), never both.
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'does not run scripts in an untrusted workspace' }).waitFor();
    assert.doesNotMatch(server.outputChannel('Pyflow'), /===|running adding|activated!/);
    await screenshot(page, 'e2e-untrusted');
  });
});
