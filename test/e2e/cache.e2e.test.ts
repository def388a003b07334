import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './codeServer.js';
import { graphFrame, launchBrowser, openFile, openWorkbench, outputContains, runCommand, saveExtensionHostLog, screenshot, showGraph } from './workbench.js';
import { waitFor } from '../waitFor.js';

/*
 * The result cache as a user meets it in a real VS Code: Evaluate here twice reads the slow op from the cache (the
 * output channel says `… cached`, the graph marks the hits), an edit recomputes exactly the edited op and what
 * depends on it (its hover card says why), Pyflow: Clear Cache empties it, and pyflow.cache.enabled = false turns it off.
 */

/** A slow source op (a busy second), then two quick ones; Evaluate here on `total`. */
const SCRIPT = `import { GraphBuilder } from 'pyflow';

const G = new GraphBuilder({ alias: 'cached' });

function load(n: number): number[] {
  const until = Date.now() + 1000;
  while (Date.now() < until);
  return Array.from({ length: n }, (_, i) => i);
}

function scale(xs: number[]): number[] {
  return xs.map((x) => x * 2);
}

function total(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

const data = G.add(load)(5);
const scaled = G.add(scale)(data);
const sum = G.add(total)(scaled);
console.log(sum.get());
`;

const RUN_HEADER = /^=== Evaluate here: line 21 — cached\.ts \(.*\) ===$/;

/** The Pyflow channel's runs, each header's time replaced by `(time)`, once it holds `runs` runs that ended. */
async function channelRuns(server: CodeServer, runs: number): Promise<string> {
  const ended = new RegExp(`(data_\\d+ = \\d+[\\s\\S]*){${runs}}`);
  const text = await outputContains(server, ended);
  return text
    .split('\n')
    .map((line) => (RUN_HEADER.test(line) ? '=== Evaluate here: line 21 — cached.ts (time) ===' : line))
    .join('\n');
}

/**
 * What one Evaluate here of `total` prints: each op `running X` or `X cached`, in the order the engine goes. A cached
 * target is read alone: its inputs are neither activated, computed nor read.
 */
function runText(outcomes: { load: 'running' | 'cached'; scale: 'running' | 'cached'; total: 'running' | 'cached'; value: number }): string {
  const line = (uid: string, how: 'running' | 'cached') => (how === 'running' ? `running ${uid}` : `${uid} cached`);
  const header = ['=== Evaluate here: line 21 — cached.ts (time) ===', 'computing for data_6', 'total_5 activated!'];
  if (outcomes.total === 'cached') return [...header, 'total_5 cached', 'total_5 deactivated!', `data_6 = ${outcomes.value}`].join('\n');
  return [
    ...header,
    'scale_3 activated!',
    'load_0 activated!',
    'computing for data_4',
    'computing for data_2',
    line('load_0', outcomes.load),
    'load_0 deactivated!',
    line('scale_3', outcomes.scale),
    'data_2 released!',
    'scale_3 deactivated!',
    line('total_5', outcomes.total),
    'data_4 released!',
    'total_5 deactivated!',
    `data_6 = ${outcomes.value}`,
  ].join('\n');
}

describe('the result cache in a real VS Code (code-server + Chromium)', { timeout: 1_200_000 }, () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let ws: string;
  const expected: string[] = [];
  const cacheDir = () => join(ws, '.pyflow', 'cache');
  const entryCount = () =>
    existsSync(join(cacheDir(), 'entries'))
      ? readdirSync(join(cacheDir(), 'entries'), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f))).length
      : 0;

  /** Clicks Evaluate here on `total` and checks the whole channel: every run so far, then this one. */
  async function evaluateTotal(run: Parameters<typeof runText>[0]): Promise<void> {
    const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Evaluate here' });
    await lens.nth(2).waitFor();
    assert.equal(await lens.count(), 3);
    await lens.nth(2).click();
    expected.push(runText(run));
    const text = await channelRuns(server, expected.length);
    assert.equal(text.trim(), expected.join('\n'));
  }

  /** The uids of the graph's op nodes drawn as read from the cache. */
  async function cachedNodes(): Promise<string[]> {
    const frame = graphFrame(page);
    return (await frame.locator('svg.pyflow-graph .node.st-cached').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid') ?? ''))).sort();
  }

  /** The hover card of a node, line by line (the pointer leaves the view first, so the card is made anew). */
  async function hoverCard(uid: string): Promise<string[]> {
    const frame = graphFrame(page);
    await page.mouse.move(0, 0);
    await frame.locator(`svg.pyflow-graph .node[data-uid="${uid}"]`).hover();
    const tooltip = frame.locator('#tooltip:not([hidden])');
    await tooltip.locator('.tip-title', { hasText: uid }).waitFor();
    // The run line's duration varies: `run: finished, 1.00 s` is compared as `run: finished`.
    return (await tooltip.locator('div').allTextContents()).map((line) => line.replace(/^(run: [^,]+), .*$/, '$1'));
  }

  /**
   * Waits for the graph view to show this run: the ops drawn as cache hits, and `uid`'s hover card. The view hears of
   * a run by messages of its own, so it may be a moment behind the output channel.
   */
  async function expectView(cached: string[], uid: string, card: string[]): Promise<void> {
    let seen: unknown;
    let polls = 0;
    try {
      await waitFor(`the view to show ${cached.join(', ') || 'no op'} as cached and ${uid}'s card`, async () => {
        seen = { cached: await cachedNodes(), card: await hoverCard(uid) };
        polls++;
        return isDeepStrictEqual(seen, { cached, card });
      });
    } catch {
      assert.deepEqual(seen, { cached, card });
    }
    if (polls > 1) console.log(`[e2e] the view showed ${uid}'s run after ${polls} looks`);
  }

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), 'pyflow-cache-ws-'));
    writeFileSync(join(ws, 'cached.ts'), SCRIPT);
    server = await startCodeServer({ workspace: ws });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url);
    await openFile(page, 'cached.ts');
    await showGraph(page, 'cached.ts');
    await graphFrame(page).locator('#canvas:not([data-provisional]) svg.pyflow-graph .node').first().waitFor();
    await page.keyboard.press('Control+1');
  });

  afterEach(async (t) => {
    const test = t as { passed?: boolean; name: string };
    if (test.passed === false && page) {
      await screenshot(page, `e2e-cache-failed-${test.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
      saveExtensionHostLog(server, 'e2e-cache-failed-exthost.log');
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Evaluate here twice: the second run reads the target alone from the cache, says so, and the graph marks the hit', async () => {
    await evaluateTotal({ load: 'running', scale: 'running', total: 'running', value: 20 });
    assert.equal(entryCount(), 3);
    await expectView([], 'load_0', ['load_0', 'function load', 'line 19, column 16', 'run: finished', 'computed, not cached: first run']);
    await evaluateTotal({ load: 'cached', scale: 'cached', total: 'cached', value: 20 });
    await expectView(['total_5'], 'total_5', ['total_5', 'function total', 'line 21, column 15', 'run: read from the cache']);
    await screenshot(page, 'e2e-cache-hits');
  });

  it("editing scale's body recomputes scale and total only, and their hover cards say why", async () => {
    await page.locator('.monaco-editor .view-line', { hasText: 'return xs.map((x) => x * 2);' }).click();
    await page.keyboard.press('End');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('3);');
    await page.locator('.monaco-editor .view-line', { hasText: 'return xs.map((x) => x * 3);' }).waitFor();
    await evaluateTotal({ load: 'cached', scale: 'running', total: 'running', value: 30 });
    await expectView(['load_0'], 'scale_3', [
      'scale_3',
      'function scale',
      'line 20, column 18',
      'run: finished',
      'computed, not cached: function scale changed',
    ]);
    assert.deepEqual(await hoverCard('total_5'), ['total_5', 'function total', 'line 21, column 15', 'run: finished', 'computed, not cached: input 1 changed']);
    await screenshot(page, 'e2e-cache-edited');
  });

  it('Pyflow: Clear Cache empties the cache: the next run recomputes everything', async () => {
    assert.equal(entryCount(), 5);
    await runCommand(page, 'Pyflow: Clear Cache');
    await waitFor('the cache to be empty', () => entryCount() === 0 && readdirSync(join(cacheDir(), 'ops')).length === 0);
    await page.keyboard.press('Control+1');
    await evaluateTotal({ load: 'running', scale: 'running', total: 'running', value: 30 });
    await expectView([], 'load_0', ['load_0', 'function load', 'line 19, column 16', 'run: finished', 'computed, not cached: first run']);
    assert.equal(entryCount(), 3);
  });

  it('with pyflow.cache.enabled = false nothing is read from the cache nor written to it', async () => {
    // As a user would: the Settings editor, its search, the checkbox. The workbench then tells the extension host,
    // before the next command it sends it.
    await runCommand(page, 'Preferences: Open User Settings');
    await page.locator('.settings-editor .suggest-input-container .monaco-editor.focused').waitFor();
    await page.keyboard.type('pyflow.cache.enabled');
    const row = page.locator('.settings-editor .setting-item-bool', { hasText: /Cache:\s*Enabled/ });
    await row.locator('.setting-value-checkbox[aria-checked="true"]').click();
    await row.locator('.setting-value-checkbox[aria-checked="false"]').waitFor();
    const settings = join(server.userDataDir, 'User', 'settings.json');
    await waitFor('the user settings to say pyflow.cache.enabled: false', () => /"pyflow\.cache\.enabled":\s*false/.test(readFileSync(settings, 'utf8')));
    await page.keyboard.press('Control+W');
    await page.locator('.settings-editor').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+1');
    await page.locator('.tab.active[data-resource-name="cached.ts"]').waitFor();
    const before = readdirSync(cacheDir(), { recursive: true }).map(String).sort();
    await evaluateTotal({ load: 'running', scale: 'running', total: 'running', value: 30 });
    await expectView([], 'load_0', ['load_0', 'function load', 'line 19, column 16', 'run: finished']);
    assert.deepEqual(readdirSync(cacheDir(), { recursive: true }).map(String).sort(), before);
  });
});
