import type { TraceEvent } from '../src/protocol/index.js';
import { formatTraceEvent } from '../src/core/format.js';
import { applyEvents, emptyOverlay, type OverlayState } from './overlay.js';

/** One step of a run: a verbose line and the events up to the next line (durations, values). */
export interface Step {
  line: string;
  events: TraceEvent[];
}

/** Groups events into steps: each event with a verbose line starts one; the others join the previous step. */
export function toSteps(events: readonly TraceEvent[], into: Step[] = []): Step[] {
  for (const event of events) {
    const line = formatTraceEvent(event);
    if (line !== undefined || into.length === 0) into.push({ line: line ?? '', events: [event] });
    else into[into.length - 1]!.events.push(event);
  }
  return into;
}

/** The overlay after the first `count` steps (continuing `from`, which holds the first `start` steps). */
export function overlayAt(steps: readonly Step[], count: number, from: OverlayState = emptyOverlay(), start = 0): OverlayState {
  for (let i = start; i < count && i < steps.length; i++) applyEvents(from, steps[i]!.events);
  return from;
}
