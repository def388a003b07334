import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { GraphBuilder, type GraphModel } from '../../src/core/index.js';
import { buildPreview, type HostToWebview, type NodePreview } from '../../src/protocol/index.js';
import { startHarness, type Harness } from './harness.js';
import * as fixtures from './fixtures.js';

const RESULTS = join(resolve(__dirname, '..', '..'), 'test-results');

function named<F extends (...a: never[]) => unknown>(name: string, fn: F): F {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

/** The values of the preview graph's ops, as a run would make them. */
export const VALUES = {
  wave: () => Float64Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 2000) * 10 + Math.sin(i / 37)),
  rows: () => Array.from({ length: 120 }, (_, i) => ({ id: i, name: `item ${String(i).padStart(3, '0')}`, score: (i * 37) % 101, ok: i % 3 === 0 })),
  picture: () => {
    const width = 64;
    const height = 48;
    const data = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x * 4, y * 5, 255 - x * 4, 255], (y * width + x) * 4);
    return { width, height, data };
  },
  config: () => ({ name: 'pipeline', stages: ['load', 'clean', 'fit'], nested: { depth: 2, tags: new Set(['a', 'b']) }, when: new Date(0) }),
  note: () => 'A short note about the run.',
};

/** A graph of one op per kind of value, and the output uid of each op. */
function previewGraph(): { graph: GraphModel; outputs: Record<keyof typeof VALUES, string> } {
  const G = new GraphBuilder({ alias: 'previews' });
  const wave = G.add(named('wave', VALUES.wave))();
  G.add(named('rows', (_: Float64Array) => VALUES.rows()))(wave);
  G.add(named('picture', VALUES.picture))();
  G.add(named('config', VALUES.config))();
  G.add(named('note', VALUES.note))();
  const graph = G.toJSON();
  const labels = new Map(graph.nodes.map((n) => [n.uid, n.label]));
  const outputs = Object.fromEntries(
    graph.edges.filter((e) => labels.get(e.from) !== 'data' && e.to.startsWith('data')).map((e) => [labels.get(e.from), e.to]),
  );
  return { graph, outputs: outputs as Record<keyof typeof VALUES, string> };
}

async function post(page: Page, message: HostToWebview): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

async function showWithPreviews(page: Page): Promise<Record<keyof typeof VALUES, string>> {
  const { graph, outputs } = previewGraph();
  await post(page, { type: 'graph/show', result: fixtures.result([graph]), revision: 1, settings: { direction: 'RIGHT', full: true, edges: 'orthogonal' } });
  await page.waitForFunction(
    (n) => document.querySelectorAll('#canvas .node').length === n && !document.getElementById('canvas')!.dataset.provisional,
    graph.nodes.length,
  );
  await post(page, { type: 'trace/reset', title: 'Run Graph — fixture.ts' });
  const previews: NodePreview[] = (Object.keys(VALUES) as (keyof typeof VALUES)[]).map((op) => ({
    graph: 'previews',
    uid: outputs[op],
    preview: buildPreview(VALUES[op]()),
  }));
  await post(page, { type: 'data/previews', previews });
  return outputs;
}

async function select(page: Page, uid: string): Promise<void> {
  await page.locator(`#canvas .node[data-uid="${uid}"]`).click();
  await page.waitForFunction((u) => document.getElementById('preview')?.dataset.key?.endsWith(`\u0000${u}`), uid);
}

/**
 * The page, and the panel alone; the panel of the table and the plot is also the README's docs/images/preview-*.png
 * when PYFLOW_UPDATE_IMAGES=1 (CONTRIBUTING.md), so that a plain run leaves the working tree as it was.
 */
async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `preview-${name}.png`) });
  const panel = await page.locator('#preview').screenshot({ path: join(RESULTS, `preview-${name}-panel.png`) });
  if (process.env.PYFLOW_UPDATE_IMAGES === '1' && (name === 'table' || name === 'plot')) {
    writeFileSync(join(__dirname, '..', '..', 'docs', 'images', `preview-${name}.png`), panel);
  }
}

const column = (page: Page, index: number): Promise<string[]> =>
  page.locator('#preview tbody tr').evaluateAll((rows, i) => rows.map((r) => r.children[i as number]!.textContent ?? ''), index);

describe('value previews in the details panel (Chromium, built bundle, extension CSP)', { timeout: 600_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('a table of records: sorted by a header click (again: the other way) or Enter, paged by 50', async () => {
    const page = await harness.open();
    const outputs = await showWithPreviews(page);
    await select(page, outputs.rows);
    assert.equal(await page.locator('#preview').getAttribute('data-kind'), 'table');
    assert.equal(await page.locator('#preview-title').textContent(), `${outputs.rows} · Array(120)`);
    assert.deepEqual(await page.locator('#preview thead th').allTextContents(), ['id', 'name', 'score', 'ok']);
    assert.equal(await page.locator('#preview .preview-page').textContent(), 'Rows 1–50 of 120');
    const rows = VALUES.rows();
    await page.locator('#preview th button', { hasText: 'score' }).click();
    const ascending = [...rows].sort((a, b) => a.score - b.score || a.id - b.id);
    assert.deepEqual(
      await column(page, 2),
      ascending.slice(0, 50).map((r) => String(r.score)),
    );
    assert.equal(await page.locator('#preview th', { hasText: 'score' }).getAttribute('aria-sort'), 'ascending');
    await page.locator('#preview th button', { hasText: 'score' }).click();
    const descending = [...rows].sort((a, b) => b.score - a.score || a.id - b.id);
    assert.deepEqual(
      await column(page, 2),
      descending.slice(0, 50).map((r) => String(r.score)),
    );
    await shot(page, 'table');
    await page.locator('#preview .preview-pager button', { hasText: 'Next' }).click();
    assert.equal(await page.locator('#preview .preview-page').textContent(), 'Rows 51–100 of 120');
    assert.deepEqual(
      await column(page, 0),
      descending.slice(50, 100).map((r) => String(r.id)),
    );
    // The keyboard: Enter on a header sorts by it (and goes back to the first page).
    await page.locator('#preview th button', { hasText: 'name' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#preview .preview-page').textContent(), 'Rows 1–50 of 120');
    assert.deepEqual(
      await column(page, 1),
      rows.slice(0, 50).map((r) => r.name),
    );
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors), []);
    assert.deepEqual((page as Page & { pyflowErrors: string[] }).pyflowErrors, []);
  });

  it('numbers: statistics, the line and the histogram drawn by uPlot on canvases', async () => {
    const page = await harness.open();
    const outputs = await showWithPreviews(page);
    await select(page, outputs.wave);
    assert.equal(await page.locator('#preview').getAttribute('data-kind'), 'numeric');
    const stats = await page.locator('#preview .preview-stats div').allTextContents();
    assert.deepEqual(
      stats.map((s) => s.replace(/[-\d.,]+$/, '')),
      ['count', 'min', 'max', 'mean'],
    );
    assert.equal(stats[0], 'count100,000');
    assert.deepEqual(await page.locator('#preview figcaption').allTextContents(), ['Min and max of each 100 values, by index', 'Histogram (64 bins)']);
    // Each plot's canvas has the series' colour on it: the line and the bars were drawn.
    const painted = await page.locator('#preview canvas').evaluateAll((canvases) =>
      canvases.map((c) => {
        const canvas = c as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let blue = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 2]! > 150 && pixels[i]! < 120 && pixels[i + 3]! > 0) blue++;
        return blue;
      }),
    );
    assert.equal(painted.length, 2);
    assert.ok(
      painted.every((n) => n > 500),
      `blue pixels per canvas: ${painted.join(', ')}`,
    );
    await shot(page, 'plot');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors), []);
  });

  it('a JSON tree expands and collapses (click, or Enter on the summary); an image loads at its preview size; a text shows', async () => {
    const page = await harness.open('vscode-light');
    const outputs = await showWithPreviews(page);
    await select(page, outputs.config);
    assert.equal(await page.locator('#preview').getAttribute('data-kind'), 'json');
    const nested = page.locator('#preview details:has(> summary > .json-key:text-is("nested"))');
    assert.equal(await nested.evaluate((d) => (d as HTMLDetailsElement).open), false);
    await nested.locator('> summary').click();
    assert.equal(await nested.evaluate((d) => (d as HTMLDetailsElement).open), true);
    assert.deepEqual(await nested.locator('> .json-children > .json-leaf').allTextContents(), ['depth: 2']);
    await nested.locator('> .json-children > details > summary').focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await nested.locator('.json-children .json-children .json-leaf').allTextContents(), ['0: "a"', '1: "b"']);
    await shot(page, 'json');
    await select(page, outputs.picture);
    assert.equal(await page.locator('#preview').getAttribute('data-kind'), 'image');
    const image = page.locator('#preview img');
    await page.waitForFunction(() => (document.querySelector('#preview img') as HTMLImageElement | null)?.complete === true);
    assert.deepEqual(await image.evaluate((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]), [64, 48]);
    assert.equal(await page.locator('#preview figcaption').textContent(), '64 × 48');
    await shot(page, 'image');
    await select(page, outputs.note);
    assert.equal(await page.locator('#preview .preview-text').textContent(), VALUES.note());
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors), []);
  });

  it("an op shows its output's value; Escape closes the panel and gives the keyboard back to the graph; v goes into it", async () => {
    const page = await harness.open('vscode-high-contrast');
    const outputs = await showWithPreviews(page);
    const rowsOp = (await page.locator('#canvas .node.kind-operation').evaluateAll((nodes) => nodes.map((n) => (n as SVGElement).dataset.uid!))).find((uid) =>
      uid.startsWith('rows'),
    )!;
    await page.locator(`#canvas .node[data-uid="${rowsOp}"]`).click();
    await page.waitForFunction((u) => document.getElementById('preview')?.dataset.key?.endsWith(`\u0000${u}`), outputs.rows);
    assert.equal(await page.locator('#preview').isVisible(), true);
    await page.locator('#canvas').focus();
    await page.keyboard.press('v');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'preview');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#preview').isHidden(), true);
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.uid), rowsOp, 'the focus is back on the selected op');
    // Another node opens it again; a new run forgets the old values.
    await select(page, outputs.wave);
    assert.equal(await page.locator('#preview').isVisible(), true);
    await post(page, { type: 'trace/reset', title: 'again' });
    await page.waitForFunction(() => document.getElementById('preview')?.dataset.kind === 'none');
    const waveOp = (await page.locator('#canvas .node.kind-operation', { hasText: 'wave' }).getAttribute('data-uid'))!;
    assert.equal(await page.locator('#preview .preview-note').textContent(), `Not computed yet in this run (${waveOp} has not been asked for).`);
    await post(page, { type: 'data/previews', previews: [{ graph: 'previews', uid: outputs.wave, preview: buildPreview([1, 2, 3]) }] });
    await page.waitForFunction(() => document.getElementById('preview')?.dataset.kind === 'numeric');
    assert.equal(await page.locator('#preview-title').textContent(), `${outputs.wave} · Array(3)`);
  });

  it('Escape closes the panel wherever the focus is in the view (a clicked node, a header button, the plot), the find box and a hover card first', async () => {
    const page = await harness.open();
    const outputs = await showWithPreviews(page);
    const focused = (): Promise<string> =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.dataset.uid !== undefined ? `node ${el.dataset.uid}` : el?.id || el?.tagName || 'none';
      });
    const escapeCloses = async (what: string, uid: string): Promise<void> => {
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#preview').isHidden(), true, `Escape with the focus on ${what} closes the panel`);
      assert.equal(await focused(), `node ${uid}`, `after Escape on ${what} the focus is on the selected node`);
    };
    // The graph after a click on a node (the focus is on the node, in the canvas).
    await select(page, outputs.rows);
    assert.equal(await focused(), `node ${outputs.rows}`);
    await escapeCloses('the clicked node', outputs.rows);
    // A button of the panel (a table header).
    await select(page, outputs.config);
    await select(page, outputs.rows);
    await page.locator('#preview th button', { hasText: 'score' }).click();
    assert.equal(await focused(), 'BUTTON');
    await escapeCloses('a header button', outputs.rows);
    // The plot: a click on it focuses the panel.
    await select(page, outputs.wave);
    await page.locator('#preview .u-over').first().click();
    assert.equal(await focused(), 'preview');
    await escapeCloses('the plot', outputs.wave);
    // Nothing focused (the webview got the focus back from the workbench with no element in it).
    await select(page, outputs.rows);
    await page.locator('#preview tbody td').first().click();
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    assert.equal(await focused(), 'BODY');
    await escapeCloses('nothing (the body)', outputs.rows);
    // The find box uses Escape first (it clears and gives the focus to the graph); the next Escape closes the panel.
    await select(page, outputs.wave);
    await page.keyboard.press('Control+f');
    await page.keyboard.type('wave');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#preview').isVisible(), true, 'Escape in the find box only clears it');
    assert.equal(await page.locator('#search').evaluate((s) => (s as HTMLInputElement).value), '');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#preview').isHidden(), true);
    // A hover card shown with `i` is hidden by the first Escape, the panel by the second.
    await select(page, outputs.config);
    // (The pointer leaves the drawing first: its hover card would come and go as the panel's opening moves the nodes.)
    await page.mouse.move(1, 1);
    await page.keyboard.press('i');
    assert.equal(await page.locator('#tooltip').isVisible(), true);
    await page.keyboard.press('Escape');
    assert.deepEqual([await page.locator('#tooltip').isHidden(), await page.locator('#preview').isVisible()], [true, true]);
    await escapeCloses('the node, hover card closed', outputs.config);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'preview-escape-closed.png') });
    assert.deepEqual((page as Page & { pyflowErrors: string[] }).pyflowErrors, []);
  });

  it('the hover card hides when a node is clicked, stays hidden until the pointer enters a node, and is never drawn over the panel', async () => {
    const page = await harness.open();
    // A narrow view (a half-width editor), where the panel takes a large part.
    await page.setViewportSize({ width: 900, height: 600 });
    const outputs = await showWithPreviews(page);
    // Zoomed by the user: the drawing stays where it is when the panel opens, so the pointer stays on the node.
    // (The canvas's focus selects its first node, whose panel Escape closes.)
    await page.locator('#canvas').focus();
    await page.keyboard.press('Escape');
    await page.keyboard.press('-');
    assert.equal(await page.locator('#preview').isHidden(), true);
    const tooltip = page.locator('#tooltip');
    const rect = (selector: string) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().toJSON() as DOMRect);
    // An op on the left (its output's preview opens): the panel and the minimap open beside it.
    const picture = page.locator('#canvas .node.kind-operation', { hasText: 'picture' });
    const node = await picture.evaluate((e) => e.getBoundingClientRect().toJSON() as DOMRect);
    await page.mouse.move(node.x + node.width / 2, node.y + node.height / 2);
    await tooltip.waitFor({ state: 'visible' });
    assert.equal(await tooltip.locator('.tip-title').textContent(), await picture.getAttribute('data-uid'));
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForFunction((u) => document.getElementById('preview')?.dataset.key?.endsWith(`\u0000${u}`), outputs.picture);
    assert.equal(await page.locator('#preview').isVisible(), true);
    assert.equal(await tooltip.isHidden(), true, 'the click hides the card');
    await page.mouse.move(node.x + node.width / 2 + 3, node.y + node.height / 2 + 1);
    assert.equal(await tooltip.isHidden(), true, 'moving over the same node does not bring it back');
    // The node drawn nearest the panel: its card is in the canvas, left of the panel.
    const nearest = await page.evaluate(() => {
      const right = document.getElementById('canvas')!.getBoundingClientRect().right;
      const boxes = [...document.querySelectorAll('#canvas .node')].map((n) => n.getBoundingClientRect()).filter((r) => r.left < right - 8);
      const best = boxes.reduce((a, b) => (b.left > a.left ? b : a));
      return { x: Math.min(best.x + best.width / 2, right - 4), y: best.y + best.height / 2 };
    });
    await page.mouse.move(nearest.x, nearest.y);
    await tooltip.waitFor({ state: 'visible' });
    const [card, panel] = [await rect('#tooltip'), await rect('#preview')];
    assert.ok(card.right <= panel.left, `the card (right ${card.right}) ends before the panel (left ${panel.left})`);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'preview-hover-beside-panel.png') });
    await page.mouse.move(1, 1);
    await tooltip.waitFor({ state: 'hidden' });
    // The keyboard's card (i) goes when the selection moves on (here to a node whose panel opens).
    await page.locator('#canvas .node.kind-operation', { hasText: 'config' }).click();
    await page.mouse.move(1, 1);
    await page.keyboard.press('i');
    await tooltip.waitFor({ state: 'visible' });
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((u) => document.querySelector('#canvas .node.selected')?.getAttribute('data-uid') === u, outputs.config);
    assert.equal(await tooltip.isHidden(), true, 'a new selection hides the card of the one before');
  });

  it('after a run that read its target from the cache, the panel says why an upstream node, or a cached one, has no value', async () => {
    const page = await harness.open();
    const { graph, outputs } = previewGraph();
    const op = (label: string): string => graph.nodes.find((n) => n.kind === 'operation' && n.label === label)!.uid;
    await post(page, { type: 'graph/show', result: fixtures.result([graph]), revision: 1, settings: { direction: 'RIGHT', full: true, edges: 'orthogonal' } });
    await page.waitForFunction(
      (n) => document.querySelectorAll('#canvas .node').length === n && !document.getElementById('canvas')!.dataset.provisional,
      graph.nodes.length,
    );
    const note = page.locator('#preview .preview-note');
    // Before a run that made previews: selecting a node leaves the panel closed.
    await page.locator(`#canvas .node[data-uid="${outputs.wave}"]`).click();
    assert.equal(await page.locator('#preview').isHidden(), true);
    // Evaluate here on rows, a second time with the cache on: rows was read from the cache (its value previewed), and
    // wave, which it is computed from, was not asked for. config was read from the cache too, with no preview.
    await post(page, { type: 'trace/reset', title: 'Evaluate here — fixture.ts' });
    const g = 'previews';
    await post(page, {
      type: 'trace/append',
      events: [
        { kind: 'activated', uid: op('rows'), graph: g },
        { kind: 'cached', uid: op('rows'), graph: g },
        { kind: 'value', uid: outputs.rows, graph: g, preview: 'Array(120)', dim: '(120, )' },
        { kind: 'deactivated', uid: op('rows'), graph: g },
        { kind: 'activated', uid: op('config'), graph: g },
        { kind: 'cached', uid: op('config'), graph: g },
        { kind: 'deactivated', uid: op('config'), graph: g },
      ],
    });
    await post(page, { type: 'data/previews', previews: [{ graph: g, uid: outputs.rows, preview: buildPreview(VALUES.rows()) }] });
    await post(page, { type: 'run/end', outcome: 'done', summary: 'Done' });
    await select(page, outputs.rows);
    assert.equal(await page.locator('#preview').getAttribute('data-kind'), 'table');
    await select(page, outputs.wave);
    assert.equal(
      await note.textContent(),
      `Not computed in this run: ${op('rows')}, downstream, was read from the result cache, so nothing upstream of it ran. Pyflow: Clear Cache (or a change to ${op('wave')}) computes it again.`,
    );
    await shot(page, 'not-computed');
    // Closed, the panel opens again on the next node to say why it has no value.
    await page.keyboard.press('Escape');
    await select(page, outputs.note);
    assert.equal(await note.textContent(), `Not computed in this run: the node evaluated does not need it (${op('note')} is not upstream of it).`);
    await select(page, outputs.config);
    assert.equal(await note.textContent(), `Read from the result cache in this run (${op('config')}), and no preview of it came.`);
  });

  it("a grafted graph's data node, drawn inside the graph that uses it, shows the preview its own graph's run sent", async () => {
    const page = await harness.open();
    const graphs = fixtures.grafted();
    const data = graphs[0]!.nodes.find((n) => n.kind === 'data')!.uid;
    await post(page, { type: 'graph/show', result: fixtures.result(graphs), revision: 1, settings: { direction: 'DOWN', full: true, edges: 'orthogonal' } });
    const copy = page.locator(`.graph[data-graph="second"] .node[data-uid="First Graph/${data}"]`);
    await copy.waitFor();
    await post(page, { type: 'trace/reset', title: 'Run Graph — fixture.ts' });
    await post(page, { type: 'data/previews', previews: [{ graph: 'First Graph', uid: data, preview: buildPreview([3, 4, 5]) }] });
    await copy.click();
    await page.waitForFunction(() => document.getElementById('preview')?.dataset.kind === 'numeric');
    assert.equal(await page.locator('#preview-title').textContent(), `First Graph/${data} · Array(3)`);
  });
});
