import type { Diagnostic, ModelNode } from '../src/protocol/index.js';
import type { NodeState, NodeStateKind } from './overlay.js';

/** How the hover card names a run state. */
const STATE_NAMES: Record<NodeStateKind, string> = {
  activated: 'activated (waiting to run)',
  running: 'running',
  finished: 'finished',
  cached: 'read from the cache',
  stillNeeded: 'still needed',
  released: 'released',
  error: 'failed',
  notRun: 'not run (a failure or the end of the run came first)',
  stopped: 'stopped while running',
};

/**
 * The lines of a node's hover card: uid, function, options, source line, dimension, run state, why it was computed
 * rather than read from the result cache (`recomputed`), problems.
 */
export function nodeDetails(node: ModelNode, state: NodeState | undefined, diagnostics: readonly Diagnostic[], recomputed?: string): string[] {
  if (node.uid.startsWith('group:')) return [node.label, 'a group of a large graph: click (or Enter) to show its nodes'];
  const lines = [node.uid];
  if (node.kind === 'operation') lines.push(`function ${node.fn ?? node.label}${node.alias ? ` (alias ${node.alias})` : ''}`);
  else if (node.kind === 'graph') lines.push(`grafted graph ${node.graph ?? node.label}`);
  else lines.push(node.raw ? `raw input${node.value !== undefined ? `: ${node.value}` : ''}` : `data${node.alias ? ` (alias ${node.alias})` : ''}`);
  const options = (['rank', 'shape', 'color', 'fontsize'] as const).filter((k) => node[k] !== undefined).map((k) => `${k}: ${String(node[k])}`);
  if (node.persist) options.push('persist');
  if (options.length > 0) lines.push(options.join(', '));
  if (node.source) lines.push(`line ${node.source.line}, column ${node.source.column}`);
  if (node.dim) lines.push(`persisted ${node.dim}`);
  if (node.dynamic) lines.push('dynamic: may differ at runtime');
  if (state) {
    const parts = [STATE_NAMES[state.state]];
    if (state.durationMs !== undefined) parts.push(formatDuration(state.durationMs));
    lines.push(`run: ${parts.join(', ')}`);
    if (state.preview !== undefined) lines.push(`value: ${state.preview}`);
    if (state.message) lines.push(`error: ${state.message}`);
  }
  if (recomputed !== undefined) lines.push(`computed, not cached: ${recomputed}`);
  for (const d of diagnostics) lines.push(`${d.severity}: ${d.message}`);
  return lines;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
