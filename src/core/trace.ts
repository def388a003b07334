import type { ResultCache } from './executor.js';

/** Where an `add` call sits in the user's source (1-based line and column). */
export interface CallSite {
  file: string;
  line: number;
  column: number;
}

/**
 * One step of an evaluation. The vocabulary follows pyflow's verbose trace; `verbose: true` prints
 * each event as the seed's line (see `formatTraceEvent`), the extension draws them on the graph.
 */
export type TraceEvent =
  | { kind: 'computing'; uid: string; graph: string }
  | { kind: 'activated'; uid: string; graph: string }
  | { kind: 'running'; uid: string; graph: string; worker?: string }
  /** `worker`: who ran an op an executor ran (`thread 2`); absent for ops run inline. */
  | { kind: 'finished'; uid: string; graph: string; durationMs: number; worker?: string }
  /** The op's outputs were read from the graph's result cache instead of calling it (no `running`/`finished`). */
  | { kind: 'cached'; uid: string; graph: string }
  | { kind: 'value'; uid: string; graph: string; preview: string; dim: string }
  | { kind: 'stillNeeded'; uid: string; graph: string; neededBy: string }
  | { kind: 'released'; uid: string; graph: string }
  | { kind: 'deactivated'; uid: string; graph: string }
  | { kind: 'error'; uid: string; graph: string; message: string };

/** The kinds of {@link TraceEvent}: `computing`, `activated`, `running`, `finished`, `cached`, … */
export type TraceKind = TraceEvent['kind'];

/** Receives every trace event of the graphs it is subscribed to, synchronously, in order. */
export type TraceListener = (event: TraceEvent) => void;

/**
 * The global hook through which a host (the Pyflow runner) observes every graph built by any copy of
 * this library in the process: `globalThis[Symbol.for('pyflow.host')]`.
 */
export interface PyflowHost {
  /** Called for each new GraphBuilder; the host may subscribe to it. */
  graphCreated(graph: unknown): void;
  /** Whether `add` should record its call site (costs a stack capture per add). */
  readonly captureCallSites: boolean;
  /** Whether `value` events (value previews) should be produced. */
  readonly previewValues: boolean;
  /** `G.view()` under a host: the host shows the graph (the extension's webview) instead of writing a file. */
  showGraph?(graph: unknown, options: { full?: boolean; highlight?: string[] }): void;
  /** The result cache of every graph whose options give none (`cache: false` opts out): `pyflow run --cache`. */
  readonly cache?: ResultCache;
  /** Called before the user's script evaluates anything; the host may take over (see runner). */
  beforeEvaluate?(graph: unknown, targets: readonly unknown[]): void;
}

/** The `globalThis` slot where a host (the extension's runner) puts its {@link PyflowHost}; every copy of pyflow reads it. */
export const HOST_SYMBOL: unique symbol = Symbol.for('pyflow.host') as never;

export function currentHost(): PyflowHost | undefined {
  return (globalThis as Record<symbol, PyflowHost | undefined>)[HOST_SYMBOL];
}
