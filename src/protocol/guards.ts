import type { HostToWebview, RunEndOutcome, RunnerToHost, WebviewToHost } from './messages.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isGraph = (v: unknown): boolean =>
  isObject(v) && isString(v.alias) && Array.isArray(v.nodes) && Array.isArray(v.edges) &&
  v.nodes.every((n) => isObject(n) && isString(n.uid) && isString(n.kind) && isString(n.label)) &&
  v.edges.every((e) => isObject(e) && isString(e.from) && isString(e.to));
const isEvent = (v: unknown): boolean => isObject(v) && isString(v.kind) && isString(v.uid);
const isEvents = (v: unknown): boolean => Array.isArray(v) && v.every(isEvent);
const RUN_END_OUTCOMES: readonly RunEndOutcome[] = ['done', 'failed', 'stopped', 'timeout'];
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every(isString);

/** Largest message the host accepts from a runner (bytes of JSON, checked by the spawner). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export function isRunnerToHost(v: unknown): v is RunnerToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'hello': return typeof v.protocol === 'number' && isString(v.libraryVersion);
    case 'graph/snapshot': return isGraph(v.graph);
    case 'graph/view': return isGraph(v.graph) && (v.highlight === undefined || isStrings(v.highlight));
    case 'trace/packed': return isStrings(v.graphs) && Array.isArray(v.data);
    case 'run/done': return true;
    case 'run/failed': return isObject(v.error) && isString(v.error.message);
    default: return false;
  }
}

export function isHostToWebview(v: unknown): v is HostToWebview {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'graph/show':
      return isObject(v.result) && Array.isArray(v.result.graphs) && v.result.graphs.every(isGraph) &&
        Array.isArray(v.result.diagnostics) && typeof v.revision === 'number' && isObject(v.settings) &&
        (v.scriptView === undefined || (isObject(v.scriptView) && isString(v.scriptView.graph) &&
          (v.scriptView.highlight === undefined || isStrings(v.scriptView.highlight))));
    case 'trace/reset': return isString(v.title);
    case 'trace/append': return isEvents(v.events);
    case 'selection/set': return isStrings(v.uids);
    case 'export/done': return v.path === undefined || isString(v.path);
    case 'run/end': return RUN_END_OUTCOMES.includes(v.outcome as RunEndOutcome) && isString(v.summary);
    case 'find/focus': return true;
    default: return false;
  }
}

export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready': return true;
    case 'node/reveal':
    case 'node/open': return isString(v.uid) && (v.graph === undefined || isString(v.graph));
    case 'run/stop': return true;
    case 'export/save': return (v.format === 'svg' || v.format === 'png') && isString(v.data) && v.data.length < 64 * 1024 * 1024;
    case 'webview/error': return isString(v.message);
    default: return false;
  }
}
