import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO, startCodeServer, type CodeServer } from './codeServer.js';
import { SEED_A5_TRACE } from '../core/seedTraces.js';
import { waitFor } from '../waitFor.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, outputContains, runCommand, saveExtensionHostLog, screenshot, showGraph } from './workbench.js';

/** A copy of examples/ so the tests never write into the repository. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-ws-'));
  cpSync(join(REPO, 'examples'), dir, { recursive: true });
  return dir;
}

describe('Pyflow in a real VS Code (code-server + Chromium)', { timeout: 1_200_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let ws: string;

  before(async () => {
    ws = workspace();
    server = await startCodeServer({ workspace: ws });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await openFile(page, 'quickstart.ts');
  });

  afterEach(async (t) => {
    const test = t as { passed?: boolean; name: string };
    if (test.passed === false && page) {
      await screenshot(page, `e2e-failed-${test.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
      saveExtensionHostLog(server, 'e2e-failed-exthost.log');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Pyflow: Show Graph draws three adding ops and the three op-to-op edges', async () => {
    await showGraph(page, 'quickstart.ts');
    const frame = graphFrame(page);
    // ELK's drawing (a new view first shows its own while ELK's worker warms up; see the browser tests).
    await frame.locator('#canvas:not([data-provisional]) svg.pyflow-graph .node').first().waitFor();
    assert.deepEqual(await frame.locator('svg.pyflow-graph .node .label').allTextContents(), ['adding', 'adding', 'adding']);
    assert.equal(await frame.locator('svg.pyflow-graph .edge').count(), 3);
    await screenshot(page, 'e2e-show-graph');
  });

  it('the Full view toggle adds the data nodes; double-clicking a node goes to its add call', async () => {
    const frame = graphFrame(page);
    await frame.locator('#toggle-full').click();
    await frame.locator('svg.pyflow-graph .node.kind-data').first().waitFor();
    assert.equal(await frame.locator('svg.pyflow-graph .node').count(), 9);
    await frame.locator('svg.pyflow-graph .node[data-uid="adding_4"]').dblclick();
    await page.locator('.statusbar-item', { hasText: /Ln 10, Col \d+/ }).waitFor();
    await frame.locator('#toggle-full').click();
    await frame.locator('svg.pyflow-graph .node.kind-data').first().waitFor({ state: 'detached' });
    await screenshot(page, 'e2e-click-to-source');
  });

  it('Export SVG writes the drawing next to the script', async () => {
    const frame = graphFrame(page);
    await frame.locator('#export-svg').click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await waitFor('the save dialog to propose quickstart.graph.svg', async () => /quickstart\.graph\.svg$/.test(await input.inputValue()));
    await page.keyboard.press('Enter');
    const target = join(ws, 'quickstart.graph.svg');
    await waitFor(`${target} to be written`, () => existsSync(target));
    const svg = readFileSync(target, 'utf8');
    assert.match(svg, /<svg[\s\S]*>adding<\/text>/);
    assert.doesNotMatch(svg, /var\(--vscode/);
  });

  it('Evaluate here on a3 writes the seed-format trace and the value to the Pyflow output channel', async () => {
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Evaluate here' });
    await lens.first().waitFor();
    assert.equal(await lens.count(), 3);
    await lens.nth(2).click();
    const text = await outputContains(server, /data_8 = 11/);
    assert.match(text, /=== Evaluate here: line 11 — quickstart\.ts \(.*\) ===/);
    const trace = text.slice(text.lastIndexOf('===')).split('\n').slice(1).filter(Boolean);
    assert.deepEqual(trace, [
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
    await page.locator('.part.panel .output-view .view-lines', { hasText: 'running adding_0' }).waitFor();
    await screenshot(page, 'e2e-evaluate-here');
  });

  it('the seed verbose example: the output channel holds the seed trace of a5.get(), released nodes fade, 20 timeline steps', async () => {
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+J');
    await page.locator('.part.panel .output-view').waitFor({ state: 'hidden' });
    await openFile(page, 'seedVerbose.ts');
    await showGraph(page, 'seedVerbose.ts');
    const frame = graphFrame(page);
    await frame.locator('.graph-title', { hasText: 'graph' }).waitFor();
    await frame.locator('#toggle-full').click();
    await frame.locator('svg.pyflow-graph .node.kind-data').first().waitFor();
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Evaluate here' });
    try {
      await lens.nth(3).waitFor({ timeout: 60_000 });
    } catch {
      // Seen once on a loaded machine: the lenses of a newly opened file never came. An edit makes VS Code ask again.
      await page.locator('.monaco-editor .view-line', { hasText: 'console.log(a5.get()' }).click();
      await page.keyboard.press('End');
      await page.keyboard.type(' ');
      await page.keyboard.press('Backspace');
      await lens.nth(3).waitFor();
    }
    await lens.nth(3).click();
    const text = await outputContains(server, /data_12 = 12/);
    const trace = text.slice(text.lastIndexOf('===')).split('\n').slice(1).filter(Boolean);
    assert.equal(trace.slice(0, 20).join('\n'), SEED_A5_TRACE);
    await frame.locator('#timeline-label', { hasText: '20/20' }).waitFor();
    assert.deepEqual((await frame.locator('svg .node.st-released').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')))).sort(), [
      'data_10',
      'data_3',
      'data_7',
    ]);
    // Polled: the view may redraw once more when the run's final graph arrives.
    const released = frame.locator('svg .node.st-released[data-uid="data_3"]');
    await waitFor(
      'data_3 to fade (opacity 0.35)',
      async () => (await released.count()) > 0 && (await released.evaluate((el) => getComputedStyle(el).opacity)) === '0.35',
    );
    await screenshot(page, 'e2e-overlay-seed');
    await frame.locator('#timeline-slider').fill('10');
    await frame.locator('#timeline-label', { hasText: '10/20 · running adding_8' }).waitFor();
    assert.equal(await frame.locator('svg .node.st-released').count(), 0);
    await screenshot(page, 'e2e-timeline-step-10');
  });

  it('after a window reload the graph view comes back (webview serializer) with its file and its Full view', async () => {
    const frame = graphFrame(page);
    const nodes = await frame.locator('svg.pyflow-graph .node').count();
    assert.ok(nodes > 10 && (await frame.locator('svg.pyflow-graph .node.kind-data').count()) > 0);
    // The workbench's own reload: it shuts down properly, saving editor and webview state (a bare page reload
    // does not wait for that and restores an older state).
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForEvent('load');
    await page.locator('.monaco-workbench').waitFor();
    const restored = graphFrame(page);
    await restored.locator('.graph-title', { hasText: 'graph' }).waitFor();
    await restored.locator('svg.pyflow-graph .node.kind-data').first().waitFor();
    assert.equal(await restored.locator('svg.pyflow-graph .node').count(), nodes);
    assert.equal(await restored.locator('#toggle-full').evaluate((el) => (el as HTMLElement & { checked: boolean }).checked), true);
    await screenshot(page, 'e2e-reload-restored');
  });
});
