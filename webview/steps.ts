import type { TraceEvent } from '../src/protocol/index.js';
import { formatTraceEvent, hasVerboseLine } from '../src/core/format.js';
import { applyEvents, emptyOverlay, type OverlayState } from './overlay.js';

/**
 * The steps of a run: each event with a verbose line starts one. Stored flat — the events, and the index where
 * each step starts — and the line of a step is only formatted when it is shown: a run of 100,000 events makes
 * two arrays, not 75,000 objects, arrays and strings for the collector to trace and free on the next run.
 */
export class Steps {
  private readonly events: TraceEvent[] = [];
  private readonly starts: number[] = [];

  get length(): number {
    return this.starts.length;
  }

  append(events: readonly TraceEvent[]): this {
    for (const event of events) {
      // Events without a verbose line of their own (durations, values) join the step before them.
      if (this.starts.length === 0 || hasVerboseLine(event)) this.starts.push(this.events.length);
      this.events.push(event);
    }
    return this;
  }

  /** The verbose line of step `i` (0-based). */
  line(i: number): string {
    const event = this.events[this.starts[i]!];
    return event ? (formatTraceEvent(event) ?? '') : '';
  }

  /** When the first `count` steps had happened (ms since the run started), if the events carry times. */
  timeAt(count: number): number | undefined {
    if (count <= 0) return undefined;
    return (this.events[this.end(count) - 1] as { at?: number } | undefined)?.at;
  }

  /** The events of step `i`: its line's event and those that joined it. */
  eventsOf(i: number): TraceEvent[] {
    return this.events.slice(this.starts[i], this.end(i + 1));
  }

  /** The overlay after the first `count` steps (continuing `from`, which holds the first `start` steps). */
  overlayAt(count: number, from: OverlayState = emptyOverlay(), start = 0): OverlayState {
    if (start >= count || start >= this.length) return from;
    return applyEvents(from, this.events, this.starts[start], this.end(count));
  }

  /** Where step `i` starts (the end of the events when `i` is past the last step). */
  private end(i: number): number {
    return i < this.starts.length ? this.starts[i]! : this.events.length;
  }
}
