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

/** A data node released (`released`) or kept for a later op (`kept`), on the row of the bar of the op that made it. */
export interface Mark {
  row: number;
  key: string;
  at: number;
  kind: 'released' | 'kept';
}

/** The row of the ops a run's executors did not run, once rows are per worker. */
export const MAIN_THREAD = 'main thread';

/**
 * The times of a run's ops, from its trace, in rows. Which row a bar is on is decided by `lane` alone:
 * - per op (`byWorker` false): each op key has its row, until an op's `finished` event names a worker.
 * - per worker (`byWorker` true, from the first `finished` event naming a `worker`, which only executors add): a
 *   finished bar is on its worker's row, named as the event names it (`thread 1` for a workerPool, `host:pid` for
 *   the cluster), or on `main thread` when the op ran inline. The worker is known only when the op ends, so a running
 *   bar stays on its op's own row until then, and so does a failed one: an `error` event names no worker, and
 *   `main thread` would claim it ran inline.
 * Rows are the lanes of the bars in the order of their first bar, and no row is empty: when a bar changes lane (it
 * finished, or the mode switched) the rows are laid out again, once per `append`, and `layout` grows.
 * An event without a time (`at`, stamped by the runner) is placed on a sequential clock: each op starts where the
 * one before ended.
 */
export class RunTimes {
  readonly rows: string[] = [];
  readonly bars: Bar[] = [];
  readonly marks: Mark[] = [];
  /** Whether rows are per worker (see the class comment); never goes back to per op within a run. */
  byWorker = false;
  /** Grows each time rows are laid out again: bars and marks may then be on other rows than before. */
  layout = 0;
  /** The latest time seen: running bars end there. */
  now = 0;
  /** How many ops' results were read from the result cache (no bar: they did not run). */
  cached = 0;
  private clock = 0;
  /** The worker named by each bar's `finished` event (same index as `bars`). */
  private workers: (string | undefined)[] = [];
  /** The bar each mark follows: the producer's latest bar when the mark was made (same index as `marks`). */
  private markBars: number[] = [];
  /** Each op key's latest bar (the one a `finished` or `error` event closes while it runs). */
  private last = new Map<string, number>();
  private rowOf = new Map<string, number>();

  /** `producerOf`: the op key that made a data key (marks go on its row). */
  constructor(private readonly producerOf: (key: string) => string | undefined = () => undefined) {}

  append(events: readonly TimedEvent[]): void {
    let moved = false;
    for (const e of events) {
      const key = `${e.graph}\u0000${e.uid}`;
      const at = e.at ?? this.clock;
      this.now = Math.max(this.now, at);
      switch (e.kind) {
        case 'running': {
          const i = this.bars.push({ row: -1, key, start: at, end: at, how: 'running' }) - 1;
          this.workers.push(undefined);
          this.bars[i]!.row = this.row(this.lane(i));
          this.last.set(key, i);
          break;
        }
        case 'finished':
        case 'error': {
          const i = this.last.get(key);
          const bar = i === undefined ? undefined : this.bars[i];
          if (i === undefined || bar?.how !== 'running') break;
          // Without times, the op lasted its duration on the sequential clock.
          bar.end = e.at ?? bar.start + (e.kind === 'finished' ? e.durationMs : 0);
          bar.how = e.kind;
          if (e.kind === 'finished' && e.worker !== undefined) {
            this.workers[i] = e.worker;
            moved ||= !this.byWorker;
            this.byWorker = true;
          }
          if (e.at === undefined) this.clock = bar.end;
          this.now = Math.max(this.now, bar.end);
          moved ||= this.byWorker && this.rows[bar.row] !== this.lane(i);
          break;
        }
        case 'cached':
          this.cached++;
          break;
        case 'released':
        case 'stillNeeded': {
          const producer = this.producerOf(key);
          const bar = producer === undefined ? undefined : this.last.get(producer);
          if (bar === undefined) break;
          this.markBars.push(bar);
          this.marks.push({ row: this.bars[bar]!.row, key, at, kind: e.kind === 'released' ? 'released' : 'kept' });
          break;
        }
      }
    }
    if (moved) this.relayout();
  }

  /** The row of an op key's latest bar. */
  rowOfKey(key: string): number | undefined {
    const i = this.last.get(key);
    return i === undefined ? undefined : this.bars[i]!.row;
  }

  /** The bars of an op, newest last. */
  barsOf(key: string): Bar[] {
    return this.bars.filter((b) => b.key === key);
  }

  /** The name of the row bar `i` belongs on: the one rule of the class comment. */
  private lane(i: number): string {
    const bar = this.bars[i]!;
    if (!this.byWorker || bar.how !== 'finished') return bar.key;
    return this.workers[i] ?? MAIN_THREAD;
  }

  /** Rows again from the bars' lanes, in the order of their first bar; marks follow their bars. */
  private relayout(): void {
    this.rows.length = 0;
    this.rowOf.clear();
    this.bars.forEach((bar, i) => {
      bar.row = this.row(this.lane(i));
    });
    this.marks.forEach((mark, j) => {
      mark.row = this.bars[this.markBars[j]!]!.row;
    });
    this.layout++;
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

/** What the time view says of a run without a bar yet: no op has run, perhaps because results came from the cache. */
export function emptyRunText(cached: number): string {
  if (cached === 0) return 'waiting for the first op to run…';
  return `no op has run: ${cached} result${cached === 1 ? '' : 's'} read from the cache (Pyflow: Clear Cache recomputes)`;
}
