/**
 * Draws a {@link GraphModel} (`G.toJSON()`) as SVG or a standalone HTML page, in Node, with the extension's layout.
 *
 * @module pyflow/view
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GraphModel } from '../core/model.js';
import { renderGraphHtml, renderGraphSvg, type StandaloneOptions } from './standalone.js';

export { renderGraphHtml, renderGraphSvg, type StandaloneOptions } from './standalone.js';

/** Options of {@link writeGraphView}: the drawing's, and where to write it. */
export interface WriteViewOptions extends StandaloneOptions {
  /** Where to write; `.svg` writes an SVG, anything else HTML. Default: a new HTML file in the temp dir. */
  path?: string;
}

/** Writes a standalone drawing of the graph (`G.view()` in Node) and returns its path. */
export async function writeGraphView(model: GraphModel, options: WriteViewOptions = {}): Promise<string> {
  const safe = model.alias.replace(/[^A-Za-z0-9_.-]+/g, '_');
  const path = options.path ?? join(tmpdir(), `pyflow-${safe}-${Date.now()}.html`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, path.endsWith('.svg') ? await renderGraphSvg(model, options) : await renderGraphHtml([model], options));
  return path;
}
