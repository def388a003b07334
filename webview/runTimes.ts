import type { TimedEvent } from '../src/protocol/index.js';

/** How a bar of the time view ends: done, failed, or still running (or stopped when the run ended). */
export type BarEnd = 'finished' | 'error' | 'running';

/** One op's run, from its `running` event to its `finished` or `error` (ms since the run started). */
export interface Bar {
  row: number;
  key: string;
  start: number;
  end: number;
  how: BarEnd;
}

/** A data node released (`released`) or kept for a later op (`kept`), on the row of the op that made it. */
export interface Mark {
  row: number;
  key: string;
  at: number;
  kind: 'released' | 'kept';
}

/**
 * The times of a run's ops, from its trace: one row per op, or per worker when the events say which worker ran
 * them (`worker`, added by the parallel executors). An event without a time (`at`, stamped by the runner) is
 * placed on a sequential clock: each op starts where the one before ended.
 */
export class RunTimes {
  readonly rows: string[] = [];
  readonly bars: Bar[] = [];
  readonly marks: Mark[] = [];
  /** The index in `bars` of the last bar of each op key (the one a `finished` event closes). */
  private open = new Map<string, number>();
  private rowOf = new Map<string, number>();
  /** The row of each op key's latest bar (its worker's, with per-worker rows). */
  private lastRow = new Map<string, number>();
  /** The latest time seen: running bars end there. */
  now = 0;
  private clock = 0;
  byWorker = false;

  /** `producerOf`: the op key that made a data key (marks go on its row). */
  constructor(private readonly producerOf: (key: string) => string | undefined = () => undefined) {}

  append(events: readonly TimedEvent[]): void {
    for (const e of events) {
      const key = `${e.graph}\u0000${e.uid}`;
      const worker = (e as { worker?: unknown }).worker;
      const at = e.at ?? this.clock;
      this.now = Math.max(this.now, at);
      switch (e.kind) {
        case 'running': {
          if (worker !== undefined && !this.byWorker && this.bars.length === 0) this.byWorker = true;
          const row = this.row(this.byWorker && worker !== undefined ? `worker ${String(worker)}` : key);
          this.open.set(key, this.bars.push({ row, key, start: at, end: at, how: 'running' }) - 1);
          this.lastRow.set(key, row);
          break;
        }
        case 'finished':
        case 'error': {
          const i = this.open.get(key);
          if (i === undefined) break;
          const bar = this.bars[i]!;
          // Without times, the op lasted its duration on the sequential clock.
          bar.end = e.at ?? bar.start + (e.kind === 'finished' ? e.durationMs : 0);
          bar.how = e.kind;
          this.open.delete(key);
          if (e.at === undefined) this.clock = bar.end;
          this.now = Math.max(this.now, bar.end);
          break;
        }
        case 'released':
        case 'stillNeeded': {
          const producer = this.producerOf(key);
          const row = producer === undefined ? undefined : this.lastRow.get(producer);
          if (row !== undefined) this.marks.push({ row, key, at, kind: e.kind === 'released' ? 'released' : 'kept' });
          break;
        }
      }
    }
  }

  /** The row of an op key (per-op rows), or of the worker that ran its last bar. */
  rowOfKey(key: string): number | undefined {
    return this.lastRow.get(key);
  }

  /** The bars of an op, newest last. */
  barsOf(key: string): Bar[] {
    return this.bars.filter((b) => b.key === key);
  }

  private row(name: string): number {
    let row = this.rowOf.get(name);
    if (row === undefined) {
      row = this.rows.push(name) - 1;
      this.rowOf.set(name, row);
    }
    return row;
  }
}
