import type { HostToWebview, RunEndOutcome, RunnerToHost, WebviewToHost } from './messages.js';
import { isNodePreview } from './preview/guard.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optional = (v: unknown, test: (v: unknown) => boolean): boolean => v === undefined || test(v);
const isBoolean = (v: unknown): boolean => typeof v === 'boolean';
const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const isSourceRange = (v: unknown): boolean =>
  isObject(v) &&
  isString(v.file) &&
  v.file.length > 0 &&
  isPositiveInt(v.line) &&
  isPositiveInt(v.column) &&
  optional(v.endLine, isPositiveInt) &&
  optional(v.endColumn, isPositiveInt);
/** A group path (see ModelNode.group): names separated by `/`, none empty. */
const isGroupPath = (v: unknown): boolean => isString(v) && v !== '' && v.split('/').every((part) => part !== '');
/** Names an object's prototype chain answers to: never accepted as a key the host stores under. */
const PROTOTYPE_NAMES: ReadonlySet<unknown> = new Set(['__proto__', 'constructor', 'prototype']);
/** A non-empty string that is safe as a key of a stored record. */
const isRecordKey = (v: unknown): v is string => isString(v) && v !== '' && !PROTOTYPE_NAMES.has(v);
const NODE_KINDS: ReadonlySet<unknown> = new Set(['operation', 'data', 'graph']);
/** A ModelNode with each field of its type (see core's model.ts). */
const isNode = (n: unknown): boolean =>
  isObject(n) &&
  isString(n.uid) &&
  n.uid !== '' &&
  NODE_KINDS.has(n.kind) &&
  isString(n.label) &&
  optional(n.alias, isString) &&
  optional(n.fn, isString) &&
  optional(n.rank, isNumber) &&
  optional(n.shape, isString) &&
  optional(n.color, isString) &&
  optional(n.fontsize, (f) => isNumber(f) && f > 0) &&
  optional(n.persist, isBoolean) &&
  optional(n.raw, isBoolean) &&
  optional(n.value, isString) &&
  optional(n.dim, isString) &&
  optional(n.graph, isString) &&
  optional(n.dynamic, isBoolean) &&
  optional(n.group, isGroupPath) &&
  optional(n.source, isSourceRange);
/** A graph the renderer can draw: well-typed nodes with distinct uids, and edges between them. */
const isGraph = (v: unknown): boolean => {
  if (!isObject(v) || !isString(v.alias) || !optional(v.verbose, isBoolean) || !Array.isArray(v.nodes) || !Array.isArray(v.edges)) return false;
  const uids = new Set<string>();
  for (const n of v.nodes) {
    if (!isNode(n) || uids.has((n as Json).uid as string)) return false;
    uids.add((n as Json).uid as string);
  }
  return v.edges.every((e) => isObject(e) && isString(e.from) && isString(e.to) && uids.has(e.from) && uids.has(e.to));
};
const isSerializedError = (v: unknown): boolean =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.message) &&
  optional(v.stack, isString) &&
  optional(v.code, isString) &&
  optional(v.uid, isString) &&
  optional(v.source, isSourceRange);
const isRunningOp = (v: unknown): boolean => isObject(v) && isString(v.graph) && isString(v.uid) && optional(v.source, isSourceRange);
const isEvent = (v: unknown): boolean => isObject(v) && isString(v.kind) && isString(v.uid);
const isEvents = (v: unknown): boolean => Array.isArray(v) && v.every(isEvent);
const RUN_END_OUTCOMES: readonly RunEndOutcome[] = ['done', 'failed', 'stopped', 'timeout'];
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every(isString);
const isCacheMiss = (v: Record<string, unknown>): boolean => isString(v.graph) && isString(v.uid) && isString(v.reason);

/** Largest message the host accepts from a runner (bytes of JSON, checked by the spawner). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export function isRunnerToHost(v: unknown): v is RunnerToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'hello':
      return typeof v.protocol === 'number' && isString(v.libraryVersion);
    case 'graph/snapshot':
      return isGraph(v.graph);
    case 'graph/view':
      return isGraph(v.graph) && optional(v.full, (f) => typeof f === 'boolean') && optional(v.highlight, isStrings);
    case 'trace/packed':
      return isStrings(v.graphs) && Array.isArray(v.data) && optional(v.running, isRunningOp) && optional(v.at, (a) => Array.isArray(a) && a.every(isNumber));
    case 'run/done':
      return optional(v.target, isString) && optional(v.preview, isString) && optional(v.note, isString);
    case 'run/failed':
      return isSerializedError(v.error);
    case 'cache/missed':
      return isCacheMiss(v);
    case 'data/previews':
      return Array.isArray(v.previews) && v.previews.every(isNodePreview);
    default:
      return false;
  }
}

export function isHostToWebview(v: unknown): v is HostToWebview {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'graph/show':
      return (
        isObject(v.result) &&
        Array.isArray(v.result.graphs) &&
        v.result.graphs.every(isGraph) &&
        Array.isArray(v.result.diagnostics) &&
        typeof v.revision === 'number' &&
        isObject(v.settings) &&
        (v.scriptView === undefined ||
          (isObject(v.scriptView) && isString(v.scriptView.graph) && (v.scriptView.highlight === undefined || isStrings(v.scriptView.highlight)))) &&
        (v.collapsed === undefined || (isObject(v.collapsed) && Object.values(v.collapsed).every(isStrings)))
      );
    case 'trace/reset':
      return isString(v.title);
    case 'trace/append':
      return isEvents(v.events);
    case 'selection/set':
      return isStrings(v.uids);
    case 'export/done':
      return v.path === undefined || isString(v.path);
    case 'run/end':
      return RUN_END_OUTCOMES.includes(v.outcome as RunEndOutcome) && isString(v.summary);
    case 'find/focus':
      return true;
    case 'cache/missed':
      return isCacheMiss(v);
    case 'data/previews':
      return Array.isArray(v.previews) && v.previews.every(isNodePreview);
    default:
      return false;
  }
}

export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'node/reveal':
    case 'node/open':
      return isString(v.uid) && (v.graph === undefined || isString(v.graph));
    case 'run/stop':
      return true;
    case 'export/save':
      return (v.format === 'svg' || v.format === 'png') && isString(v.data) && v.data.length < 64 * 1024 * 1024;
    case 'webview/error':
      return isString(v.message);
    case 'groups/collapsed':
      return isRecordKey(v.file) && isRecordKey(v.graph) && Array.isArray(v.paths) && v.paths.length < 10_000 && v.paths.every(isGroupPath);
    default:
      return false;
  }
}
