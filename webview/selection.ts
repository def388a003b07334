import type { NodeState, NodeStateKind } from './overlay.js';

/**
 * The find box's selection syntax. Terms are separated by spaces and their nodes add up:
 *   name        nodes whose uid, label or function contains `name` (the plain find)
 *   +name       `name` and everything upstream of it; `2+name` up to 2 hops up
 *   name+       `name` and everything downstream of it; `name+2` up to 2 hops down (`2+name+2`: a focus)
 *   a..b        the nodes on the paths from `a` to `b` (or from `b` to `a`)
 *   group:path  the nodes of a group and of the groups nested in it
 *   status:s    nodes in a run state (failed, running, finished, kept, released, notRun, stopped, activated)
 *   slow>100ms  operations that ran longer (ms or s)
 * A name in `+name`, `name+` or `a..b` is a node's uid or label (any case), else the nodes whose uid or label
 * contains it.
 */
export type Term =
  | { kind: 'text'; text: string }
  | { kind: 'hops'; name: string; up: number; down: number }
  | { kind: 'path'; from: string; to: string }
  | { kind: 'group'; path: string }
  | { kind: 'status'; state: NodeStateKind }
  | { kind: 'slow'; ms: number };

export interface SelectableNode {
  /** The view's key of the node (`graph\u0000uid`). */
  key: string;
  uid: string;
  label: string;
  fn?: string;
  group?: string;
}

export interface SelectionGraph {
  nodes: readonly SelectableNode[];
  parents: ReadonlyMap<string, readonly string[]>;
  children: ReadonlyMap<string, readonly string[]>;
  state(key: string): NodeState | undefined;
}

const STATUS_WORDS: Record<string, NodeStateKind> = {
  failed: 'error',
  error: 'error',
  running: 'running',
  finished: 'finished',
  done: 'finished',
  kept: 'stillNeeded',
  stillneeded: 'stillNeeded',
  released: 'released',
  notrun: 'notRun',
  stopped: 'stopped',
  activated: 'activated',
};

/** The terms of a query, or what is wrong with it (a sentence the find box shows). */
export function parseSelection(query: string): { terms: Term[] } | { error: string } {
  const terms: Term[] = [];
  for (const word of query
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '')) {
    const term = parseTerm(word);
    if ('error' in term) return term;
    terms.push(term);
  }
  return { terms };
}

function parseTerm(word: string): Term | { error: string } {
  const lower = word.toLowerCase();
  if (lower.startsWith('group:')) {
    const path = word.slice('group:'.length).replace(/^\/+|\/+$/g, '');
    return path === '' ? { error: 'group: needs a group name, e.g. group:cleaning' } : { kind: 'group', path };
  }
  if (lower.startsWith('status:')) {
    const status = lower.slice('status:'.length);
    const state = Object.hasOwn(STATUS_WORDS, status) ? STATUS_WORDS[status] : undefined;
    return state ? { kind: 'status', state } : { error: `unknown status "${word.slice(7)}": use failed, running, finished, kept, released, notRun or stopped` };
  }
  const slow = /^slow>(\d+(?:\.\d+)?)(ms|s)?$/i.exec(word);
  if (slow) return { kind: 'slow', ms: Number(slow[1]) * (slow[2]?.toLowerCase() === 's' ? 1000 : 1) };
  if (lower.startsWith('slow>')) return { error: `"${word}": write slow>100ms or slow>2s` };
  const path = /^(.+?)\.\.(.+)$/.exec(word);
  if (path) return { kind: 'path', from: path[1]!, to: path[2]! };
  const hops = /^(?:(\d*)\+)?(.*?)(?:\+(\d*))?$/.exec(word)!;
  const [, up, name, down] = hops;
  if ((up !== undefined || down !== undefined) && name !== '' && name !== undefined) {
    return {
      kind: 'hops',
      name,
      up: up === undefined ? 0 : up === '' ? Infinity : Number(up),
      down: down === undefined ? 0 : down === '' ? Infinity : Number(down),
    };
  }
  return { kind: 'text', text: word };
}

/** The keys of the nodes a query's terms select, in the graph's node order. */
export function selectNodes(graph: SelectionGraph, terms: readonly Term[]): string[] {
  const picked = new Set<string>();
  for (const term of terms) for (const key of termNodes(graph, term)) picked.add(key);
  return graph.nodes.filter((n) => picked.has(n.key)).map((n) => n.key);
}

function termNodes(graph: SelectionGraph, term: Term): Iterable<string> {
  switch (term.kind) {
    case 'text':
      return containing(graph, term.text);
    case 'group':
      return graph.nodes.filter((n) => n.group !== undefined && (n.group === term.path || n.group.startsWith(`${term.path}/`))).map((n) => n.key);
    case 'status':
      return graph.nodes.filter((n) => graph.state(n.key)?.state === term.state).map((n) => n.key);
    case 'slow':
      return graph.nodes.filter((n) => (graph.state(n.key)?.durationMs ?? -1) > term.ms).map((n) => n.key);
    case 'hops': {
      const starts = named(graph, term.name);
      return new Set([...within(graph.parents, starts, term.up), ...within(graph.children, starts, term.down)]);
    }
    case 'path': {
      const from = named(graph, term.from);
      const to = named(graph, term.to);
      const forward = between(graph, from, to);
      return forward.size > 0 ? forward : between(graph, to, from);
    }
  }
}

/** Nodes reached from `starts` in at most `hops` steps along `next` (the starts included). */
export function within(next: ReadonlyMap<string, readonly string[]>, starts: readonly string[], hops: number): Set<string> {
  const seen = new Set(starts);
  let frontier = [...starts];
  for (let step = 0; step < hops && frontier.length > 0; step++) {
    const following: string[] = [];
    for (const key of frontier) {
      for (const n of next.get(key) ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        following.push(n);
      }
    }
    frontier = following;
  }
  return seen;
}

/** The nodes on some path from one of `from` to one of `to`: downstream of `from` and upstream of `to`. */
function between(graph: SelectionGraph, from: readonly string[], to: readonly string[]): Set<string> {
  if (from.length === 0 || to.length === 0) return new Set();
  const down = within(graph.children, from, Infinity);
  const up = within(graph.parents, to, Infinity);
  const result = new Set<string>();
  for (const key of down) if (up.has(key)) result.add(key);
  return result;
}

/** The nodes a name means: those whose uid or label is it (any case), else those whose uid or label contains it. */
function named(graph: SelectionGraph, name: string): string[] {
  const lower = name.toLowerCase();
  const exact = graph.nodes.filter((n) => n.uid.toLowerCase() === lower || n.label.toLowerCase() === lower).map((n) => n.key);
  return exact.length > 0 ? exact : containing(graph, name);
}

function containing(graph: SelectionGraph, text: string): string[] {
  const lower = text.toLowerCase();
  return graph.nodes
    .filter((n) => n.uid.toLowerCase().includes(lower) || n.label.toLowerCase().includes(lower) || (n.fn ?? '').toLowerCase().includes(lower))
    .map((n) => n.key);
}
