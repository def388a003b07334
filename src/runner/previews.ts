import type { DataNode, OperationNode } from '../core/index.js';
import { DEFAULT_PREVIEW_LIMITS, RUN_PREVIEW_BYTES, buildPreview, describeValueType, type NodePreview, type PreviewLimits } from '../protocol/index.js';
import type { RuntimeGraph } from './targets.js';

/**
 * The data previews of a run: built when an op's output is stored (its `value` event, before anything can release
 * it), queued until the next flush, a node's newer preview replacing an older one still queued. Once the run's
 * previews have taken `budget` bytes, later values get an `omitted` preview.
 */
export class RunPreviews {
  private pending = new Map<string, NodePreview>();
  private spent = 0;
  /** Each graph's data nodes by uid, filled from the newest op back as values arrive. */
  private readonly indexes = new WeakMap<RuntimeGraph, { nodes: Map<string, DataNode>; newest?: OperationNode }>();

  constructor(
    private readonly budget = RUN_PREVIEW_BYTES,
    private readonly limits: PreviewLimits = DEFAULT_PREVIEW_LIMITS,
  ) {}

  /** The output `uid` of `graph` has just been stored: queue its preview. */
  onValue(graph: RuntimeGraph, uid: string): void {
    const node = this.dataNode(graph, uid);
    if (!node?.hasValue()) return;
    const value = node._value;
    const key = `${graph.alias}\u0000${uid}`;
    if (this.spent >= this.budget) {
      const reason = `the run's previews reached their budget (${RUN_PREVIEW_BYTES / 2 ** 20} MB) before this value`;
      this.pending.set(key, { graph: graph.alias, uid, preview: { kind: 'omitted', type: describeValueType(value), reason } });
      return;
    }
    const preview = buildPreview(value, this.limits);
    this.spent += JSON.stringify(preview).length;
    this.pending.set(key, { graph: graph.alias, uid, preview });
  }

  get count(): number {
    return this.pending.size;
  }

  /** The queued previews, in the order their values arrived; the queue is emptied. */
  take(): NodePreview[] {
    const out = [...this.pending.values()];
    this.pending = new Map();
    return out;
  }

  private dataNode(graph: RuntimeGraph, uid: string): DataNode | undefined {
    let index = this.indexes.get(graph);
    if (!index) this.indexes.set(graph, (index = { nodes: new Map() }));
    if (!index.nodes.has(uid)) {
      for (let op = graph._lastOp; op !== undefined && op !== index.newest; op = op._prevOp) {
        for (const output of op.outputs) index.nodes.set(output.uid, output);
      }
      index.newest = graph._lastOp;
    }
    return index.nodes.get(uid);
  }
}
