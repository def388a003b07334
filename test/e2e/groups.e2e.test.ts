import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './codeServer.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, runCommand, saveExtensionHostLog, screenshot, showGraph } from './workbench.js';

/*
 * Groups in a real VS Code through the packaged extension: the static graph of a script draws its groups as boxes,
 * a group collapses from the canvas into one node, and stays collapsed when the script is edited and run (the run's
 * states are shown on the collapsed group), and when the view is closed and opened again (the workspace state).
 */

const GROUPED = `import { GraphBuilder } from 'pyflow';

const G = new GraphBuilder({ alias: 'grouped' });
const load = G.add(function load() { return [3, 1, 2]; })();
const clean = G.add(function clean(x: number[]) { return x.filter((v) => v > 0); }, { group: 'cleaning' })(load);
const trim = G.add(function trim(x: number[]) { return x.slice(1); }, { group: 'cleaning/outliers' })(clean);
const fit = G.add(function fit(x: number[]) { return x.length; }, { group: 'model' })(trim);
const out = G.add(function report(n: number, x: number[]) { return n + x.length; })(fit, load);

console.log(out.get());
`;

describe('groups in a real VS Code (code-server + Chromium, the .vsix)', { timeout: 1_200_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let ws: string;

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), 'pyflow-groups-ws-'));
    writeFileSync(join(ws, 'grouped.ts'), GROUPED);
    server = await startCodeServer({ workspace: ws });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await openFile(page, 'grouped.ts');
    await showGraph(page, 'grouped.ts');
  });

  afterEach(async (t) => {
    const test = t as { passed?: boolean; name: string };
    if (test.passed === false && page) {
      await screenshot(page, `e2e-groups-failed-${test.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
      saveExtensionHostLog(server, 'e2e-groups-failed-exthost.log');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the script's groups are boxes; one collapses from the canvas and stays collapsed across an edit and a run", async () => {
    const frame = graphFrame(page);
    const nodes = (): Promise<string[]> =>
      frame.locator('#canvas:not([data-provisional]) svg.pyflow-graph .node').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')!));
    await frame.locator('svg.pyflow-graph .group[data-group="cleaning/outliers"]').waitFor();
    const groups = await frame.locator('svg.pyflow-graph .group').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
    assert.deepEqual(groups, ['cleaning', 'cleaning/outliers', 'model']);
    await frame.locator('.group[data-group="cleaning"] > .group-header').click();
    await frame.locator('svg.pyflow-graph .node[data-uid="group:/cleaning"]').waitFor();
    assert.deepEqual(await nodes(), ['load_0', 'group:/cleaning', 'fit_6', 'report_8']);
    await screenshot(page, 'e2e-groups-collapsed');
    // An edit on disk (a new op): the view redraws the new graph, with "cleaning" still collapsed.
    writeFileSync(
      join(ws, 'grouped.ts'),
      readFileSync(join(ws, 'grouped.ts'), 'utf8').replace(
        'console.log(out.get());',
        'const last = G.add(function double(n: number) { return 2 * n; })(out);\nconsole.log(last.get());',
      ),
    );
    await frame.locator('svg.pyflow-graph .node[data-uid="double_10"]').waitFor();
    assert.deepEqual(await nodes(), ['load_0', 'group:/cleaning', 'fit_6', 'report_8', 'double_10']);
    // A run: the runtime graph is drawn with the group still collapsed, and the group shows its ops' state.
    // (The keyboard goes back to the editor first: the command palette's key does not reach the workbench from the view.)
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await runCommand(page, 'Pyflow: Run Graph');
    await frame
      .locator('svg.pyflow-graph .node.st-finished[data-uid="group:/cleaning"], svg.pyflow-graph .node.st-released[data-uid="group:/cleaning"]')
      .first()
      .waitFor();
    assert.deepEqual(await nodes(), ['load_0', 'group:/cleaning', 'fit_6', 'report_8', 'double_10']);
    await screenshot(page, 'e2e-groups-run');
    // Closed and opened again (a new panel, no webview state): still collapsed, from the workspace state.
    const tab = page.locator('.tab', { hasText: 'Graph: grouped.ts' });
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await page.locator('.tab', { hasText: 'Graph: grouped.ts' }).waitFor({ state: 'detached' });
    await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await showGraph(page, 'grouped.ts');
    await graphFrame(page).locator('svg.pyflow-graph .node[data-uid="group:/cleaning"]').waitFor();
    // Expand it again from the canvas: its ops come back.
    await graphFrame(page).locator('svg.pyflow-graph .node[data-uid="group:/cleaning"]').click();
    await graphFrame(page).locator('svg.pyflow-graph .node[data-uid="trim_4"]').waitFor();
  });
});
