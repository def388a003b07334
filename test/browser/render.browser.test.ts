import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { GraphModel } from '../../src/core/index.js';
import type { HostToWebview } from '../../src/protocol/index.js';
import { dependencyClosure } from '../../src/core/index.js';
import { startHarness, type Harness } from './harness.js';
import * as fixtures from './fixtures.js';

const RESULTS = join(resolve(__dirname, '..', '..'), 'test-results');

async function show(page: Page, graphs: GraphModel[], full = false): Promise<void> {
  const message: HostToWebview = {
    type: 'graph/show',
    result: fixtures.result(graphs),
    revision: 1,
    settings: { direction: 'DOWN', full, edges: 'orthogonal' },
  };
  await page.evaluate((m) => window.postMessage(m, '*'), message);
  const expected = graphs.reduce((n, g) => n + g.nodes.filter((x) => full || x.kind !== 'data').length, 0);
  // ELK's drawing, not the first drawing a new view shows while ELK routes the edges.
  await page.waitForFunction(
    (n) => document.querySelectorAll('#canvas .node').length === n && !document.getElementById('canvas')!.dataset.provisional,
    expected,
  );
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `webview-${name}.png`) });
}

describe('graph webview in Chromium (built bundle, extension CSP)', { timeout: 1_200_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('summary view of the quickstart: three adding ops, three edges, ELK in a worker', async () => {
    const page = await harness.open();
    await show(page, [fixtures.quickstart()]);
    assert.deepEqual(await page.locator('#canvas .node .label').allTextContents(), ['adding', 'adding', 'adding']);
    assert.equal(await page.locator('#canvas .edge').count(), 3);
    assert.equal(await page.locator('.graph-title').textContent(), 'quickstart');
    assert.match((await page.locator('#status').textContent()) ?? '', /3 operations/);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors), []);
    await shot(page, 'quickstart-summary');
  });

  it('full view adds data nodes; raw inputs show their value with a record box', async () => {
    const page = await harness.open('vscode-light');
    await show(page, [fixtures.quickstart()], true);
    assert.equal(await page.locator('#canvas .node').count(), 9);
    assert.equal(await page.locator('#canvas .node.kind-data.raw.shape-record').count(), 3);
    assert.deepEqual((await page.locator('#canvas .node.raw .label').allTextContents()).sort(), ['2', '2', '3']);
    await shot(page, 'quickstart-full-light');
  });

  it('the Full view toggle switches views and is remembered; switching back reuses the layout', async () => {
    const page = await harness.open();
    await show(page, [fixtures.quickstart()]);
    await page.locator('#toggle-full').click();
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 9);
    assert.equal(await page.evaluate(() => (window as unknown as { __state: { full: boolean } }).__state.full), true);
    assert.equal(await page.locator('#canvas').getAttribute('data-layout-cached'), 'false');
    // Back to the summary: its layout is reused, not computed again.
    await page.locator('#toggle-full').click();
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 3);
    assert.equal(await page.locator('#canvas').getAttribute('data-layout-cached'), 'true');
  });

  it('pyflow styling: rank 0 on the top row, cylinders in lightblue, multi-output ports, persisted record box', async () => {
    const page = await harness.open();
    await show(page, [fixtures.styled()]);
    const ys = await page
      .locator('#canvas .node')
      .evaluateAll((els) => els.map((el) => ({ uid: el.getAttribute('data-uid'), y: el.getBoundingClientRect().top })));
    const y: Record<string, number> = Object.fromEntries(ys.map((e) => [e.uid ?? '', e.y]));
    assert.equal(y.query_dataframe_A_0, y.query_dataframe_B_2);
    assert.ok(
      Object.values(y).every((v) => v >= y.query_dataframe_A_0!),
      'rank 0 is the top row',
    );
    assert.equal(await page.locator('#canvas .node.shape-cylinder').count(), 2);
    assert.equal(await page.locator('#canvas .node.shape-cylinder .shape').first().getAttribute('fill'), 'lightblue');
    assert.equal(await page.locator('#canvas .node[data-uid="split_transform_8"] .port').count(), 2);
    assert.equal(await page.locator('#canvas .node.shape-record[data-uid^="join_transform"]').count(), 1);
    await shot(page, 'styled');
  });

  it('every pyflow shape is drawn; an unknown shape becomes a box', async () => {
    const page = await harness.open();
    await show(page, [fixtures.shapes()]);
    for (const shape of ['ellipse', 'circle', 'cylinder', 'box3d', 'record', 'diamond', 'note', 'tab', 'folder', 'hexagon']) {
      assert.equal(await page.locator(`#canvas .node.shape-${shape}`).count(), 1, shape);
    }
    assert.equal(await page.locator('#canvas .node[data-uid^="star_"] rect.shape').count(), 1);
    await shot(page, 'shapes');
  });

  it('grafted graphs: what a graph uses of another is the group of that graph, lit by its trace, and collapses', async () => {
    const page = await harness.open();
    await show(page, fixtures.grafted());
    assert.deepEqual(await page.locator('.graph-title').allTextContents(), ['First Graph', 'second']);
    const second = page.locator('.graph[data-graph="second"]');
    await second.locator('.group[data-group="First Graph"]').waitFor();
    assert.deepEqual(await second.locator('.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid'))), [
      'First Graph/adding_0',
      'adding_0',
      'adding_3',
    ]);
    const inside = await page.evaluate(`(() => {
      const box = (sel) => document.querySelector(sel).getBoundingClientRect();
      const a = box('.graph[data-graph="second"] .node[data-uid="First Graph/adding_0"]');
      const b = box('.graph[data-graph="second"] .group[data-group="First Graph"] .group-box');
      return a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
    })()`);
    assert.equal(inside, true);
    // The grafted op runs under its own graph's name: both of its drawings show it.
    await page.evaluate((m) => window.postMessage(m, '*'), { type: 'trace/reset', title: 'run' });
    await page.evaluate((m) => window.postMessage(m, '*'), {
      type: 'trace/append',
      events: [
        { kind: 'activated', uid: 'adding_0', graph: 'First Graph' },
        { kind: 'running', uid: 'adding_0', graph: 'First Graph' },
      ],
    });
    await page.locator('.graph[data-graph="First Graph"] .node[data-uid="adding_0"].st-running').waitFor();
    await second.locator('.node[data-uid="First Graph/adding_0"].st-running').waitFor();
    assert.equal(await second.locator('.node[data-uid="adding_0"].st-running').count(), 0);
    await shot(page, 'grafted');
    // Collapsed, the grafted graph is one node, in its members' state.
    await second.locator('.group[data-group="First Graph"] > .group-header').click();
    await second.locator('.node[data-uid="group:/First Graph"].st-running').waitFor();
    assert.equal(await second.locator('.node[data-uid="group:/First Graph"] .label').textContent(), 'First Graph · 1 op');
    assert.deepEqual((page as Page & { pyflowErrors: string[] }).pyflowErrors, []);
  });

  it('labels and values are text, never markup (XSS)', async () => {
    const page = await harness.open();
    await show(page, [fixtures.xss()], true);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('#canvas img, #canvas script, #canvas foreignObject, #canvas b').count(), 0);
    assert.ok((await page.locator('#canvas .node .label').allTextContents()).includes('<img src=x onerror="window.__xss=2">'));
    await page.locator('#canvas .node').first().hover();
    assert.equal(await page.locator('#tooltip img').count(), 0);
    assert.deepEqual((page as Page & { pyflowErrors: string[] }).pyflowErrors, []);
    await shot(page, 'xss');
  });

  it('follows the theme: light, dark and high contrast colour the nodes differently', async () => {
    const colors: string[] = [];
    for (const theme of ['vscode-light', 'vscode-dark', 'vscode-high-contrast'] as const) {
      const page = await harness.open(theme);
      await show(page, [fixtures.quickstart()]);
      colors.push(
        await page
          .locator('#canvas .node .label')
          .first()
          .evaluate((el) => getComputedStyle(el).fill),
      );
      await shot(page, `theme-${theme}`);
    }
    assert.equal(new Set(colors).size, 3, colors.join(' '));
  });

  it('search highlights matches, keyboard moves along edges, Enter reveals the source', async () => {
    const page = await harness.open();
    await show(page, [fixtures.styled()]);
    await page.locator('#search input, #search').first().click();
    await page.keyboard.type('product');
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node.match').length === 2);
    assert.equal(await page.locator('#find-count').textContent(), '2 matches');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#canvas .node.selected').getAttribute('data-uid'), 'product_transform_4');
    await page.keyboard.press('Escape');
    await page.locator('#canvas').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('#canvas .node.selected').getAttribute('data-uid'), 'join_transform_11');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const sent = await page.evaluate(() => (window as unknown as { __sent: { type: string; uid?: string }[] }).__sent.filter((m) => m.type === 'node/reveal'));
    assert.equal(sent.at(-1)?.uid, 'product_transform_4');
    assert.match((await page.locator('#canvas .node.selected').getAttribute('aria-label')) ?? '', /^Operation product_transform, product_transform_4/);
  });

  it("the view's errors reach the extension, but not the browser's ResizeObserver loop note (nothing failed)", async () => {
    const page = await harness.open();
    await show(page, [fixtures.styled()]);
    await page.evaluate(() => {
      window.dispatchEvent(new ErrorEvent('error', { message: 'ResizeObserver loop completed with undelivered notifications.' }));
      window.dispatchEvent(new ErrorEvent('error', { message: 'boom' }));
    });
    const errors = await page.evaluate(() =>
      (window as unknown as { __sent: { type: string; message?: string }[] }).__sent.filter((m) => m.type === 'webview/error').map((m) => m.message),
    );
    assert.deepEqual(errors, ['boom']);
  });

  it('dependency view highlights everything the selected node needs; hover shows details', async () => {
    const page = await harness.open();
    await show(page, [fixtures.styled()]);
    await page.locator('#canvas .node[data-uid="join_transform_11"]').click();
    await page.locator('#deps').click();
    const deps = await page.locator('#canvas .node.dep').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')).sort());
    assert.deepEqual(deps, [
      'join_transform_11',
      'product_transform_4',
      'product_transform_6',
      'query_dataframe_A_0',
      'query_dataframe_B_2',
      'split_transform_8',
    ]);
    await page.locator('#canvas .node[data-uid="query_dataframe_A_0"]').hover();
    const tip = await page.locator('#tooltip').innerText();
    assert.match(tip, /query_dataframe_A_0\nfunction query_dataframe_A\nrank: 0, shape: cylinder, color: lightblue/);
    await shot(page, 'dependencies');
  });

  it("a script's G.viewDependency(): full view and its highlight are shown until the user toggles the dependency view", async () => {
    const page = await harness.open();
    const graph = fixtures.quickstart();
    await show(page, [graph]);
    // What G.viewDependency(a2) sends under the runner: everything data_6 needs.
    const highlight = [...dependencyClosure(graph, ['data_6'])];
    const message: HostToWebview = {
      type: 'graph/show',
      result: fixtures.result([graph]),
      revision: 2,
      settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
      scriptView: { graph: 'quickstart', full: true, highlight },
    };
    await page.evaluate((m) => window.postMessage(m, '*'), message);
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 9);
    assert.equal(await page.locator('#toggle-full').evaluate((el) => (el as HTMLElement & { checked: boolean }).checked), true);
    const lit = await page.locator('#canvas svg.dependencies .node.dep').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')).sort());
    assert.deepEqual(lit, ['adding_0', 'adding_4', 'data_1', 'data_2', 'data_3', 'data_5', 'data_6']);
    await page.locator('#canvas:not([aria-busy])').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#status').textContent(), "3 operations · 7 nodes highlighted by the script's view()");
    await page.locator('#deps').click();
    await page.locator('#deps').click();
    assert.equal(await page.locator('#canvas .node.dep').count(), 0);
    assert.doesNotMatch((await page.locator('#status').textContent()) ?? '', /highlighted by the script/);
  });

  it('while a layout runs the view is marked busy and shows a progress bar; after it, neither', async () => {
    const page = await harness.open();
    const message = {
      type: 'graph/show',
      result: fixtures.result([fixtures.pipeline(1000, 3)]),
      revision: 1,
      settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
    };
    // Seen while it happens (it may be over before the test could look): the busy mark and the progress bar's animation.
    await page.evaluate(() => {
      const canvas = document.getElementById('canvas')!;
      const w = window as unknown as { __busy: string[] };
      w.__busy = [];
      new MutationObserver(() => {
        if (canvas.getAttribute('aria-busy') === 'true') w.__busy.push(getComputedStyle(canvas, '::before').animationName);
      }).observe(canvas, { attributes: true, attributeFilter: ['aria-busy'] });
    });
    await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
    await page.locator('#canvas[data-layout-ms]').waitFor({ state: 'attached' });
    const busy = await page.evaluate(() => (window as unknown as { __busy: string[] }).__busy);
    assert.ok(
      busy.length > 0 && busy.every((animation) => animation === 'pf-progress'),
      `busy while laying out, with the progress bar: ${JSON.stringify(busy)}`,
    );
    assert.equal(await page.locator('#canvas').getAttribute('aria-busy'), null);
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('canvas')!, '::before').content), 'none');
    assert.match((await page.locator('#status').textContent()) ?? '', /^1000 operations/);
  });

  it('zoom and pan change one transform; fit brings a 200-op pipeline into view', async () => {
    const page = await harness.open();
    await show(page, [fixtures.pipeline(200)]);
    // Laid out off the view's thread: ELK's worker and the node ordering's worker, neither fell back.
    assert.equal(page.workers().length, 2);
    assert.deepEqual(await page.evaluate(() => ({ ...document.body.dataset })), {});
    const before = await page.locator('.scene').getAttribute('transform');
    await page.locator('#zoom-in').click();
    const zoomed = await page.locator('.scene').getAttribute('transform');
    assert.notEqual(zoomed, before);
    await page.keyboard.press('0');
    const box = await page.locator('.scene').boundingBox();
    assert.ok(box && box.width <= 1000 && box.height <= 700);
    await shot(page, 'pipeline-200');
  });

  it("a new view draws the graph before ELK's worker answers, with each node where ELK then puts it; an edit does not", async () => {
    // ELK's worker (the page's first) has its answers held back until __releaseElk().
    const page = await harness.open(
      'vscode-dark',
      `(() => {
      const Real = window.Worker; let first = true; const held = []; let handler;
      window.__elkHeld = true;
      window.__releaseElk = () => { window.__elkHeld = false; for (const e of held.splice(0)) handler(e); };
      window.Worker = class extends Real {
        constructor(url, options) {
          super(url, options);
          if (!first) return;
          first = false;
          Object.defineProperty(this, 'onmessage', { set(f) { handler = f; }, get() { return handler; } });
          this.addEventListener('message', (e) => { if (window.__elkHeld) held.push(e); else handler(e); });
        }
      };
    })()`,
    );
    const graph = fixtures.pipeline(200);
    const message: HostToWebview = {
      type: 'graph/show',
      result: fixtures.result([graph]),
      revision: 1,
      settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
    };
    await page.evaluate((m) => window.postMessage(m, '*'), message);
    await page.locator('#canvas[data-provisional] .node').first().waitFor();
    assert.equal(await page.locator('#canvas .node').count(), 200);
    const edges = await page.locator('#canvas .edge').count();
    assert.ok(edges >= 199, `${edges} edges drawn`);
    assert.equal(await page.locator('#canvas').getAttribute('aria-busy'), 'true', 'still busy: the edges are not routed yet');
    assert.match((await page.locator('#status').textContent()) ?? '', /^200 operations · routing edges…$/);
    const positions = (): Promise<Record<string, number[]>> =>
      page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('#canvas .node')].map((n) => [
            n.getAttribute('data-uid'),
            (/translate\(([-\d.]+),([-\d.]+)\)/.exec(n.getAttribute('transform')!) ?? []).slice(1).map(Number),
          ]),
        ),
      );
    const before = await positions();
    // The user zooms in on the first drawing; ELK's drawing keeps that zoom.
    await page.locator('#zoom-in').click();
    const zoomed = await page.locator('.scene').getAttribute('transform');
    await page.evaluate(() => (window as unknown as { __releaseElk(): void }).__releaseElk());
    await page.waitForFunction(() => !document.getElementById('canvas')!.dataset.provisional);
    const after = await positions();
    assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
    assert.equal(await page.locator('#canvas .edge').count(), edges);
    for (const [uid, [x, y]] of Object.entries(after)) {
      const [x0, y0] = before[uid]!;
      assert.ok(Math.abs(x! - x0!) < 6 && Math.abs(y! - y0!) < 6, `${uid} moved from ${x0},${y0} to ${x},${y}`);
    }
    assert.equal(await page.locator('.scene').getAttribute('transform'), zoomed);
    assert.equal(await page.locator('#canvas').getAttribute('aria-busy'), null);
    assert.equal(await page.locator('#status').textContent(), '200 operations');
    // An edit of the same file keeps its drawing until ELK's new one is ready: no first drawing in between.
    await page.evaluate(() => {
      const w = window as unknown as { __sawProvisional: boolean };
      w.__sawProvisional = false;
      new MutationObserver(() => {
        if (document.getElementById('canvas')!.dataset.provisional) w.__sawProvisional = true;
      }).observe(document.getElementById('canvas')!, { attributes: true, attributeFilter: ['data-provisional'] });
    });
    const edited: HostToWebview = { ...message, result: fixtures.result([fixtures.pipeline(201)]), revision: 2 };
    await page.evaluate((m) => window.postMessage(m, '*'), edited);
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 201);
    assert.equal(await page.evaluate(() => (window as unknown as { __sawProvisional: boolean }).__sawProvisional), false);
  });

  it('an ordering worker that never answers does not stall the view: after 5 s ELK lays the graph out alone, and says so', async () => {
    // The page's second worker (the ordering one) swallows every request.
    const page = await harness.open(
      'vscode-dark',
      `(() => {
      const Real = window.Worker; let count = 0;
      window.Worker = class extends Real {
        constructor(url, options) {
          super(url, options);
          if (++count === 2) this.postMessage = () => undefined;
        }
      };
    })()`,
    );
    const started = Date.now();
    await show(page, [fixtures.quickstart()]);
    assert.ok(Date.now() - started >= 4_500, 'drawn once the wait was over');
    assert.deepEqual(await page.locator('#canvas .node .label').allTextContents(), ['adding', 'adding', 'adding']);
    assert.equal(await page.evaluate(() => document.body.dataset.orderingFallback), 'the ordering worker did not answer');
    assert.match((await page.locator('#status').textContent()) ?? '', /^3 operations · layout on the main thread \(the ordering worker did not answer\)$/);
  });

  it('when Web Workers cannot start, the layout and the node ordering run on the page and say so', async () => {
    const page = await harness.open('vscode-dark', `window.Worker = function () { throw new Error('workers blocked'); };`);
    await show(page, [fixtures.quickstart()]);
    assert.deepEqual(await page.locator('#canvas .node .label').allTextContents(), ['adding', 'adding', 'adding']);
    assert.equal(await page.locator('#canvas .edge').count(), 3);
    const fallbacks = await page.evaluate(() => ({ ...document.body.dataset }));
    assert.deepEqual(fallbacks, { layoutFallback: 'the layout worker could not start', orderingFallback: 'the ordering worker could not start' });
    assert.match(
      (await page.locator('#status').textContent()) ?? '',
      /3 operations · layout on the main thread \(the layout worker could not start; the ordering worker could not start\)/,
    );
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors), [], 'no CSP violation loading the fallback');
  });

  it('a 3,000-op graph is first drawn with its layers grouped; clicking a group expands it', async () => {
    const page = await harness.open();
    const message: HostToWebview = {
      type: 'graph/show',
      result: fixtures.result([fixtures.pipeline(3000)]),
      revision: 1,
      settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
    };
    await page.evaluate((m) => window.postMessage(m, '*'), message);
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length > 0);
    const groups = await page.locator('#canvas .node .label').allTextContents();
    assert.ok(groups.length <= 31 && groups.every((l) => /^layers \d+–\d+ · \d+ nodes$/.test(l)), groups.join(', '));
    assert.match((await page.locator('#status').textContent()) ?? '', /layers are grouped/);
    const members = Number(/· (\d+) nodes/.exec(groups[0]!)![1]);
    await page.locator('#canvas .node[data-uid="group:0"]').click();
    await page.waitForFunction((n) => document.querySelectorAll('#canvas .node').length === n, groups.length - 1 + members);
    assert.equal(await page.locator('#canvas .node[data-uid="group:0"]').count(), 0);
    await shot(page, 'pipeline-3000-collapsed');
  });

  it('a run streamed onto a 600-op graph: the timeline opens at once, every node gets its state across frames', async () => {
    const page = await harness.open();
    const graph = fixtures.pipeline(600);
    await show(page, [graph]);
    await page.evaluate(() => window.postMessage({ type: 'trace/reset', title: 'run' }, '*'));
    await page.locator('#timeline-label', { hasText: 'waiting for the first step' }).waitFor();
    assert.equal(await page.locator('#timeline').isVisible(), true);
    const ops = graph.nodes.filter((n) => n.kind === 'operation').map((n) => n.uid);
    // One batch changes every node: more than one frame's restyling budget, so the paint resumes over frames.
    const events = ops.flatMap((uid) => [
      { kind: 'activated', uid, graph: graph.alias },
      { kind: 'running', uid, graph: graph.alias },
      { kind: 'finished', uid, graph: graph.alias, durationMs: 1.5 },
      { kind: 'deactivated', uid, graph: graph.alias },
    ]);
    await page.evaluate((e) => window.postMessage({ type: 'trace/append', events: e }, '*'), events);
    await page.waitForFunction((n) => document.querySelectorAll('#canvas .node.st-finished').length === n, ops.length);
    assert.equal(await page.locator('#canvas .node .badge').count(), ops.length);
    assert.match((await page.locator('#timeline-label').textContent()) ?? '', new RegExp(`^${ops.length * 3}/${ops.length * 3} `));
  });

  it('export: SVG with resolved colours and a PNG are sent to the host', async () => {
    const page = await harness.open();
    await show(page, [fixtures.quickstart()]);
    await page.locator('#export-svg').click();
    await page.locator('#export-png').click();
    await page.waitForFunction(() => (window as unknown as { __sent: { type: string }[] }).__sent.filter((m) => m.type === 'export/save').length === 2);
    const [svg, png] = await page.evaluate(() =>
      (window as unknown as { __sent: { type: string; data: string }[] }).__sent.filter((m) => m.type === 'export/save').map((m) => m.data),
    );
    assert.match(svg!, /^<\?xml[\s\S]*<svg[\s\S]*adding/);
    assert.doesNotMatch(svg!, /var\(--/);
    assert.ok(Buffer.from(png!, 'base64').subarray(1, 4).toString() === 'PNG');
  });
});
