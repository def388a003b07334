import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { GraphModel } from '../../src/core/index.js';
import type { HostToWebview, WebviewToHost } from '../../src/protocol/index.js';
import { startHarness, type Harness } from './harness.js';
import * as fixtures from './fixtures.js';

const RESULTS = join(resolve(__dirname, '..', '..'), 'test-results');

async function post(page: Page, message: HostToWebview): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

async function show(page: Page, graphs: GraphModel[], full = false, file = '/ws/fixture.ts'): Promise<void> {
  await post(page, { type: 'graph/show', result: fixtures.result(graphs, file), revision: 1, settings: { direction: 'DOWN', full, edges: 'orthogonal' } });
  const expected = graphs.reduce((n, g) => n + g.nodes.filter((x) => full || x.kind !== 'data').length, 0);
  await page.waitForFunction(
    (n) => document.querySelectorAll('#canvas .node').length === n && !document.getElementById('canvas')!.dataset.provisional,
    expected,
  );
}

function sent(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => (window as unknown as { __sent: WebviewToHost[] }).__sent.filter((m) => m.type !== 'ready'));
}

const activeId = (page: Page): Promise<string | undefined> => page.evaluate(() => document.activeElement?.id);
const scale = async (page: Page): Promise<number> => Number(/scale\(([\d.]+)\)/.exec((await page.locator('.scene').getAttribute('transform')) ?? '')?.[1]);

/** The drawing's box is inside the canvas's box (nothing drawn under the timeline or the toolbar). */
async function drawingInsideCanvas(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const c = document.getElementById('canvas')!.getBoundingClientRect();
    const d = document.querySelector('#canvas .scene')!.getBoundingClientRect();
    return d.top >= c.top - 0.5 && d.bottom <= c.bottom + 0.5 && d.left >= c.left - 0.5 && d.right <= c.right + 0.5;
  });
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `webview-${name}.png`) });
}

describe('graph view: find, go to source, runs, viewport (Chromium, built bundle)', { timeout: 1_200_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('find: Ctrl+F focuses the box; Enter and Shift+Enter step through matches with the focus kept in the box; the count follows the graph', async () => {
    const page = await harness.open();
    await show(page, [fixtures.styled()]);
    await page.locator('#canvas').focus();
    await page.keyboard.press('Control+f');
    assert.equal(await activeId(page), 'search');
    await page.keyboard.type('product');
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node.match').length === 2);
    assert.equal(await page.locator('#find-count').textContent(), '2 matches');
    const steps: [string, string, string][] = [];
    for (const key of ['Enter', 'Enter', 'Enter', 'Shift+Enter']) {
      await page.keyboard.press(key);
      steps.push([key, (await page.locator('#canvas .node.selected').getAttribute('data-uid')) ?? '', (await page.locator('#find-count').textContent()) ?? '']);
      assert.equal(await activeId(page), 'search', `focus after ${key}`);
    }
    assert.deepEqual(steps, [
      ['Enter', 'product_transform_4', '1 of 2'],
      ['Enter', 'product_transform_6', '2 of 2'],
      ['Enter', 'product_transform_4', '1 of 2'],
      ['Shift+Enter', 'product_transform_6', '2 of 2'],
    ]);
    assert.deepEqual(await sent(page), [], 'stepping through matches never reveals the source');
    // The file changes: the count is recomputed on the new drawing, and on an empty file.
    await show(page, [fixtures.quickstart()]);
    assert.equal(await page.locator('#find-count').textContent(), 'No results');
    await post(page, { type: 'graph/show', result: fixtures.result([]), revision: 3, settings: { direction: 'DOWN', full: false, edges: 'orthogonal' } });
    await page.locator('#canvas .empty').waitFor();
    assert.equal(await page.locator('#find-count').textContent(), 'No results');
    await show(page, [fixtures.styled()]);
    assert.equal(await page.locator('#find-count').textContent(), '2 matches');
    // Escape leaves the box for the graph; the host's find/focus (VS Code's Ctrl+F) brings it back.
    await page.keyboard.press('Escape');
    assert.equal(await activeId(page), 'canvas');
    assert.equal(await page.locator('#find-count').textContent(), '');
    await post(page, { type: 'find/focus' });
    await page.waitForFunction(() => document.activeElement?.id === 'search');
  });

  it('click and Enter only show the source; double-click and F12 go to it', async () => {
    const page = await harness.open();
    await show(page, [fixtures.quickstart()]);
    const node = page.locator('#canvas .node[data-uid="adding_4"]');
    await node.click();
    await page.keyboard.press('Enter');
    await page.keyboard.press('F12');
    await node.dblclick();
    assert.deepEqual(
      (await sent(page)).map((m) => `${m.type} ${'uid' in m ? m.uid : ''}`),
      [
        'node/reveal adding_4',
        'node/reveal adding_4',
        'node/open adding_4',
        // A double-click is two clicks, then the double-click.
        'node/reveal adding_4',
        'node/reveal adding_4',
        'node/open adding_4',
      ],
    );
  });

  it('a run: Stop shows while it is live; a stopped run shows its running op as stopped, the others not run, and says which op ran', async () => {
    const page = await harness.open();
    const graph = fixtures.quickstart();
    await show(page, [graph]);
    await post(page, { type: 'trace/reset', title: 'Evaluate here: line 11' });
    await page.locator('#timeline-stop').waitFor({ state: 'visible' });
    await post(page, {
      type: 'trace/append',
      events: [
        { kind: 'computing', uid: 'data_8', graph: 'quickstart' },
        { kind: 'activated', uid: 'adding_7', graph: 'quickstart' },
        { kind: 'activated', uid: 'adding_0', graph: 'quickstart' },
        { kind: 'running', uid: 'adding_0', graph: 'quickstart' },
      ],
    });
    await page.locator('#canvas .node.st-running[data-uid="adding_0"]').waitFor();
    assert.equal(await page.locator('#timeline-label').textContent(), '4/4 · running adding_0');
    await page.locator('#timeline-stop').click();
    assert.deepEqual(await sent(page), [{ type: 'run/stop' }]);
    await shot(page, 'run-live');
    await post(page, { type: 'run/end', outcome: 'stopped', summary: 'Stopped while adding_0 (quickstart.ts:8) was running' });
    await page.locator('#canvas .node.st-stopped[data-uid="adding_0"]').waitFor();
    assert.deepEqual(
      await page
        .locator('#canvas .node[class*="st-"]')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-uid')} ${[...e.classList].find((c) => c.startsWith('st-'))}`).sort()),
      ['adding_0 st-stopped', 'adding_7 st-notRun'],
    );
    assert.equal(await page.locator('#timeline-stop').isVisible(), false);
    assert.equal(await page.locator('#timeline-outcome').textContent(), 'Stopped while adding_0 (quickstart.ts:8) was running');
    await shot(page, 'run-stopped');
    // Stepping back shows the states of that step; the end state returns at the last step.
    await page.locator('#timeline').focus();
    await page.keyboard.press('ArrowLeft');
    await page.locator('#canvas .node.st-activated[data-uid="adding_0"]').waitFor();
    await page.keyboard.press('End');
    await page.locator('#canvas .node.st-stopped[data-uid="adding_0"]').waitFor();
    // A run stopped before its first step no longer waits for one.
    await post(page, { type: 'trace/reset', title: 'Run Graph' });
    await page.locator('#timeline-label', { hasText: 'waiting for the first step' }).waitFor();
    await post(page, { type: 'run/end', outcome: 'stopped', summary: 'Stopped (no op was running)' });
    await page.locator('#timeline-label', { hasText: '0/0 · no step ran' }).waitFor();
    assert.equal(await page.locator('#canvas .node[class*="st-"]').count(), 0);
  });

  it('a Full view in a half-width editor opens with readable labels (8 px or more), at the first op; 0 shows it all', async () => {
    const page = await harness.open();
    await page.setViewportSize({ width: 640, height: 720 });
    const graph = fixtures.pipeline(30);
    await show(page, [graph], true);
    /** The smallest label drawn in the canvas's box, in screen pixels, and how many nodes are in that box. */
    const labels = (): Promise<{ smallest: number; inView: number }> =>
      page.evaluate(() => {
        const c = document.getElementById('canvas')!.getBoundingClientRect();
        const k = (document.querySelector('#canvas .scene') as SVGGElement).getCTM()!.a;
        const shown = [...document.querySelectorAll<SVGGElement>('#canvas .node')].filter((n) => {
          const r = n.getBoundingClientRect();
          return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom;
        });
        const sizes = shown.map((n) => Number(n.querySelector('text.label')!.getAttribute('font-size')) * k);
        return { smallest: Math.min(...sizes), inView: shown.length };
      });
    const opened = await labels();
    assert.ok(opened.smallest >= 8, `the smallest label is ${opened.smallest.toFixed(1)} px`);
    assert.ok(opened.inView >= 6, `${opened.inView} nodes in view`);
    // The first op is in view, and the minimap offers the rest.
    const first = await page.locator('#canvas .node.kind-operation').first().boundingBox();
    const canvasBox = (await page.locator('#canvas').boundingBox())!;
    assert.ok(first && first.y >= canvasBox.y && first.y + first.height <= canvasBox.y + canvasBox.height, 'the first op is in view');
    await page.locator('#minimap').waitFor({ state: 'visible' });
    await shot(page, 'full-half-width');
    // 0 (or the Fit button) shows the whole drawing, however small; a resize keeps that choice.
    await page.locator('#canvas').focus();
    await page.keyboard.press('0');
    assert.ok(await drawingInsideCanvas(page), 'the whole drawing is in view');
    assert.ok((await labels()).smallest < 8);
    await page.setViewportSize({ width: 600, height: 720 });
    await page.waitForFunction(() => document.getElementById('stage')!.clientWidth === 600);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.ok(await drawingInsideCanvas(page), 'still the whole drawing after a resize');
    // Toggling the Full view frames the new drawing readably again.
    await page.locator('#toggle-full').click();
    await page.waitForFunction(
      () => !document.getElementById('canvas')!.dataset.provisional && document.querySelectorAll('#canvas .node.kind-data').length === 0,
    );
    assert.ok((await labels()).smallest >= 8);
  });

  it('fit zooms a small graph in (2x at most); Full view refits; the timeline opening refits, so it never covers the graph', async () => {
    const page = await harness.open();
    await show(page, [fixtures.quickstart()]);
    assert.equal(await scale(page), 2);
    assert.ok(await drawingInsideCanvas(page));
    await page.locator('#toggle-full').click();
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 9 && !document.getElementById('canvas')!.dataset.provisional);
    await page.waitForFunction(() => !/scale\(2\)/.test(document.querySelector('.scene')!.getAttribute('transform')!));
    assert.ok(await drawingInsideCanvas(page), 'the full view is fitted');
    const fullScale = await scale(page);
    assert.ok(fullScale > 1 && fullScale < 2, String(fullScale));
    await post(page, { type: 'trace/reset', title: 'run' });
    await page.locator('#timeline').waitFor({ state: 'visible' });
    await page.waitForFunction((k) => !document.querySelector('.scene')!.getAttribute('transform')!.includes(`scale(${k})`), fullScale);
    assert.ok(await drawingInsideCanvas(page), 'refitted above the timeline');
    await shot(page, 'fit-with-timeline');
    // Once the user zooms, a resize keeps their zoom.
    await page.locator('#zoom-in').click();
    const zoomed = await page.locator('.scene').getAttribute('transform');
    await page.setViewportSize({ width: 900, height: 600 });
    // (The canvas and, while part of the drawing is out of view, the minimap share the stage's width.)
    await page.waitForFunction(() => document.getElementById('stage')!.clientWidth === 900);
    // Resize observers run before the next frame is drawn.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    assert.equal(await page.locator('.scene').getAttribute('transform'), zoomed);
  });
});
