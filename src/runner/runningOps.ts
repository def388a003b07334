import type { RunningOp, TraceEvent } from '../protocol/index.js';

/**
 * The ops whose functions run now, read from a run's trace events: `running` starts one; `finished`, `error` or
 * `deactivated` ends it. Nested evaluations (a `get()` inside an op) and overlapping async ops make several; the
 * last one is the innermost.
 */
export class RunningOps {
  private readonly ops: RunningOp[] = [];

  onEvents(events: readonly TraceEvent[]): void {
    for (const e of events) {
      if (e.kind === 'running') this.ops.push({ graph: e.graph, uid: e.uid });
      else if (e.kind === 'finished' || e.kind === 'error' || e.kind === 'deactivated') {
        const i = this.ops.findLastIndex((op) => op.uid === e.uid && op.graph === e.graph);
        if (i >= 0) this.ops.splice(i, 1);
      }
    }
  }

  /** Records where a running op was added, as the runner announces it with the batch that ends in its `running`. */
  locate(announced: RunningOp): void {
    const i = this.ops.findLastIndex((op) => op.uid === announced.uid && op.graph === announced.graph);
    if (i >= 0) this.ops[i] = announced;
  }

  get all(): readonly RunningOp[] {
    return this.ops;
  }

  get innermost(): RunningOp | undefined {
    return this.ops.at(-1);
  }
}
