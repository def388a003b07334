import type { Page } from 'playwright-core';
import { startHarness } from '../browser/harness.js';
import * as fixtures from '../browser/fixtures.js';
import { GraphBuilder } from '../../src/core/index.js';
import { buildPreview, type HostToWebview } from '../../src/protocol/index.js';
import { medianMs, table, wallClock } from './util.js';

/** The page's `document`, for predicates that run in the page (this file is type-checked without DOM types). */
declare const document: { getElementById(id: string): { dataset: Record<string, string | undefined> } | null };

function post(page: Page, message: HostToWebview): Promise<unknown> {
  return page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
}

/**
 * Value previews (docs/view.md): what the runner spends on the preview of a 1e6-element Float64Array (downsampled
 * to line buckets and a histogram), next to the op that made it, and what the details panel spends drawing it.
 */
export async function previewBench(smoke = false): Promise<string> {
  const n = smoke ? 10_000 : 1_000_000;
  const make = (): Float64Array => Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000) + Math.sin(i / 7) * 0.1);
  const value = make();
  const op = medianMs(make, smoke ? 3 : 9, 2, wallClock);
  const preview = medianMs(() => buildPreview(value), smoke ? 3 : 9, 2, wallClock);
  const built = buildPreview(value);
  const G = new GraphBuilder({ alias: 'bench' });
  G.add(function wave() {
    return 0;
  })();
  const graph = G.toJSON();
  const data = graph.nodes.find((node) => node.kind === 'data')!.uid;
  const harness = await startHarness();
  try {
    const page = await harness.open();
    await post(page, { type: 'graph/show', result: fixtures.result([graph]), revision: 1, settings: { direction: 'DOWN', full: true, edges: 'orthogonal' } });
    await page.locator(`#canvas:not([data-provisional]) .node[data-uid="${data}"]`).waitFor();
    await post(page, { type: 'trace/reset', title: 'bench' });
    await post(page, { type: 'data/previews', previews: [{ graph: 'bench', uid: data, preview: built }] });
    await page.locator(`#canvas .node[data-uid="${data}"]`).click();
    const draws: number[] = [];
    for (let i = 0; i < (smoke ? 2 : 9); i++) {
      // Each redraw: a new run's preview of the selected node (the panel draws its plots anew).
      await page.evaluate(`delete document.getElementById('preview').dataset.drawMs`);
      await post(page, { type: 'data/previews', previews: [{ graph: 'bench', uid: data, preview: built }] });
      await page.waitForFunction(() => document.getElementById('preview')?.dataset.drawMs !== undefined);
      draws.push(Number(await page.evaluate(`document.getElementById('preview').dataset.drawMs`)));
    }
    draws.sort((a, b) => a - b);
    const draw = draws[Math.floor(draws.length / 2)]!;
    const count = n.toLocaleString('en');
    return table(
      'Value previews (ms, medians; the runner builds, the panel draws in Chromium)',
      ['what', 'value', 'target'],
      [
        [`the op: Float64Array.from of ${count} sines`, op.toFixed(1), ''],
        [`its preview in the runner (1,000 line buckets of min/max, 64-bin histogram, statistics)`, preview.toFixed(1), ''],
        ['preview / op', (preview / op).toFixed(2), '< 1'],
        [`drawing that preview in the details panel (uPlot line + histogram, ${draws.length} draws)`, draw.toFixed(1), ''],
        [`${count} elements drawn: preview + draw`, (preview + draw).toFixed(1), '< 200'],
      ],
    );
  } finally {
    await harness.close();
  }
}
