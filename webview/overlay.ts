import type { TraceEvent } from '../src/protocol/index.js';

/**
 * The state a trace leaves a node in, as the overlay draws it. `notRun`: activated but never run (downstream of
 * a failure, or the run ended first); `stopped`: it was running when the run was stopped or died; `cached`: its
 * result was read from the result cache instead of running it.
 */
export const NODE_STATE_KINDS = ['activated', 'running', 'finished', 'cached', 'stillNeeded', 'released', 'error', 'notRun', 'stopped'] as const;

/** One of NODE_STATE_KINDS; the view draws a node in state `s` with the class `st-s`. */
export type NodeStateKind = (typeof NODE_STATE_KINDS)[number];

export interface NodeState {
  state: NodeStateKind;
  durationMs?: number;
  message?: string;
  preview?: string;
  dim?: string;
}

/** Node states by `graph\u0000uid` (the key the view uses). */
export interface OverlayState {
  nodes: Map<string, NodeState>;
}

export function emptyOverlay(): OverlayState {
  return { nodes: new Map() };
}

/** Folds trace events (those from `start` to `end`) into node states (returns the same state, updated). */
export function applyEvents(overlay: OverlayState, events: readonly TraceEvent[], start = 0, end = events.length): OverlayState {
  const nodes = overlay.nodes;
  for (let i = start; i < end; i++) {
    const e = events[i]!;
    const key = `${e.graph}\u0000${e.uid}`;
    const prev = nodes.get(key);
    switch (e.kind) {
      case 'activated':
        nodes.set(key, { state: 'activated' });
        break;
      case 'running':
        nodes.set(key, { ...prev, state: 'running' });
        break;
      case 'finished':
        nodes.set(key, { ...prev, state: 'finished', durationMs: e.durationMs });
        break;
      case 'cached':
        nodes.set(key, { ...prev, state: 'cached' });
        break;
      // An op deactivated without having run was given up: a failure elsewhere aborted the evaluation.
      case 'deactivated':
        if (prev?.state === 'activated') nodes.set(key, { ...prev, state: 'notRun' });
        else if (prev?.state !== 'error' && prev?.state !== 'cached') nodes.set(key, { ...prev, state: 'finished' });
        break;
      case 'value':
        nodes.set(key, { ...prev, state: 'finished', preview: e.preview, dim: e.dim });
        break;
      case 'stillNeeded':
        nodes.set(key, { ...prev, state: 'stillNeeded' });
        break;
      case 'released':
        nodes.set(key, { ...prev, state: 'released' });
        break;
      case 'error':
        nodes.set(key, { ...prev, state: 'error', message: e.message });
        break;
      case 'computing':
        break;
    }
  }
  return overlay;
}

/**
 * The states once a run ended without finishing its work (stopped, timed out, failed, crashed): what was running
 * was stopped, what was only activated never ran. A new overlay; `overlay` is not changed.
 */
export function endedEarly(overlay: OverlayState): OverlayState {
  const nodes = new Map(overlay.nodes);
  for (const [key, s] of nodes) {
    if (s.state === 'running') nodes.set(key, { ...s, state: 'stopped' });
    else if (s.state === 'activated') nodes.set(key, { ...s, state: 'notRun' });
  }
  return { nodes };
}
