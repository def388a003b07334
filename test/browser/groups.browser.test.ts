import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { GraphModel } from '../../src/core/index.js';
import type { HostToWebview } from '../../src/protocol/index.js';
import { startHarness, type Harness } from './harness.js';
import * as fixtures from './fixtures.js';

/*
 * Groups, focus and selection, and the time view in the built webview (Chromium, the extension's CSP). The
 * screenshots of docs/view.md are written by these tests (media/screenshots/view-*.png, kept small; with
 * PYFLOW_UPDATE_IMAGES=1, else under test-results/).
 */

const REPO = resolve(__dirname, '..', '..');
const RESULTS = join(REPO, 'test-results');
/**
 * Where the docs' images go: the tracked copies (docs/images, media/screenshots) only when asked for with
 * PYFLOW_UPDATE_IMAGES=1, so that a test run leaves the working tree as it was.
 */
const UPDATE_IMAGES = process.env.PYFLOW_UPDATE_IMAGES === '1';
const docsDir = (...tracked: string[]): string => (UPDATE_IMAGES ? join(REPO, ...tracked) : join(RESULTS, ...tracked));

async function post(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

async function show(page: Page, graphs: GraphModel[], file = '/ws/groups.ts'): Promise<void> {
  const message: HostToWebview = {
    type: 'graph/show',
    result: fixtures.result(graphs, file),
    revision: 1,
    settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
  };
  await post(page, message);
}

/** The drawn nodes' uids, in drawing order, once the drawing is final (ELK's, not the preorder's first drawing). */
async function drawn(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('#canvas .node').length === n &&
      !document.getElementById('canvas')!.dataset.provisional &&
      !document.getElementById('canvas')!.hasAttribute('aria-busy'),
    count,
  );
  return page.locator('#canvas .node').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')!));
}

const boxes = (page: Page): Promise<string[]> => page.locator('#canvas .group').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')!));

/**
 * A README image, docs/images/NAME.png: the page cropped to the boxes of `parts` (with a margin), kept under 80 KB
 * (the .vsix never ships it: test/build.test.ts).
 */
async function docsImage(page: Page, name: string, ...parts: string[]): Promise<void> {
  const boxes = (await Promise.all(parts.map((p) => page.locator(p).first().boundingBox()))).filter((b) => b !== null);
  const view = page.viewportSize()!;
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - 12);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - 12);
  const right = Math.min(view.width, Math.max(...boxes.map((b) => b.x + b.width)) + 12);
  const bottom = Math.min(view.height, Math.max(...boxes.map((b) => b.y + b.height)) + 12);
  const dir = docsDir('docs', 'images');
  mkdirSync(dir, { recursive: true });
  const png = await page.screenshot({ path: join(dir, `${name}.png`), clip: { x, y, width: right - x, height: bottom - y }, scale: 'css' });
  assert.ok(png.length < 80 * 1024, `docs/images/${name}.png: ${png.length} bytes`);
}

async function shot(page: Page, name: string, docs = false): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `webview-${name}.png`) });
  if (docs) {
    mkdirSync(docsDir('media', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(docsDir('media', 'screenshots'), `view-${name}.png`), scale: 'css', type: 'png' });
  }
}

/** A run of the grouped fixture: every op runs 2 ms after the previous, `trim` fails. */
function groupedRun(failing = 'trim'): object[] {
  const events: object[] = [];
  let at = 0;
  for (const uid of ['load_0', 'clean_2', 'trim_4', 'clip_6', 'fit_8', 'score_10', 'report_12']) {
    events.push({ kind: 'activated', uid, graph: 'grouped', at }, { kind: 'running', uid, graph: 'grouped', at });
    at += 2;
    if (uid.startsWith(failing)) {
      events.push({ kind: 'error', uid, graph: 'grouped', message: 'bad rows', at });
      break;
    }
    events.push({ kind: 'finished', uid, graph: 'grouped', durationMs: 2, at }, { kind: 'deactivated', uid, graph: 'grouped', at });
  }
  return events;
}

/**
 * A run with a worker pool: load inline, clean and trim at once on two threads, clip inline after them.
 * `finishes`: whether the pool's ops have finished (their `finished` events name the thread).
 */
function poolRun(finishes: 'none' | 'clean' | 'both'): object[] {
  const g = 'grouped';
  const events: object[] = [
    { kind: 'running', uid: 'load_0', graph: g, at: 0 },
    { kind: 'finished', uid: 'load_0', graph: g, durationMs: 2, at: 2 },
    { kind: 'running', uid: 'clean_2', graph: g, at: 2 },
    { kind: 'running', uid: 'trim_4', graph: g, at: 2 },
  ];
  if (finishes === 'none') return events;
  events.push({ kind: 'finished', uid: 'clean_2', graph: g, durationMs: 6, worker: 'thread 1', at: 8 });
  if (finishes === 'clean') return events;
  events.push(
    { kind: 'finished', uid: 'trim_4', graph: g, durationMs: 7, worker: 'thread 2', at: 9 },
    { kind: 'running', uid: 'clip_6', graph: g, at: 9 },
    { kind: 'finished', uid: 'clip_6', graph: g, durationMs: 3, at: 12 },
  );
  return events;
}

describe('groups, focus and the time view (Chromium, built bundle)', { timeout: 1_200_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('groups are boxes around their nodes (nested), and a group collapses into one node with merged edges and back', async () => {
    const page = await harness.open();
    await show(page, [fixtures.grouped()]);
    assert.deepEqual(await drawn(page, 7), ['load_0', 'clean_2', 'trim_4', 'clip_6', 'fit_8', 'score_10', 'report_12']);
    assert.deepEqual(await boxes(page), ['cleaning', 'cleaning/outliers', 'model']);
    // Each node is inside the box of its group, and the nested box inside its parent's.
    // (A string: tsx would wrap the named inner functions in a helper the page does not have.)
    const inside = await page.evaluate(`(() => {
      const box = (sel) => document.querySelector(sel).getBoundingClientRect();
      const within = (a, b) => a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
      return [
        within(box('.node[data-uid="clean_2"]'), box('.group[data-group="cleaning"] .group-box')),
        within(box('.node[data-uid="trim_4"]'), box('.group[data-group="cleaning/outliers"] .group-box')),
        within(box('.group[data-group="cleaning/outliers"] .group-box'), box('.group[data-group="cleaning"] .group-box')),
        within(box('.node[data-uid="fit_8"]'), box('.group[data-group="model"] .group-box')),
        within(box('.node[data-uid="load_0"]'), box('.group[data-group="cleaning"] .group-box')),
      ];
    })()`);
    assert.deepEqual(inside, [true, true, true, true, false]);
    await shot(page, 'groups', true);
    // Collapse "cleaning" from its header: one folder node, its edges merged onto it.
    await page.locator('.group[data-group="cleaning"] > .group-header').click();
    assert.deepEqual(await drawn(page, 5), ['load_0', 'group:/cleaning', 'fit_8', 'score_10', 'report_12']);
    assert.deepEqual(await boxes(page), ['model']);
    assert.equal(await page.locator('.node[data-uid="group:/cleaning"] .label').textContent(), 'cleaning · 3 ops');
    const edges = await page
      .locator('#canvas .edge')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}→${e.getAttribute('data-to')}`).sort());
    assert.deepEqual(edges, ['fit_8→report_12', 'fit_8→score_10', 'group:/cleaning→fit_8', 'load_0→group:/cleaning', 'load_0→score_10', 'score_10→report_12']);
    await shot(page, 'groups-collapsed', true);
    await docsImage(page, 'groups', '#canvas .graph');
    // Keyboard: Enter on the collapsed group's node expands it; c on a node collapses its group.
    await page.locator('.node[data-uid="group:/cleaning"]').click();
    await drawn(page, 7);
    await page.locator('.node[data-uid="trim_4"]').click();
    await page.keyboard.press('c');
    assert.deepEqual(await drawn(page, 6), ['load_0', 'clean_2', 'group:/cleaning/outliers', 'fit_8', 'score_10', 'report_12']);
    assert.deepEqual((page as Page & { pyflowErrors: string[] }).pyflowErrors, []);
  });

  it("the collapsed groups are kept across edits, reloads and runs; a collapsed group shows its members' run state", async () => {
    const page = await harness.open();
    await show(page, [fixtures.grouped()]);
    await drawn(page, 7);
    await page.locator('.group[data-group="cleaning/outliers"] > .group-header').click();
    await drawn(page, 6);
    // The host is told, to keep them in the workspace state.
    const told = await page.evaluate(() => (window as unknown as { __sent: { type: string }[] }).__sent.filter((m) => m.type === 'groups/collapsed'));
    assert.deepEqual(told, [{ type: 'groups/collapsed', file: '/ws/groups.ts', graph: 'grouped', paths: ['cleaning/outliers'] }]);
    // An edit (the host sends the file's graph again, with a new op): still collapsed.
    const edited = fixtures.grouped();
    edited.nodes.push({ uid: 'extra_14', kind: 'operation', label: 'extra', fn: 'extra' });
    edited.edges.push({ from: 'data_13', to: 'extra_14' });
    await show(page, [edited]);
    assert.deepEqual(await drawn(page, 7), ['load_0', 'clean_2', 'group:/cleaning/outliers', 'fit_8', 'score_10', 'report_12', 'extra_14']);
    // A run: the collapsed group is running while one of its ops is, then failed when one failed.
    await post(page, { type: 'trace/reset', title: 'run' });
    const events = groupedRun();
    await post(page, { type: 'trace/append', events: events.slice(0, 10) });
    await page.locator('.node[data-uid="group:/cleaning/outliers"].st-running').waitFor();
    await post(page, { type: 'trace/append', events: events.slice(10) });
    await page.locator('.node[data-uid="group:/cleaning/outliers"].st-error').waitFor();
    await post(page, { type: 'run/end', outcome: 'failed', summary: 'trim_4 failed' });
    await shot(page, 'groups-run', true);
    // A reload of the webview (VS Code gives back the state it saved): still collapsed.
    const state = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    const reloaded = await harness.open('vscode-dark', `window.__savedState = ${JSON.stringify(state)};`);
    await show(reloaded, [edited]);
    assert.deepEqual(await drawn(reloaded, 7), ['load_0', 'clean_2', 'group:/cleaning/outliers', 'fit_8', 'score_10', 'report_12', 'extra_14']);
    // A new panel (no webview state) gets them from the host (the workspace state).
    const fresh = await harness.open();
    await post(fresh, {
      type: 'graph/show',
      result: fixtures.result([edited], '/ws/groups.ts'),
      revision: 1,
      settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
      collapsed: { grouped: ['cleaning'] },
    });
    assert.deepEqual(await drawn(fresh, 6), ['load_0', 'group:/cleaning', 'fit_8', 'score_10', 'report_12', 'extra_14']);
  });

  it('duration badges have room: none touches a node, an edge or a group header, in groups or out', async () => {
    const page = await harness.open();
    await show(page, [fixtures.grouped()], '/ws/badges.ts');
    await drawn(page, 7);
    await post(page, { type: 'trace/reset', title: 'run' });
    await post(page, { type: 'trace/append', events: groupedRun('none') });
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node text.badge').length === 7);
    // (A string: tsx would wrap the named inner functions in a helper the page does not have.)
    const touching = await page.evaluate(`(() => {
      const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      const badges = [...document.querySelectorAll('#canvas .node text.badge')].map((b) => [b.closest('.node').dataset.uid, b.getBoundingClientRect()]);
      const nodes = [...document.querySelectorAll('#canvas .node .shape')].map((s) => [s.closest('.node').dataset.uid, s.getBoundingClientRect()]);
      const headers = [...document.querySelectorAll('#canvas .group-header')].map((h) => ['header ' + h.closest('.group').dataset.group, h.getBoundingClientRect()]);
      const edges = [...document.querySelectorAll('#canvas .edge path')].map((p) => {
        const e = p.closest('.edge');
        const points = [];
        for (let at = 0; at <= p.getTotalLength(); at += 1) points.push(p.getPointAtLength(at));
        return ['edge ' + e.dataset.from + '>' + e.dataset.to, points, p.getScreenCTM()];
      });
      const out = [];
      for (const [uid, b] of badges) {
        for (const [other, r] of [...nodes, ...headers]) if (meet(b, r)) out.push(uid + ' / ' + other);
        for (const [name, points, m] of edges) {
          const hit = points.some((pt) => {
            const x = m.a * pt.x + m.c * pt.y + m.e;
            const y = m.b * pt.x + m.d * pt.y + m.f;
            return x > b.left && x < b.right && y > b.top && y < b.bottom;
          });
          if (hit) out.push(uid + ' / ' + name);
        }
      }
      return out;
    })()`);
    assert.deepEqual(touching, []);
    await shot(page, 'badges');
  });

  it('a large grouped graph opens with its groups collapsed; find and selection reach nodes inside collapsed groups', async () => {
    const page = await harness.open();
    const model = fixtures.groupedPipeline(1000, 50);
    // An op of stage3 whose uid is in no other uid: the only match of a find for it.
    const target = model.nodes.find((n) => n.group === 'stage3' && n.kind === 'operation' && !model.nodes.some((m) => m !== n && m.uid.includes(n.uid)))!.uid;
    await show(page, [model], '/ws/big.ts');
    const first = await drawn(page, 21);
    assert.deepEqual(first.slice(0, 3), ['source_0', 'group:/stage0', 'group:/stage1']);
    await page.locator('#canvas').focus();
    await page.keyboard.press('Control+f');
    await page.keyboard.type('step3');
    await page.waitForFunction(() => /in collapsed groups/.test(document.getElementById('find-count')!.textContent ?? ''));
    const count = await page.locator('#find-count').textContent();
    const matched = await page.locator('#canvas .node.match').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')));
    assert.ok(matched.length > 0 && matched.every((uid) => uid!.startsWith('group:/stage')), `${count}: ${matched.join(', ')}`);
    // Enter with no drawn node to step to expands the groups holding the matches.
    await page.locator('#search input').fill(target);
    await page.locator('#find-count', { hasText: '1 match (1 in collapsed groups)' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`#canvas .node.match[data-uid="${target}"]`).waitFor();
    assert.deepEqual(await boxes(page), ['stage3']);
    // Centred on the match at a readable zoom, the drawing is larger than the view: the minimap shows, and a click
    // on it moves the view there.
    await page.locator('#minimap:not([hidden])').waitFor();
    await shot(page, 'large-grouped', true);
    await docsImage(page, 'minimap', '#minimap', '#canvas .node.match');
    // The minimap is beside the drawing, never over it, nor over the time view once that opens (t).
    const apart = async (): Promise<boolean[]> => {
      const map = (await page.locator('#minimap').boundingBox())!;
      const others = [await page.locator('#canvas').boundingBox(), await page.locator('#timeview').boundingBox()];
      return others.map((b) => b === null || map.x >= b.x + b.width || b.x >= map.x + map.width || map.y >= b.y + b.height || b.y >= map.y + map.height);
    };
    assert.deepEqual(await apart(), [true, true]);
    await page.locator('#canvas').focus();
    await page.keyboard.press('t');
    await page.locator('#timeview:not([hidden])').waitFor();
    await page.locator('#minimap:not([hidden])').waitFor();
    assert.deepEqual(await apart(), [true, true]);
    await shot(page, 'minimap-timeview');
    await page.keyboard.press('t');
    await page.locator('#timeview[hidden]').waitFor({ state: 'attached' });
    const before = await page.locator('.scene').getAttribute('transform');
    const map = (await page.locator('#minimap canvas').boundingBox())!;
    await page.mouse.click(map.x + 4, map.y + 4);
    await page.waitForFunction((t) => document.querySelector('.scene')!.getAttribute('transform') !== t, before);
    await page.keyboard.press('0');
    await page.locator('#minimap[hidden]').waitFor({ state: 'attached' });
  });

  it('selection syntax in the find box; focus, upstream, downstream and path keys; the rest fades', async () => {
    const page = await harness.open();
    await show(page, [fixtures.grouped()]);
    await drawn(page, 7);
    const matches = (): Promise<string[]> => page.locator('#canvas .node.match').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')!));
    const query = async (q: string, n: number): Promise<string[]> => {
      await page.locator('#search input').fill(q);
      await page.waitForFunction((k) => document.querySelectorAll('#canvas .node.match').length === k, n);
      return matches();
    };
    assert.deepEqual(await query('+fit', 5), ['load_0', 'clean_2', 'trim_4', 'clip_6', 'fit_8']);
    assert.deepEqual(await query('clip+1', 2), ['clip_6', 'fit_8']);
    assert.deepEqual(await query('clean..score', 5), ['clean_2', 'trim_4', 'clip_6', 'fit_8', 'score_10']);
    assert.deepEqual(await query('group:cleaning', 3), ['clean_2', 'trim_4', 'clip_6']);
    // The others fade (CSS), the edges between matches do not.
    const opacity = await page.evaluate(() => [
      getComputedStyle(document.querySelector('.node[data-uid="fit_8"]')!).opacity,
      getComputedStyle(document.querySelector('.node[data-uid="trim_4"]')!).opacity,
    ]);
    assert.deepEqual(opacity, ['0.3', '1']);
    await page.locator('#search input').fill('status:broken');
    await page.locator('#find-count', { hasText: 'unknown status "broken"' }).waitFor();
    // Run states: status: and slow> follow the run.
    await post(page, { type: 'trace/reset', title: 'run' });
    await post(page, { type: 'trace/append', events: groupedRun() });
    assert.deepEqual(await query('status:failed', 1), ['trim_4']);
    assert.deepEqual(await query('slow>1ms', 2), ['load_0', 'clean_2']);
    // Keys on the canvas: f (focus, 1 hop), ] (2 hops), u, d, and p (path from the node selected before).
    await page.locator('#search input').fill('');
    await page.locator('.node[data-uid="clip_6"]').click();
    const key = async (k: string, n: number): Promise<[string, string[]]> => {
      await page.keyboard.press(k);
      await page.waitForFunction((c) => document.querySelectorAll('#canvas .node.match').length === c, n);
      return [await page.locator('#search input').evaluate((e) => (e as HTMLInputElement).value), await matches()];
    };
    assert.deepEqual(await key('f', 3), ['1+clip_6+1', ['trim_4', 'clip_6', 'fit_8']]);
    assert.deepEqual(await key(']', 6), ['2+clip_6+2', ['clean_2', 'trim_4', 'clip_6', 'fit_8', 'score_10', 'report_12']]);
    await page.mouse.move(0, 0);
    await page.locator('#tooltip[hidden]').waitFor({ state: 'attached' });
    await shot(page, 'focus', true);
    await docsImage(page, 'focus', '#canvas .graph', '#search');
    assert.deepEqual(await key('u', 4), ['+clip_6', ['load_0', 'clean_2', 'trim_4', 'clip_6']]);
    assert.deepEqual(await key('d', 4), ['clip_6+', ['clip_6', 'fit_8', 'score_10', 'report_12']]);
    await page.locator('.node[data-uid="score_10"]').click({ modifiers: ['Shift'] });
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node.match').length === 3);
    assert.equal(await page.locator('#search input').evaluate((e) => (e as HTMLInputElement).value), 'clip_6..score_10');
  });

  it('the time view: a bar per op from start to end, the failure in the error colour, linked to the graph both ways', async () => {
    const page = await harness.open('vscode-light');
    await show(page, [fixtures.grouped()]);
    await drawn(page, 7);
    await post(page, { type: 'trace/reset', title: 'run' });
    await post(page, { type: 'trace/append', events: groupedRun('score') });
    await page.keyboard.press('t');
    await page.waitForFunction(() => document.getElementById('timeview')!.dataset.bars === '6');
    assert.equal(await page.locator('#timeview').getAttribute('data-rows'), '6');
    // The error bar (score, the last row) is drawn in the theme's error colour.
    const pixel = await page.evaluate(() => {
      const canvas = document.getElementById('timeview-canvas') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const r = window.devicePixelRatio || 1;
      // Row 5 (score), near the end of the run (the last 2 ms of 12).
      const x = Math.round((150 + (11 / 12) * (canvas.clientWidth - 158)) * r);
      const y = Math.round((18 + 5 * 18 + 9) * r);
      return Array.from(ctx.getImageData(x, y, 1, 1).data);
    });
    const error = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-testing-iconFailed') || '#f14c4c');
    assert.ok(pixel[0]! > 180 && pixel[1]! < 120, `error bar colour ${pixel.join(',')} (theme: ${error})`);
    // Click the bar of fit (row 4): the graph selects fit_8.
    const box = (await page.locator('#timeview-canvas').boundingBox())!;
    await page.mouse.click(box.x + 150 + (9 / 12) * (box.width - 158), box.y + 18 + 4 * 18 + 9);
    await page.locator('#canvas .node.selected[data-uid="fit_8"]').waitFor();
    assert.match((await page.locator('#timeview-info').textContent()) ?? '', /^fit_8: finished, 8\.0 ms → 10 ms$/);
    // Select a node in the graph: its row is described; Up/Down in the time view move between ops. (The time view took
    // room from the canvas: the drawing is framed readably around fit_8; Fit shows all of it.)
    await page.locator('#fit').click();
    await page.locator('.node[data-uid="clean_2"]').click();
    await page.locator('#timeview-info', { hasText: /^clean_2: finished/ }).waitFor();
    await page.locator('#timeview-canvas').focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('#canvas .node.selected[data-uid="trim_4"]').waitFor();
    await shot(page, 'timeview', true);
    await docsImage(page, 'timeline', '#canvas .graph', '#timeview');
  });

  it("the time view's bar of a grafted op selects the drawing the run used: its copy in the graph that grafts it, expanded if collapsed", async () => {
    const page = await harness.open('vscode-dark');
    await show(page, fixtures.grafted());
    await drawn(page, 4);
    const second = page.locator('.graph[data-graph="second"]');
    // second (Evaluate here on its last op) ran First Graph's adding_0, under First Graph's name, then its own ops.
    const run = [
      { kind: 'running', uid: 'adding_0', graph: 'First Graph', at: 0 },
      { kind: 'finished', uid: 'adding_0', graph: 'First Graph', durationMs: 3, at: 3 },
      { kind: 'running', uid: 'adding_0', graph: 'second', at: 3 },
      { kind: 'finished', uid: 'adding_0', graph: 'second', durationMs: 2, at: 5 },
      { kind: 'running', uid: 'adding_3', graph: 'second', at: 5 },
      { kind: 'finished', uid: 'adding_3', graph: 'second', durationMs: 1, at: 6 },
    ];
    await post(page, { type: 'trace/reset', title: 'Evaluate here' });
    await post(page, { type: 'trace/append', events: run });
    await page.keyboard.press('t');
    await page.waitForFunction(() => document.getElementById('timeview')!.dataset.bars === '3');
    const clickRow = async (row: number): Promise<void> => {
      const box = (await page.locator('#timeview-canvas').boundingBox())!;
      // The row's label (left of the bars) picks the row's last bar.
      await page.mouse.click(box.x + 20, box.y + 18 + row * 18 + 9);
    };
    const selected = (): Promise<string[]> =>
      page
        .locator('#canvas .node.selected')
        .evaluateAll((els) => els.map((e) => `${e.closest('.graph')!.getAttribute('data-graph')}: ${e.getAttribute('data-uid')}`));
    await clickRow(0);
    await second.locator('.node.selected[data-uid="First Graph/adding_0"]').waitFor();
    assert.deepEqual(await selected(), ['second: First Graph/adding_0']);
    // The other way: selecting the copy in the graph describes the grafted op's row.
    await second.locator('.node[data-uid="adding_3"]').click();
    await page.locator('#timeview-info', { hasText: /^adding_3: finished/ }).waitFor();
    await second.locator('.node[data-uid="First Graph/adding_0"]').click();
    await page.locator('#timeview-info', { hasText: /^adding_0: finished, 0 µs → 3\.0 ms$/ }).waitFor();
    // Collapsed, the grafted group opens again to show the op, selected and in view.
    await second.locator('.group[data-group="First Graph"] > .group-header').click();
    await second.locator('.node[data-uid="group:/First Graph"]').waitFor();
    await clickRow(0);
    await second.locator('.node.selected[data-uid="First Graph/adding_0"]').waitFor();
    assert.deepEqual(await selected(), ['second: First Graph/adding_0']);
    const inView = await page.evaluate(() => {
      const c = document.getElementById('canvas')!.getBoundingClientRect();
      const n = document.querySelector('.graph[data-graph="second"] .node.selected')!.getBoundingClientRect();
      return n.left >= c.left && n.right <= c.right && n.top >= c.top && n.bottom <= c.bottom;
    });
    assert.equal(inView, true);
    await shot(page, 'timeview-grafted');
    // A run of First Graph alone (Evaluate here on its own line): the bar selects the op in its own graph.
    await post(page, { type: 'trace/reset', title: 'Evaluate here' });
    await post(page, { type: 'trace/append', events: run.slice(0, 2) });
    await page.waitForFunction(() => document.getElementById('timeview')!.dataset.bars === '1');
    await clickRow(0);
    await page.locator('.graph[data-graph="First Graph"] .node.selected[data-uid="adding_0"]').waitFor();
    assert.deepEqual(await selected(), ['First Graph: adding_0']);
    assert.deepEqual((page as Page & { pyflowErrors: string[] }).pyflowErrors, []);
  });

  it('the time view of a pool run: one row per thread and one for the main thread, a running op on its own row', async () => {
    const page = await harness.open('vscode-dark');
    await show(page, [fixtures.grouped()]);
    await drawn(page, 7);
    await post(page, { type: 'trace/reset', title: 'run' });
    await page.keyboard.press('t');
    const timeView = page.locator('#timeview');
    const announced = async (bars: number): Promise<[string | null, string | null, string | null, string | null]> => {
      await page.waitForFunction((n) => document.getElementById('timeview')!.dataset.bars === String(n), bars);
      const label = (await page.locator('#timeview-canvas').getAttribute('aria-label'))?.replace(/, [^,]*; Up and Down.*$/, '') ?? null;
      return [
        await timeView.getAttribute('data-rows-per'),
        await timeView.getAttribute('data-rows'),
        label,
        await page.locator('#time-view').getAttribute('title'),
      ];
    };
    // Before any executor op finished, nothing names a worker: one row per op.
    await post(page, { type: 'trace/append', events: poolRun('none') });
    assert.deepEqual(await announced(3), ['op', '3', 'Run time view, one row per op: 3 rows', 'Time view of the run, one row per op (t)']);
    // The first worker-named finish switches to rows per worker; trim still runs, on its own row.
    await post(page, { type: 'trace/append', events: poolRun('clean').slice(4) });
    await page.waitForFunction(() => document.getElementById('timeview')!.dataset.rowsPer === 'worker');
    assert.deepEqual(await announced(3), [
      'worker',
      '3',
      'Run time view, one row per worker: 3 rows (main thread, thread 1, trim_4)',
      'Time view of the run, one row per worker (t)',
    ]);
    await post(page, { type: 'trace/append', events: poolRun('both').slice(5) });
    await page.waitForFunction(() => /thread 2/.test(document.getElementById('timeview-canvas')!.getAttribute('aria-label')!));
    assert.deepEqual(await announced(4), [
      'worker',
      '3',
      'Run time view, one row per worker: 3 rows (main thread, thread 1, thread 2)',
      'Time view of the run, one row per worker (t)',
    ]);
    // The rows drawn are those: a click on a row's label selects the op of its last bar.
    const box = (await page.locator('#timeview-canvas').boundingBox())!;
    const clickRow = async (row: number, uid: string): Promise<void> => {
      await page.mouse.click(box.x + 20, box.y + 18 + row * 18 + 9);
      await page.locator(`#canvas .node.selected[data-uid="${uid}"]`).waitFor();
    };
    await clickRow(0, 'clip_6');
    await clickRow(1, 'clean_2');
    await clickRow(2, 'trim_4');
    assert.equal(await page.locator('#timeview-info').textContent(), 'trim_4: finished on thread 2, 2.0 ms → 9.0 ms');
    // clean (thread 1) and trim (thread 2) overlap in time: both rows have a finished bar at 5 ms of 12.
    const colours = await page.evaluate(() => {
      const canvas = document.getElementById('timeview-canvas') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const r = window.devicePixelRatio || 1;
      const x = Math.round((150 + (5 / 12) * (canvas.clientWidth - 158)) * r);
      return [1, 2].map((row) => Array.from(ctx.getImageData(x, Math.round((18 + row * 18 + 9) * r), 1, 1).data));
    });
    const background = await page.evaluate(() => {
      const canvas = document.getElementById('timeview-canvas') as HTMLCanvasElement;
      const r = window.devicePixelRatio || 1;
      return Array.from(canvas.getContext('2d')!.getImageData(Math.round((canvas.clientWidth - 2) * r), Math.round((18 + 18 + 9) * r), 1, 1).data);
    });
    assert.deepEqual(colours[0], colours[1]);
    assert.notDeepEqual(colours[0], background);
    await shot(page, 'timeview-workers');
    // A new run: the line no longer describes the last run's bar of the selected op; it does once the op runs again.
    await post(page, { type: 'trace/reset', title: 'run 2' });
    await page.waitForFunction(() => document.getElementById('timeview-info')!.textContent === '');
    await post(page, { type: 'trace/append', events: poolRun('none') });
    await page.locator('#timeview-info', { hasText: /^trim_4: running, 2\.0 ms → / }).waitFor();
  });
});
