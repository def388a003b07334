import type { GraphModel, RunEndOutcome, RunningOp, TraceEvent } from '../protocol/index.js';
import type { RunOutcome } from '../runner/startRun.js';
import { RunningOps } from '../runner/runningOps.js';

/**
 * What a live run is doing, from its messages: which ops are running now (between their `running` event and
 * their end), where they were added, and how to say the run ended. Kept apart from VS Code so it is tested in Node.
 */
export class RunProgress {
  private readonly running = new RunningOps();
  private readonly graphs = new Map<string, GraphModel>();

  constructor(private readonly relativePath: (file: string) => string = (f) => f) {}

  onGraph(graph: GraphModel): void {
    this.graphs.set(graph.alias, graph);
  }

  onEvents(events: readonly TraceEvent[]): void {
    this.running.onEvents(events);
  }

  /** The running ops, each as `uid (file:line)`; the innermost (last started) last. */
  runningOps(): string[] {
    return this.running.all.map((op) => this.describeRunning(op));
  }

  private describeRunning({ uid, graph, source }: RunningOp): string {
    const at = source ?? this.graphs.get(graph)?.nodes.find((n) => n.uid === uid)?.source;
    return at ? `${uid} (${this.relativePath(at.file)}:${at.line})` : uid;
  }

  /** The op the progress notification names: the one started last. */
  current(): string | undefined {
    return this.runningOps().at(-1);
  }

  /** How the run ended, for the graph view and the notification: a stop or a timeout names the op that was running. */
  describe(outcome: RunOutcome): { outcome: RunEndOutcome; summary: string } {
    // The runner names the op it saw running when it was stopped; the events seen here are the fallback.
    const ops =
      (outcome.status === 'cancelled' || outcome.status === 'timeout') && outcome.running ? [this.describeRunning(outcome.running)] : this.runningOps();
    const during = ops.length === 0 ? ' (no op was running)' : ` while ${ops.join(', ')} ${ops.length === 1 ? 'was' : 'were'} running`;
    switch (outcome.status) {
      case 'done': {
        const m = outcome.message;
        return { outcome: 'done', summary: m.preview !== undefined ? `Done: ${m.target} = ${m.preview}` : m.target ? `Done: ${m.target}` : 'Done' };
      }
      case 'failed':
        return { outcome: 'failed', summary: `Failed: ${outcome.error.message.split('\n')[0]}` };
      case 'cancelled':
        return { outcome: 'stopped', summary: `Stopped${during}` };
      case 'timeout':
        return { outcome: 'timeout', summary: `Stopped after ${outcome.afterMs / 1000} s (pyflow.run.timeoutSeconds)${during}` };
      default:
        return { outcome: 'failed', summary: `Ended${during}` };
    }
  }
}
