import type { NodeStateKind } from '../overlay.js';

/** What the details panel knows of a data node that has no preview in the run shown. */
export interface NoPreviewFacts {
  /** A run is shown (its trace began). */
  ran: boolean;
  /** The run shown has ended. */
  ended: boolean;
  /** The op that makes the node, and its state in the run (none: it was not activated); absent for a raw input. */
  producer?: { uid: string; state?: NodeStateKind };
  /** The nearest op downstream whose result was read from the cache in this run, when the producer was not activated. */
  cachedBelow?: string;
}

/** Why the panel shows no value, in the user's words (DOM-free: tested in plain Node). */
export function noPreviewNote(f: NoPreviewFacts): string {
  if (!f.ran) return 'No value yet: run the graph (Run Graph, or Evaluate here on a line) to see it.';
  if (!f.producer) return 'A raw input: the runner makes previews of computed values only; its hover card shows it.';
  const op = f.producer.uid;
  switch (f.producer.state) {
    case undefined:
      if (!f.ended && f.cachedBelow === undefined) return `Not computed yet in this run (${op} has not been asked for).`;
      return f.cachedBelow !== undefined
        ? `Not computed in this run: ${f.cachedBelow}, downstream, was read from the result cache, so nothing upstream of it ran. Pyflow: Clear Cache (or a change to ${op}) computes it again.`
        : `Not computed in this run: the node evaluated does not need it (${op} is not upstream of it).`;
    case 'cached':
      return `Read from the result cache in this run (${op}), and no preview of it came.`;
    case 'activated':
      return `Not computed yet: ${op} waits for its inputs.`;
    case 'running':
      return `Not computed yet: ${op} is running.`;
    case 'error':
      return `Not computed: ${op} failed in this run.`;
    case 'notRun':
      return `Not computed in this run: it ended before ${op} ran (a failure or a stop came first).`;
    case 'stopped':
      return `Not computed: ${op} was stopped while running.`;
    default:
      return `Computed in this run by ${op}, but no preview of it came.`;
  }
}
