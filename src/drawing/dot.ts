import type { GraphModel, ModelNode } from '../core/model.js';
import { viewGraph, type ViewGraph } from './viewGraph.js';

/** Options of {@link toDot}. */
export interface DotOptions {
  /** Summary (ops only, the default) or full view (ops and data). */
  full?: boolean;
  /** Label nodes by uid, as pyflow does in verbose mode. */
  uidLabels?: boolean;
  /** uids to draw highlighted (pyflow's activated style), e.g. a dependency closure. */
  highlight?: ReadonlySet<string>;
}

/**
 * Graphviz DOT of a graph model, with pyflow's default styling (ranks, shapes, colours, record boxes). Every ID and
 * attribute value is quoted (DOT's keywords `graph`, `node`, `edge`, `strict`, `subgraph` and `digraph` are reserved in
 * any case), and labels show their text as written (see `labelText`, `recordField`).
 */
export function toDot(model: GraphModel, options: DotOptions = {}): string {
  const view = viewGraph(model, options.full === true);
  if (view.nodes.some((n) => n.group !== undefined)) return groupedDot(model.alias, view, options);
  const lines = [`digraph ${quote(model.alias)} {`, '\toverlap=false ranksep=0.415 splines=true'];
  const ranks = new Map<number, ModelNode[]>();
  for (const node of view.nodes) {
    if (node.rank !== undefined) (ranks.get(node.rank) ?? ranks.set(node.rank, []).get(node.rank)!).push(node);
    else lines.push(`\t${nodeStatement(node, options)}`);
  }
  for (const rank of [...ranks.keys()].sort((a, b) => a - b)) {
    lines.push(
      `\t{ rank=same ${ranks
        .get(rank)!
        .map((n) => nodeStatement(n, options))
        .join(' ')} }`,
    );
  }
  for (const edge of view.edges) lines.push(`\t${quote(edge.from)} -> ${quote(edge.to)}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

interface Cluster {
  path: string;
  nodes: ModelNode[];
  children: Map<string, Cluster>;
}

/**
 * A view with groups: each group is a cluster (nested as its path is), labelled with its last name. A node can sit in
 * one subgraph only, so equal ranks are said by ID after the clusters, with `newrank` (ranks across clusters).
 */
function groupedDot(alias: string, view: ViewGraph, options: DotOptions): string {
  const root: Cluster = { path: '', nodes: [], children: new Map() };
  for (const node of view.nodes) {
    let cluster = root;
    for (const name of node.group?.split('/') ?? []) {
      const path = cluster.path === '' ? name : `${cluster.path}/${name}`;
      cluster = cluster.children.get(name) ?? cluster.children.set(name, { path, nodes: [], children: new Map() }).get(name)!;
    }
    cluster.nodes.push(node);
  }
  const lines = [`digraph ${quote(alias)} {`, '\toverlap=false ranksep=0.415 splines=true newrank=true'];
  const emit = (cluster: Cluster, indent: string): void => {
    for (const node of cluster.nodes) lines.push(`${indent}${nodeStatement(node, options)}`);
    for (const [name, child] of cluster.children) {
      lines.push(`${indent}subgraph ${quote(`cluster_${child.path}`)} {`);
      lines.push(`${indent}\tlabel=${quoteEscaped(labelText(name))} style="rounded,dashed" fontsize="11"`);
      emit(child, `${indent}\t`);
      lines.push(`${indent}}`);
    }
  };
  emit(root, '\t');
  const ranks = new Map<number, string[]>();
  for (const node of view.nodes) if (node.rank !== undefined) (ranks.get(node.rank) ?? ranks.set(node.rank, []).get(node.rank)!).push(quote(node.uid));
  for (const rank of [...ranks.keys()].sort((a, b) => a - b)) lines.push(`\t{ rank=same ${ranks.get(rank)!.join(' ')} }`);
  for (const edge of view.edges) lines.push(`\t${quote(edge.from)} -> ${quote(edge.to)}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeStatement(node: ModelNode, options: DotOptions): string {
  const label = options.uidLabels ? node.uid : node.label;
  const isOp = node.kind !== 'data';
  // A persisted output is drawn as a record box with its dimension; a shape given as a record is one field.
  const persisted = node.persist === true && node.kind !== 'graph';
  const shape = persisted ? 'record' : (node.shape ?? (node.kind === 'graph' ? 'box3d' : 'box'));
  const attrs: Record<string, string> = {};
  attrs.label = quoteEscaped(
    persisted ? `{${recordField(label)}|${recordField(node.dim ?? '')}}` : /^m?record$/i.test(shape) ? recordField(label) : labelText(label),
  );
  attrs.shape = quote(shape);
  attrs.fontsize = quote(String(node.fontsize ?? (node.kind === 'graph' ? 12.85 : isOp ? 12 : 10)));
  if (isOp) {
    attrs.fillcolor = quote(node.color ?? 'white');
    attrs.style = quote('filled');
  }
  attrs.height = quote('0.0');
  attrs.width = quote('0.0');
  if (options.highlight?.has(node.uid)) {
    attrs.color = quote('lawngreen');
    attrs.penwidth = quote('1.75');
  }
  return `${quote(node.uid)} [${Object.entries(attrs)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}]`;
}

/**
 * A quoted DOT ID or attribute value. Graphviz keeps every backslash of a quoted ID (and reads `\"` as a quote), so a
 * lone backslash cannot come right before the closing quote: backslashes are written doubled, and newlines as `\n`
 * (Graphviz 16's wasm build corrupts its memory on an edge to a node whose name starts with a newline). So Graphviz's
 * name of a node whose uid holds either has its backslashes doubled and `\n` for its newlines; its label shows the uid.
 */
function quote(text: string): string {
  return quoteEscaped(text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n'));
}

/** A quoted DOT string of text whose backslashes are escapes already: only its quotes are escaped. */
function quoteEscaped(escaped: string): string {
  return `"${escaped.replace(/"/g, '\\"')}"`;
}

/**
 * A label that Graphviz shows as written: backslashes are not read as escapes (`\n`, `\N`, `\G`, ...), nor ampersands as
 * HTML entities (`&amp;`); line breaks (`\n`, `\r\n`, `\r`) break lines. An empty first line is drawn as a no-break space: Graphviz 16 (its
 * wasm build at least) corrupts its memory laying out a connected node whose label starts with a line break.
 */
function labelText(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/\r\n?|\n/g, '\\n');
  return escaped.startsWith('\\n') ? `\u00a0${escaped}` : escaped;
}

/**
 * One field of a record label: as `labelText`, with its separators (`{ } | < >`) and spaces escaped (Graphviz collapses
 * runs of spaces in a record, and drops tabs: they are written as spaces); leading spaces, which Graphviz drops from a field even when escaped, become no-break spaces.
 */
function recordField(text: string): string {
  const spaced = text.replace(/\t/g, ' ').replace(/^ +/, (spaces) => '\u00a0'.repeat(spaces.length));
  return labelText(spaced).replace(/[{}|<> ]/g, (c) => `\\${c}`);
}
