import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, type CodeServer } from './codeServer.js';
import { GENEROUS_MS, waitFor } from '../waitFor.js';

/** Drives the VS Code workbench in Debian's Chromium (selectors and timings from shared e2e-vscode.md). */
export const RESULTS = join(REPO, 'test-results');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PYFLOW_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // Every wait on this page waits for a condition; this is only how long a broken run takes to fail.
  page.setDefaultTimeout(GENEROUS_MS);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor();
  return page;
}

/**
 * Picks the row showing `rowText` in a quick input (opened by `key`, then `query` typed), and presses Enter on it.
 * The command palette answers at once, from the commands registered when it opened: while the extension host is
 * still starting, our command is missing and the list answers with "similar commands" (or nothing). Then it is
 * closed and opened again, until `deadlineMs`.
 */
async function pick(page: Page, key: string, query: string, rowText: string | RegExp, deadlineMs: number): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const match = widget.locator('.monaco-list-row.focused', { hasText: rowText });
  const other = widget.locator('.monaco-list-row', { hasText: 'similar commands' }).or(widget.locator('.quick-input-message:visible'));
  await waitFor(
    `"${String(rowText)}" in the quick input (${key}, "${query}")`,
    async () => {
      await page.keyboard.press(key);
      await input.waitFor();
      await input.fill(query);
      await match.or(other).first().waitFor();
      if ((await match.count()) > 0) {
        await page.keyboard.press('Enter');
        return true;
      }
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden' });
      return false;
    },
    deadlineMs,
  );
}

/** Runs a command from the palette, trying again until the extension has registered it. */
export async function runCommand(page: Page, title: string, timeoutMs = GENEROUS_MS): Promise<void> {
  await pick(page, 'F1', `>${title}`, title, timeoutMs);
}

/**
 * Opens a workspace file with Quick Open (Ctrl+P). One attempt waits a while; then the next one starts: Quick Open may
 * not open while the graph webview holds the focus, and a fresh workspace's file index may not have the file yet.
 */
export async function openFile(page: Page, name: string, deadlineMs = GENEROUS_MS): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    await page.keyboard.press('Control+P');
    try {
      await input.waitFor({ timeout: 10_000 });
      await input.fill(name);
      await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: name }).waitFor({ timeout: 15_000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw error;
      // Move the focus out of the webview: a click on a tab of the first editor group.
      await page
        .locator('.editor-group-container')
        .first()
        .locator('.tab')
        .first()
        .click()
        .catch(() => undefined);
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).waitFor();
}

/** The Pyflow output channel's text once it matches `pattern`; the assertion message holds the whole channel. */
export async function outputContains(server: CodeServer, pattern: RegExp): Promise<string> {
  try {
    return await waitFor(`the Pyflow output channel to match ${pattern}`, () => {
      const text = server.outputChannel('Pyflow');
      return pattern.test(text) && text;
    });
  } catch (error) {
    assert.fail(`${(error as Error).message}:\n${server.outputChannel('Pyflow')}`);
  }
}

/** Copies the extension host's and Pyflow's logs next to the screenshots (as `name`), to diagnose a failure after the fact. */
export function saveExtensionHostLog(server: CodeServer, name: string): void {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name === 'exthost.log' || e.name.endsWith('Pyflow.log')) found.push(join(dir, e.name));
    }
  };
  walk(join(server.userDataDir, 'logs'));
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, name), found.map((f) => `== ${f}\n${readFileSync(f, 'utf8')}`).join('\n'));
}

/**
 * Runs Pyflow: Show Graph and waits for the graph panel to show `file` (its tab reads "Graph: <file>"). Sometimes
 * on a fresh or loaded code-server the first run opened no panel at all (two of about twenty; no notification), or,
 * right after another file was opened, still showed the previous file (the extension host had not yet heard of
 * the new active editor); the same command worked when run again. So it is run once more then, and the retry is
 * logged so it stays visible in CI output.
 */
export async function showGraph(page: Page, file: string): Promise<void> {
  const tab = page.locator('.tab', { hasText: `Graph: ${file}` });
  await runCommand(page, 'Pyflow: Show Graph');
  try {
    await tab.waitFor({ timeout: 60_000 });
  } catch {
    const notes = await page
      .locator('.notification-list-item-message')
      .allInnerTexts()
      .catch(() => []);
    console.log(`[e2e] Show Graph did not show ${file} in 60 s (notifications: ${JSON.stringify(notes)}); running it again`);
    await runCommand(page, 'Pyflow: Show Graph');
    await tab.waitFor();
  }
}

/** The graph webview's inner frame. */
export function graphFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
