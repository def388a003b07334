import type { GraphBuilder } from './graphBuilder.js';
import type { DataNode, OperationNode } from './nodes.js';
import type { GraphModel, ModelEdge, ModelNode, SourceRange } from './model.js';
import { dimensionOf, previewValue } from './dims.js';

/** The graph model of a builder, in uid order; data of grafted graphs becomes one `graph` node each. */
export function toGraphModel(graph: GraphBuilder): GraphModel {
  const nodes: ModelNode[] = [];
  const edges: ModelEdge[] = [];
  const seen = new Set<string>();
  const edgeKeys = new Set<string>();
  const addEdge = (from: string, to: string): void => {
    const key = `${from}\u0000${to}`;
    if (edgeKeys.has(key)) return;
    edgeKeys.add(key);
    edges.push({ from, to });
  };
  for (const op of graph._ops) {
    const source = op.callSite ? { file: op.callSite.file, line: op.callSite.line, column: op.callSite.column } : undefined;
    nodes.push(opNode(op, source));
    for (const parent of op._parents) {
      if (parent._graph !== graph) {
        const graphUid = parent._graph.alias;
        if (!seen.has(graphUid)) {
          seen.add(graphUid);
          nodes.push({ uid: graphUid, kind: 'graph', label: graphUid, graph: graphUid, shape: 'box3d' });
        }
        addEdge(graphUid, op.uid);
        continue;
      }
      if (!seen.has(parent.uid) && parent.isRaw()) {
        seen.add(parent.uid);
        nodes.push(dataNode(parent, source));
      }
      addEdge(parent.uid, op.uid);
    }
    for (const out of op._outputs) {
      seen.add(out.uid);
      nodes.push(dataNode(out, source));
      addEdge(op.uid, out.uid);
    }
  }
  return { alias: graph.alias, nodes, edges };
}

function opNode(op: OperationNode, source: SourceRange | undefined): ModelNode {
  const o = op._options;
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
  if (data.isRaw()) {
    node.raw = true;
    node.value = previewValue(data._value);
  }
  if (data.isPersisted()) node.persist = true;
  if (data.isPersisted() && data.hasValue()) node.dim = dimensionOf(data._value);
  if (source) node.source = source;
  return node;
}
