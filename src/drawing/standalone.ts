import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphModel } from '../core/model.js';
import { viewGraph } from './viewGraph.js';
import type { ElkLike } from './layout.js';
import { layoutView } from './groupLayout.js';
import { groupView } from './groups.js';
import { renderSvg } from './render.js';
import { escapeXml, toMarkup, type VNode } from './vnode.js';

/*
 * The webview's own layout and SVG renderer, run outside a browser: `pyflow graph --format svg|html` and
 * `G.view()` in Node produce the same drawing as the extension.
 */

/** How {@link renderGraphSvg} and {@link renderGraphHtml} draw a graph. */
export interface StandaloneOptions {
  /** Full view (ops and data) instead of the summary. */
  full?: boolean;
  /** Label nodes by uid (pyflow's verbose view). */
  uidLabels?: boolean;
  /** Layout direction: top to bottom (default) or left to right. */
  direction?: 'DOWN' | 'RIGHT';
  /** uids drawn highlighted (dependency view). */
  highlight?: ReadonlySet<string>;
}

let elk: ElkLike | undefined;

/** One SVG document per graph. */
export async function renderGraphSvg(model: GraphModel, options: StandaloneOptions = {}): Promise<string> {
  elk ??= new ELK();
  // Groups are drawn expanded (boxes around their nodes).
  const placed = await layoutView(elk, groupView(viewGraph(model, options.full === true), new Set()), {
    direction: options.direction ?? 'DOWN',
    uidLabels: options.uidLabels,
  });
  const svg = renderSvg(placed);
  if (options.highlight) markNodes(svg, options.highlight, 'st-activated');
  const style = { tag: 'style', attrs: {}, children: [STANDALONE_CSS] };
  svg.children.unshift(style);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${toMarkup(svg)}\n`;
}

/** A self-contained HTML page (no scripts, no remote resources) with every graph, light or dark by system theme. */
export async function renderGraphHtml(models: readonly GraphModel[], options: StandaloneOptions & { title?: string } = {}): Promise<string> {
  const sections = await Promise.all(
    models.map(async (m) => {
      const svg = (await renderGraphSvg(m, options)).replace(/^<\?xml[^>]*>\n/, '');
      return `<section><h2>${escapeXml(m.alias)}</h2>\n${svg}</section>`;
    }),
  );
  const title = escapeXml(options.title ?? models.map((m) => m.alias).join(', '));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title} — Pyflow</title>
<style>body{font-family:system-ui,sans-serif;margin:16px;background:#fff;color:#1f1f1f}h2{font-size:1.05em}
@media (prefers-color-scheme: dark){body{background:#1f1f1f;color:#ccc}}</style></head>
<body>
${sections.join('\n')}
</body></html>
`;
}

function markNodes(node: VNode, uids: ReadonlySet<string>, cls: string): void {
  if (node.attrs['data-uid'] !== undefined && uids.has(String(node.attrs['data-uid']))) node.attrs.class = `${node.attrs.class} ${cls}`;
  for (const child of node.children) if (typeof child !== 'string') markNodes(child, uids, cls);
}

const STANDALONE_CSS = `
.edge{fill:none;stroke:#6e7681;stroke-width:1.2}.arrowhead{fill:#6e7681}
.node .shape{stroke:#444;stroke-width:1}.node:not(.filled) .shape{fill:#fff}.node .shape-line{fill:none;stroke:#444}
.node .shape.invisible{stroke:none;fill:transparent}
.node text{fill:#1f1f1f;font-family:ui-monospace,Menlo,Consolas,monospace}.graph-title{font:600 14px system-ui,sans-serif;fill:currentColor}.port{fill:#444}
.group-box{fill:rgba(127,127,127,.06);stroke:#888;stroke-dasharray:4 3}.group-header-bg{fill:rgba(127,127,127,.12)}.group-label{font:600 11px system-ui,sans-serif;fill:currentColor}
.node.dynamic .shape{stroke-dasharray:4 3}.node.st-activated .shape{stroke:#7cfc00;stroke-width:2.5}
@media (prefers-color-scheme: dark){.node .shape{stroke:#aaa}.node:not(.filled) .shape{fill:#252526}.node .shape-line{stroke:#aaa}.node text{fill:#ddd}.node.filled text{fill:#1f1f1f}.edge{stroke:#8b949e}.arrowhead{fill:#8b949e}}
`;
