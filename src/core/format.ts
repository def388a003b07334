import type { TraceEvent } from './trace.js';

/** Whether pyflow's verbose trace prints a line for this event (`formatTraceEvent`): durations and values it does not. */
export function hasVerboseLine(event: TraceEvent): boolean {
  return event.kind !== 'finished' && event.kind !== 'value';
}

/** The line pyflow's `verbose=True` prints for an event, or undefined for events it does not print. */
export function formatTraceEvent(event: TraceEvent): string | undefined {
  switch (event.kind) {
    case 'computing':
      return `computing for ${event.uid}`;
    case 'activated':
      return `${event.uid} activated!`;
    case 'running':
      return `running ${event.uid}`;
    case 'cached':
      return `${event.uid} cached`;
    case 'stillNeeded':
      return `${event.uid} still needed at ${event.neededBy}`;
    case 'released':
      return `${event.uid} released!`;
    case 'deactivated':
      return `${event.uid} deactivated!`;
    case 'error':
      return `${event.uid} failed: ${event.message}`;
    default:
      return undefined;
  }
}
