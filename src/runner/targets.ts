import type { DataNode, GraphBuilder, OperationNode } from '../core/index.js';
import { previewValue } from '../core/index.js';
import type { RunTarget } from '../protocol/index.js';
import { sameFile } from './paths.js';

/** The part of a user's GraphBuilder the runner uses (it may come from another copy of the library). */
export type RuntimeGraph = Pick<
  GraphBuilder,
  'alias' | 'verbose' | '_lastOp' | 'operations' | 'subscribe' | 'toJSON' | 'findNode' | 'runAsync' | 'runOnlyAsync'
>;

export interface ResolvedTarget {
  label: string;
  note?: string;
  evaluate(): Promise<string | undefined>;
}

/** Finds what the user asked to evaluate among the graphs built so far, or undefined if it is not built yet. */
export function findTarget(graphs: readonly RuntimeGraph[], target: RunTarget): ResolvedTarget | undefined {
  if (target.kind === 'graph') {
    if (graphs.length === 0) return undefined;
    return {
      label: graphs.map((g) => g.alias).join(', '),
      async evaluate() {
        for (const g of graphs) await g.runAsync();
        return undefined;
      },
    };
  }
  if (target.kind === 'uid') {
    for (const g of graphs) {
      try {
        return forNode(g, g.findNode(target.uid));
      } catch {}
    }
    return undefined;
  }
  if (target.kind !== 'line') return undefined;
  let found: { graph: RuntimeGraph; op: OperationNode } | undefined;
  let count = 0;
  for (const g of graphs) {
    for (const op of g.operations) {
      const site = op.callSite;
      if (site && site.line === target.line && sameFile(site.file, target.file)) {
        found = { graph: g, op };
        count++;
      }
    }
  }
  if (!found) return undefined;
  const resolved = forNode(found.graph, found.op);
  if (count > 1) resolved.note = `line ${target.line} added ${count} nodes (a loop or helper); evaluated the last one, ${found.op.uid}`;
  return resolved;
}

function forNode(graph: RuntimeGraph, node: DataNode | OperationNode): ResolvedTarget {
  if ('get' in node) {
    return { label: node.uid, evaluate: async () => previewValue(await graph.runOnlyAsync(node)) };
  }
  const outputs = node.outputs;
  if (outputs.length === 0) {
    return {
      label: node.uid,
      evaluate: async () => {
        await graph.runOnlyAsync(node);
        return undefined;
      },
    };
  }
  return {
    label: outputs.length === 1 ? outputs[0]!.uid : outputs.map((o) => o.uid).join(', '),
    evaluate: async () => previewValue(await graph.runOnlyAsync(...outputs)),
  };
}
