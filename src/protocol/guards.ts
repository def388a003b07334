import type { HostToWebview, RunnerToHost, WebviewToHost } from './messages.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isGraph = (v: unknown): boolean =>
  isObject(v) && isString(v.alias) && Array.isArray(v.nodes) && Array.isArray(v.edges) &&
  v.nodes.every((n) => isObject(n) && isString(n.uid) && isString(n.kind) && isString(n.label)) &&
  v.edges.every((e) => isObject(e) && isString(e.from) && isString(e.to));
const isOptional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);
const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const isSourceRange = (v: unknown): boolean =>
  isObject(v) && isString(v.file) && v.file.length > 0 && isPositiveInt(v.line) && isPositiveInt(v.column) &&
  isOptional(v.endLine, isPositiveInt) && isOptional(v.endColumn, isPositiveInt);
const isSerializedError = (v: unknown): boolean =>
  isObject(v) && isString(v.name) && isString(v.message) && isOptional(v.stack, isString) && isOptional(v.code, isString) &&
  isOptional(v.uid, isString) && isOptional(v.source, isSourceRange);
const isRunningOp = (v: unknown): boolean => isObject(v) && isString(v.graph) && isString(v.uid) && isOptional(v.source, isSourceRange);
const isEvent = (v: unknown): boolean => isObject(v) && isString(v.kind) && isString(v.uid);
const isEvents = (v: unknown): boolean => Array.isArray(v) && v.every(isEvent);
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every(isString);

/** Largest message the host accepts from a runner (bytes of JSON, checked by the spawner). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export function isRunnerToHost(v: unknown): v is RunnerToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'hello': return typeof v.protocol === 'number' && isString(v.libraryVersion);
    case 'graph/snapshot': return isGraph(v.graph);
    case 'graph/view': return isGraph(v.graph) && isOptional(v.full, (f) => typeof f === 'boolean') && isOptional(v.highlight, isStrings);
    case 'trace/packed': return isStrings(v.graphs) && Array.isArray(v.data) && isOptional(v.running, isRunningOp);
    case 'run/done': return isOptional(v.target, isString) && isOptional(v.preview, isString) && isOptional(v.note, isString);
    case 'run/failed': return isSerializedError(v.error);
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
    default: return false;
  }
}

export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready': return true;
    case 'node/reveal': return isString(v.uid) && (v.graph === undefined || isString(v.graph));
    case 'export/save': return (v.format === 'svg' || v.format === 'png') && isString(v.data) && v.data.length < 64 * 1024 * 1024;
    case 'webview/error': return isString(v.message);
    default: return false;
  }
}
