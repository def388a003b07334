import type { GraphBuilder } from './graphBuilder.js';
import type { DataNode, OperationNode } from './nodes.js';
import type { GraphModel, ModelEdge, ModelNode, SourceRange } from './model.js';
import { dimensionOf, previewValue } from './dims.js';

/**
 * The graph model of a builder, in uid order; data of grafted graphs becomes one `graph` node each. A raw input belongs
 * to the op it was given to, but the user may pass it on (`G.add(f)(op.inputs[0])`): each node is listed once.
 */
export function toGraphModel(graph: GraphBuilder): GraphModel {
  const nodes: ModelNode[] = [];
  const edges: ModelEdge[] = [];
  const grafted = new Set<string>();
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
        const graphUid = parent._graph.alias;
        if (!grafted.has(graphUid)) {
          grafted.add(graphUid);
          nodes.push({ uid: graphUid, kind: 'graph', label: graphUid, graph: graphUid, shape: 'box3d' });
        }
        if (!edges.some((e) => e.from === graphUid && e.to === op.uid)) edges.push({ from: graphUid, to: op.uid });
        continue;
      }
      if (parent._producer === undefined && !listedRaw.has(parent)) {
        listedRaw.add(parent);
        nodes.push(dataNode(parent, source));
      }
      edges.push({ from: parent.uid, to: op.uid });
    }
    for (const out of op.outputs) {
      nodes.push(dataNode(out, source));
      edges.push({ from: op.uid, to: out.uid });
    }
  }
  return graph.verbose ? { alias: graph.alias, verbose: true, nodes, edges } : { alias: graph.alias, nodes, edges };
}

function opNode(op: OperationNode, source: SourceRange | undefined): ModelNode {
  const o = op._extras.options;
  const node: ModelNode = { uid: op.uid, kind: 'operation', label: o.alias ?? op.fnName, fn: op.fnName };
  if (o.alias !== undefined) node.alias = o.alias;
  if (o.rank !== undefined) node.rank = o.rank;
  if (o.shape !== undefined) node.shape = o.shape;
  if (o.color !== undefined) node.color = o.color;
  if (o.fontsize !== undefined) node.fontsize = o.fontsize;
  if (source) node.source = source;
  return node;
}

function dataNode(data: DataNode, source: SourceRange | undefined): ModelNode {
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
  if (source) node.source = source;
  return node;
}
