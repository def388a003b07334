import type { TraceEvent } from '../src/protocol/index.js';

/** The state a trace leaves a node in, as the overlay draws it. */
export type NodeState = 'activated' | 'running' | 'finished' | 'stillNeeded' | 'released' | 'error';

export interface OverlayState {
  nodes: Map<string, { state: NodeState; durationMs?: number; message?: string; preview?: string }>;
}

export function emptyOverlay(): OverlayState {
  return { nodes: new Map() };
}

/** Folds trace events into node states (pure: returns the same map, updated). */
export function applyEvents(overlay: OverlayState, events: readonly TraceEvent[]): OverlayState {
  const nodes = overlay.nodes;
  for (const e of events) {
    const prev = nodes.get(e.uid);
    switch (e.kind) {
      case 'activated': nodes.set(e.uid, { state: 'activated' }); break;
      case 'running': nodes.set(e.uid, { state: 'running' }); break;
      case 'finished': nodes.set(e.uid, { state: 'finished', durationMs: e.durationMs }); break;
      case 'deactivated': if (prev?.state !== 'error') nodes.set(e.uid, { ...prev, state: 'finished' }); break;
      case 'value': nodes.set(e.uid, { ...prev, state: 'finished', preview: e.preview }); break;
      case 'stillNeeded': nodes.set(e.uid, { ...prev, state: 'stillNeeded' }); break;
      case 'released': nodes.set(e.uid, { ...prev, state: 'released' }); break;
      case 'error': nodes.set(e.uid, { state: 'error', message: e.message }); break;
      case 'computing': break;
    }
  }
  return overlay;
}
