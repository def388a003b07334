import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadAnalysis } from '../analysis/lazy.js';
import type { GraphModel } from '../core/index.js';
import { renderGraphHtml, renderGraphSvg, toDot } from '../drawing/index.js';

export interface GraphRequest {
  file: string;
  text: string;
  full: boolean;
  format: 'json' | 'dot' | 'svg' | 'html';
  out: string | undefined;
}

/**
 * `pyflow graph`, in a bundle of its own (dist/cli-graph.js) with the drawing code; the extractor comes from
 * dist/extractor.js. `pyflow run` and `--help` load neither.
 */
export async function writeGraph({ file, text, full, format, out }: GraphRequest, fail: (message: string, code?: number) => never): Promise<void> {
  const { extractGraph, refineWithTypes } = loadAnalysis();
  const quick = extractGraph(text, file);
  const result = refineWithTypes(text, file, quick) ?? quick;
  delete result.typesPending;
  if (format !== 'json') {
    for (const d of result.diagnostics) process.stderr.write(`${d.range.file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}\n`);
    if (result.graphs.length === 0) fail(`no pyflow graph in ${file}`, 1);
  }
  let body: string;
  if (format === 'json') body = `${JSON.stringify(result, null, 2)}\n`;
  else if (format === 'dot') body = result.graphs.map((g) => toDot(g, { full })).join('\n');
  else if (format === 'html') body = await renderGraphHtml(result.graphs, { full, title: basename(file) });
  else if (result.graphs.length === 1) body = await renderGraphSvg(result.graphs[0]!, { full });
  else return writeSvgs(result.graphs, full, out, fail);
  if (out) writeFileSync(out, body);
  else process.stdout.write(body);
}

/** Several graphs as SVG: one file each, OUT with the graph alias before the extension. */
async function writeSvgs(graphs: GraphModel[], full: boolean, out: string | undefined, fail: (message: string) => never): Promise<void> {
  if (!out) fail(`${graphs.length} graphs in this file: an SVG holds one; use --format html, or -o OUT.svg to write one file per graph`);
  for (const g of graphs) {
    const path = out.replace(/(\.svg)?$/, `.${g.alias.replace(/[^A-Za-z0-9_.-]+/g, '_')}.svg`);
    writeFileSync(path, await renderGraphSvg(g, { full }));
    process.stderr.write(`wrote ${path}\n`);
  }
}
