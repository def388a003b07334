import type { GraphBuilder } from './graphBuilder.js';
import type { DataNode, OperationNode } from './nodes.js';
import type { GraphModel, ModelEdge, ModelNode, SourceRange } from './model.js';
import { dimensionOf, previewValue } from './dims.js';
import { graftedUid, withGrafts } from './graftedGroup.js';

/**
 * The graph model of a builder, in uid order, after what it uses of the graphs it grafts (see `withGrafts`). A raw
 * input belongs to the op it was given to, but the user may pass it on (`G.add(f)(op.inputs[0])`): each node is
 * listed once.
 */
export function toGraphModel(graph: GraphBuilder, within: ReadonlySet<GraphBuilder> = new Set([graph])): GraphModel {
  const nodes: ModelNode[] = [];
  const edges: ModelEdge[] = [];
  const grafts = new Map<GraphBuilder, Set<string>>();
  const listedRaw = new Set<DataNode>();
  for (const op of graph._ops) {
    const source = op.callSite ? { file: op.callSite.file, line: op.callSite.line, column: op.callSite.column } : undefined;
    nodes.push(opNode(op, source));
    const parents = op._parents;
    const unique = parents.length > 1 ? new Set<DataNode>() : undefined;
    for (let i = 0; i < parents.length; i++) {
      const parent = parents[i]!;
      if (unique) {
        if (unique.has(parent)) continue;
        unique.add(parent);
      }
      if (parent._graph !== graph) {
        const other = parent._graph;
        const used = grafts.get(other) ?? new Set<string>();
        grafts.set(other, used.add(parent.uid));
        edges.push({ from: graftedUid(other.alias, parent.uid), to: op.uid });
        continue;
      }
      if (parent._producer === undefined && !listedRaw.has(parent)) {
        listedRaw.add(parent);
        nodes.push(dataNode(parent, source, op._extras.options.group));
      }
      edges.push({ from: parent.uid, to: op.uid });
    }
    for (const out of op.outputs) {
      nodes.push(dataNode(out, source, op._extras.options.group));
      edges.push({ from: op.uid, to: out.uid });
    }
  }
  const own: GraphModel = graph.verbose ? { alias: graph.alias, verbose: true, nodes, edges } : { alias: graph.alias, nodes, edges };
  return withGrafts(own, grafts, within, { aliasOf: (g) => g.alias, modelOf: toGraphModel });
}

function opNode(op: OperationNode, source: SourceRange | undefined): ModelNode {
  const o = op._extras.options;
  const node: ModelNode = { uid: op.uid, kind: 'operation', label: o.alias ?? op.fnName, fn: op.fnName };
  if (o.alias !== undefined) node.alias = o.alias;
  if (o.rank !== undefined) node.rank = o.rank;
  if (o.shape !== undefined) node.shape = o.shape;
  if (o.color !== undefined) node.color = o.color;
  if (o.fontsize !== undefined) node.fontsize = o.fontsize;
  if (o.group !== undefined) node.group = o.group;
  if (source) node.source = source;
  return node;
}

function dataNode(data: DataNode, source: SourceRange | undefined, group: string | undefined): ModelNode {
  const node: ModelNode = { uid: data.uid, kind: 'data', label: data.alias ?? 'data' };
  if (data.alias !== undefined) node.alias = data.alias;
  if (data._producer === undefined) {
    node.raw = true;
    node.value = previewValue(data.hasValue() ? data._value : undefined);
  }
  if (data.isPersisted()) {
    node.persist = true;
    if (data.hasValue()) node.dim = dimensionOf(data._value);
  }
  if (group !== undefined) node.group = group;
  if (source) node.source = source;
  return node;
}
