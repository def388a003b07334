import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './codeServer.js';

/** Drives the VS Code workbench in Debian's Chromium (selectors and timings from shared e2e-vscode.md). */
export const RESULTS = join(REPO, 'test-results');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PYFLOW_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return page;
}

/** Runs a command from the palette, retrying until the extension has registered it. */
export async function runCommand(page: Page, title: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  while (Date.now() < deadline) {
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 5000 });
    await input.fill(`>${title}`);
    try {
      await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: 2000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 5000 });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: name }).waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active`, { hasText: name }).waitFor({ timeout: 15_000 });
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
    await tab.waitFor({ timeout: 20_000 });
  } catch {
    const notes = await page.locator('.notification-list-item-message').allInnerTexts().catch(() => []);
    console.log(`[e2e] Show Graph did not show ${file} in 20 s (notifications: ${JSON.stringify(notes)}); running it again`);
    await runCommand(page, 'Pyflow: Show Graph');
    await tab.waitFor({ timeout: 30_000 });
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
