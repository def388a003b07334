import type { GraphModel, ModelNode } from './model.js';
import { viewGraph } from './summary.js';

export interface DotOptions {
  /** Summary (ops only, the default) or full view (ops and data). */
  full?: boolean;
  /** Label nodes by uid, as pyflow does in verbose mode. */
  uidLabels?: boolean;
  /** uids to draw highlighted (pyflow's activated style), e.g. a dependency closure. */
  highlight?: ReadonlySet<string>;
}

/** Graphviz DOT of a graph model, with pyflow's default styling (ranks, shapes, colours, record boxes). */
export function toDot(model: GraphModel, options: DotOptions = {}): string {
  const view = viewGraph(model, options.full === true);
  const lines = [`digraph ${quote(model.alias)} {`, '\toverlap=false ranksep=0.415 splines=true'];
  const ranks = new Map<number, ModelNode[]>();
  for (const node of view.nodes) {
    if (node.rank !== undefined) (ranks.get(node.rank) ?? ranks.set(node.rank, []).get(node.rank)!).push(node);
    else lines.push(`\t${nodeStatement(node, options)}`);
  }
  for (const rank of [...ranks.keys()].sort((a, b) => a - b)) {
    lines.push(`\t{ rank=same ${ranks.get(rank)!.map((n) => nodeStatement(n, options)).join(' ')} }`);
  }
  for (const edge of view.edges) lines.push(`\t${quote(edge.from)} -> ${quote(edge.to)}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeStatement(node: ModelNode, options: DotOptions): string {
  const label = options.uidLabels ? node.uid : node.label;
  const isOp = node.kind !== 'data';
  const attrs: Record<string, string> = {};
  const record = node.persist === true && node.kind !== 'graph';
  attrs.label = record ? `{${escapeRecord(label)}|${escapeRecord(node.dim ?? '')}}` : label;
  attrs.shape = record ? 'record' : node.shape ?? (node.kind === 'graph' ? 'box3d' : 'box');
  attrs.fontsize = String(node.fontsize ?? (node.kind === 'graph' ? 12.85 : isOp ? 12 : 10));
  if (isOp) {
    attrs.fillcolor = node.color ?? 'white';
    attrs.style = 'filled';
  }
  attrs.height = '0.0';
  attrs.width = '0.0';
  if (options.highlight?.has(node.uid)) {
    attrs.color = 'lawngreen';
    attrs.penwidth = '1.75';
  }
  return `${quote(node.uid)} [${Object.entries(attrs).map(([k, v]) => `${k}=${quote(v)}`).join(' ')}]`;
}

function quote(text: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) || /^-?\d+(\.\d+)?$/.test(text) ? text : `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function escapeRecord(text: string): string {
  return text.replace(/[{}|<>]/g, (c) => `\\${c}`);
}
