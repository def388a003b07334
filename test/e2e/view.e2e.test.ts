import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { REPO, startCodeServer, type CodeServer } from './codeServer.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, outputContains, runCommand, saveExtensionHostLog, screenshot, showGraph } from './workbench.js';
import { waitFor } from '../waitFor.js';

/*
 * The graph view as a user meets it in a real VS Code: revealing a node never hands the keyboard to the editor
 * (so typing cannot replace code), find follows VS Code's conventions, a hung op is visibly the running one and
 * Stop names it, and the view follows the active editor.
 */

/** An op that hangs (an hour-long wait) after a quick one; Stop is the only way out. */
const HANG = `import { GraphBuilder } from 'pyflow';

const G = new GraphBuilder({ alias: 'hang' });
const a = G.add(function load() { return 1; })();
const b = G.add(async function spin(x: number) {
  await new Promise((resolve) => setTimeout(resolve, 3_600_000));
  return x;
})(a);

console.log(await b.getAsync());
`;

/** The same, hung in a synchronous infinite loop (the runner must send the op's running event before calling it). */
const LOOP = `import { GraphBuilder } from 'pyflow';

const G = new GraphBuilder({ alias: 'loop' });
const a = G.add(function load() { return 1; })();
const b = G.add(function spin(x: number) {
  for (;;) x++;
  return x;
})(a);

console.log(b.get());
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-view-ws-'));
  cpSync(join(REPO, 'examples'), dir, { recursive: true });
  writeFileSync(join(dir, 'hang.ts'), HANG);
  writeFileSync(join(dir, 'loop.ts'), LOOP);
  return dir;
}

/** Opens a workspace file in the first editor group, beside the graph view (not over it). */
async function openBeside(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+1');
  await openFile(page, name);
}

/** The graph webview's inner frame as a Frame (to read its focus), once it is there. */
async function graphPage(page: Page): Promise<Frame> {
  await graphFrame(page).locator('#canvas').waitFor();
  const outer = await (await page.$('iframe.webview.ready'))!.contentFrame();
  return (await (await outer!.$('#active-frame'))!.contentFrame())!;
}

/** Where the keyboard focus is: the graph view's element id, or 'editor' when a text editor has it. */
async function focusIn(page: Page): Promise<string> {
  const outer = await page.evaluate(() => {
    const el = document.activeElement;
    if (el?.closest('.monaco-editor') && !el.closest('.part.panel')) return 'editor';
    return el?.tagName === 'IFRAME' ? 'webview' : `${el?.tagName}.${el?.className}`;
  });
  if (outer !== 'webview') return outer;
  return (await graphPage(page)).evaluate(
    () => document.activeElement?.id || document.activeElement?.getAttribute('data-uid') || document.activeElement?.tagName || '',
  );
}

/** The text of the first editor group's editor, as the user sees it. */
async function editorText(page: Page): Promise<string> {
  return (await page.locator('.editor-group-container .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

describe('the graph view in a real VS Code (code-server + Chromium)', { timeout: 1_200_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let ws: string;

  before(async () => {
    ws = workspace();
    // Auto-save on: what the user who lost code had, so a replaced selection would reach the disk at once.
    server = await startCodeServer({ workspace: ws, extraSettings: { 'files.autoSave': 'afterDelay', 'files.autoSaveDelay': 100 } });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await openBeside(page, 'quickstart.ts');
    await showGraph(page, 'quickstart.ts');
    await graphFrame(page).locator('#canvas:not([data-provisional]) svg.pyflow-graph .node').first().waitFor();
  });

  afterEach(async (t) => {
    const test = t as { passed?: boolean; name: string };
    if (test.passed === false && page) {
      await screenshot(page, `e2e-view-failed-${test.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
      saveExtensionHostLog(server, 'e2e-view-failed-exthost.log');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('clicking a node, or Enter on it, shows its add call but keeps the focus in the view: typing never changes the code', async () => {
    const original = readFileSync(join(ws, 'quickstart.ts'), 'utf8');
    const frame = graphFrame(page);
    const highlights = page.locator('.editor-group-container .monaco-editor .view-overlays .cdr');
    const before = await highlights.count();
    const selected = page.locator('.statusbar-item', { hasText: /selected/ });
    await frame.locator('svg.pyflow-graph .node[data-uid="adding_4"]').click();
    // The editor shows the call: highlighted (or, as it once did, selected).
    await waitFor('the editor to show the add call', async () => (await highlights.count()) > before || (await selected.count()) > 0);
    assert.equal(await focusIn(page), 'adding_4');
    await page.keyboard.type('xy');
    await page.keyboard.press('Enter');
    await page.keyboard.type('z');
    assert.equal(await focusIn(page), 'adding_4');
    assert.equal(await page.locator('.tab.dirty').count(), 0);
    assert.doesNotMatch(await editorText(page), /xy|z\b/);
    assert.equal(readFileSync(join(ws, 'quickstart.ts'), 'utf8'), original);
    assert.equal(await selected.count(), 0, 'nothing is selected in the editor');
    assert.ok((await highlights.count()) > before, 'the add call is highlighted');
    await screenshot(page, 'e2e-view-click-keeps-focus');
  });

  it('double-click (go to source) puts the cursor on the add call, with nothing selected, and focuses the editor', async () => {
    await graphFrame(page).locator('svg.pyflow-graph .node[data-uid="adding_7"]').dblclick();
    await waitFor('the editor to take the focus', async () => (await focusIn(page)) === 'editor');
    await page.locator('.statusbar-item', { hasText: /^Ln 11, Col 14$/ }).waitFor();
    assert.equal(await page.locator('.statusbar-item', { hasText: /selected/ }).count(), 0);
    await screenshot(page, 'e2e-view-go-to-source');
  });

  it('Ctrl+F focuses the find box; Enter steps through matches keeping the focus; the count follows edits, even an emptied file', async () => {
    const frame = graphFrame(page);
    const inner = await graphPage(page);
    await frame.locator('#canvas').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+f');
    await waitFor('the find box to take the focus', async () => (await focusIn(page)) === 'search');
    await page.keyboard.type('adding');
    await frame.locator('#find-count', { hasText: '3 matches' }).waitFor();
    for (const [i, uid] of ['adding_0', 'adding_4', 'adding_7'].entries()) {
      await page.keyboard.press('Enter');
      await frame.locator('#find-count', { hasText: `${i + 1} of 3` }).waitFor();
      assert.equal(await frame.locator('svg .node.selected').getAttribute('data-uid'), uid);
      assert.equal(await focusIn(page), 'search');
    }
    assert.equal(await inner.evaluate(() => (document.getElementById('search') as HTMLElement & { value: string }).value), 'adding');
    await screenshot(page, 'e2e-view-find');
    // Empty the file: the view has no graph, and no matches.
    await page.locator('.editor-group-container .monaco-editor .view-line').first().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await frame.locator('#canvas .empty').waitFor();
    assert.equal(await frame.locator('#find-count').textContent(), 'No results');
    await page.keyboard.press('Control+z');
    await frame.locator('#find-count', { hasText: '3 matches' }).waitFor();
    await frame.locator('#search').click();
    await page.keyboard.press('Escape');
    await waitFor('Escape to leave the find box for the graph', async () => (await focusIn(page)) !== 'search');
  });

  it('the view follows the active editor to another script', async () => {
    await openBeside(page, 'seedVerbose.ts');
    await page.locator('.tab', { hasText: 'Graph: seedVerbose.ts' }).waitFor();
    await graphFrame(page).locator('.graph-title', { hasText: 'graph' }).waitFor();
  });

  it("a hung op is visibly running; the progress notification's Cancel stops it and names it; the view's Stop does too", async () => {
    await openBeside(page, 'hang.ts');
    await page.locator('.tab', { hasText: 'Graph: hang.ts' }).waitFor();
    const frame = graphFrame(page);
    await frame.locator('svg.pyflow-graph .node[data-uid="spin_2"]').waitFor();
    await runCommand(page, 'Pyflow: Run Graph');
    await frame.locator('svg .node.st-running[data-uid="spin_2"]').waitFor();
    await frame.locator('#timeline-label', { hasText: 'running spin_2' }).waitFor();
    assert.equal(await frame.locator('#timeline-stop').isVisible(), true);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Pyflow: Run Graph' });
    await toast.locator('.notification-list-item-message', { hasText: 'running spin_2 (hang.ts:5)' }).waitFor();
    await screenshot(page, 'e2e-view-hung-op');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    const summary = 'Stopped while spin_2 (hang.ts:5) was running';
    await page.locator('.notification-toast', { hasText: `Pyflow: ${summary}` }).waitFor();
    await frame.locator('#timeline-outcome', { hasText: summary }).waitFor();
    await frame.locator('svg .node.st-stopped[data-uid="spin_2"]').waitFor();
    assert.equal(await frame.locator('#timeline-stop').isVisible(), false);
    assert.doesNotMatch((await frame.locator('#timeline-label').textContent()) ?? '', /waiting/);
    await outputContains(server, new RegExp(summary.replace(/[()]/g, '\\$&')));
    await screenshot(page, 'e2e-view-stopped');
    // Again, stopped from the view's own Stop button.
    await runCommand(page, 'Pyflow: Run Graph');
    await frame.locator('#timeline-stop').waitFor({ state: 'visible' });
    await frame.locator('svg .node.st-running[data-uid="spin_2"]').waitFor();
    await frame.locator('#timeline-stop').click();
    await frame.locator('#timeline-outcome', { hasText: summary }).waitFor();
  });

  it('a synchronous infinite loop is visibly the running op, and Stop names it', async () => {
    await openBeside(page, 'loop.ts');
    await page.locator('.tab', { hasText: 'Graph: loop.ts' }).waitFor();
    const frame = graphFrame(page);
    await frame.locator('svg.pyflow-graph .node[data-uid="spin_2"]').waitFor();
    await runCommand(page, 'Pyflow: Run Graph');
    try {
      await frame.locator('#timeline-stop').waitFor({ state: 'visible' });
      await frame.locator('svg .node.st-running[data-uid="spin_2"]').waitFor();
    } finally {
      await runCommand(page, 'Pyflow: Stop');
    }
    await frame.locator('#timeline-outcome', { hasText: 'Stopped while spin_2 (loop.ts:5) was running' }).waitFor();
  });
});
