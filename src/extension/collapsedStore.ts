import type { CollapsedGroups, WebviewToHost } from '../protocol/index.js';

/** How many files the kept collapsed groups remember; the least recently changed are forgotten first. */
export const COLLAPSED_FILES = 200;

/** Every file's collapsed groups (file → graph alias → group paths), as the workspace state keeps them. */
export type CollapsedByFile = Record<string, CollapsedGroups>;

/**
 * The collapsed groups kept for a file. Only own entries count: a file or graph named `__proto__` or `constructor`
 * reads nothing inherited from `Object.prototype`.
 */
export function collapsedOfFile(kept: unknown, file: string): CollapsedGroups | undefined {
  const byFile = ownEntries(kept).get(file);
  if (byFile === undefined) return undefined;
  const groups = [...ownEntries(byFile)].filter((entry): entry is [string, string[]] => isStrings(entry[1]));
  return groups.length > 0 ? Object.fromEntries(groups) : undefined;
}

/**
 * The kept collapsed groups after the view said the user changed a graph's, or undefined when the message names
 * another file than the one the panel shows (nothing to keep). The file moves to the end (most recent) and files past
 * `COLLAPSED_FILES` are forgotten. Built from Maps into own properties (`Object.fromEntries`), so no name can reach a
 * prototype.
 */
export function withCollapsed(
  kept: unknown,
  shownFile: string | undefined,
  message: Extract<WebviewToHost, { type: 'groups/collapsed' }>,
): CollapsedByFile | undefined {
  const { file, graph, paths } = message;
  if (file !== shownFile) return undefined;
  const files = ownEntries(kept);
  const graphs = ownEntries(files.get(file));
  graphs.set(graph, [...paths]);
  files.delete(file);
  files.set(file, Object.fromEntries(graphs));
  const recent = [...files].slice(-COLLAPSED_FILES);
  return Object.fromEntries(recent) as CollapsedByFile;
}

function ownEntries(v: unknown): Map<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? new Map(Object.entries(v)) : new Map();
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
