import type { NodeState, NodeStateKind } from './overlay.js';

/** Which state a collapsed group shows when its members differ: the first of these any member is in. */
const PRECEDENCE: readonly NodeStateKind[] = ['error', 'running', 'stopped', 'activated', 'notRun', 'stillNeeded', 'finished', 'released'];

/**
 * The run state of a collapsed group from its members' states: a failure or a running op shows first; `finished`
 * only when every member that took part is done. The duration is the sum of the members' (the group's op time);
 * undefined when no member took part in the run.
 */
export function groupState(states: readonly (NodeState | undefined)[]): NodeState | undefined {
  let best = PRECEDENCE.length;
  let durationMs: number | undefined;
  let message: string | undefined;
  for (const s of states) {
    if (!s) continue;
    best = Math.min(best, PRECEDENCE.indexOf(s.state));
    if (s.durationMs !== undefined) durationMs = (durationMs ?? 0) + s.durationMs;
    if (s.state === 'error' && message === undefined) message = s.message;
  }
  if (best === PRECEDENCE.length) return undefined;
  const state: NodeState = { state: PRECEDENCE[best]! };
  if (durationMs !== undefined) state.durationMs = durationMs;
  if (message !== undefined) state.message = message;
  return state;
}
