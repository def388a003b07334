import type { ModelNode } from '../core/model.js';
import type { ViewEdge, ViewGraph } from './viewGraph.js';

/*
 * Groups (`add`'s `group` option, nested with `/`) in a view: an expanded group is a box around its nodes (an ELK
 * compound node), a collapsed one is a single node in its place, with the edges of its members merged onto it.
 */

/** The uid of a group's node (collapsed) or box (expanded); a group path never starts with `/`, a band is a number. */
export const GROUP_NODE_PREFIX = 'group:/';

export const groupNodeUid = (path: string): string => `${GROUP_NODE_PREFIX}${path}`;

/** The group path a group node or box stands for; undefined for other nodes. */
export const groupPathOf = (uid: string): string | undefined => (uid.startsWith(GROUP_NODE_PREFIX) ? uid.slice(GROUP_NODE_PREFIX.length) : undefined);

export interface ViewGroup {
  path: string;
  /** The last name of the path. */
  label: string;
  /** The path of the group it is nested in, if any. */
  parent?: string;
}

export interface GroupedView extends ViewGraph {
  /** The expanded groups that hold a drawn node, drawn as boxes; parents before their children. */
  groups: ViewGroup[];
  /** For each collapsed group's node: the uids of the view's nodes inside it. */
  members: Map<string, string[]>;
  /** Where each node of the whole view is drawn: itself, or the node of the collapsed group that holds it. */
  drawnAs: Map<string, string>;
}

/** Every group path of a view, with the paths of the groups they are nested in, in order of first appearance. */
export function groupPaths(view: { nodes: readonly ModelNode[] }): string[] {
  const paths = new Set<string>();
  for (const n of view.nodes) {
    if (n.group === undefined) continue;
    const parts = n.group.split('/');
    for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('/'));
  }
  return [...paths];
}

/** The outermost collapsed group holding a node of this group path, if any. */
function collapsedAncestor(group: string | undefined, collapsed: ReadonlySet<string>): string | undefined {
  if (group === undefined || collapsed.size === 0) return undefined;
  const parts = group.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const path = parts.slice(0, i).join('/');
    if (collapsed.has(path)) return path;
  }
  return undefined;
}

const parentOf = (path: string): string | undefined => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : undefined);
const lastName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * The view with the groups in `collapsed` (paths) drawn as one node each: labelled with the group's name and how
 * many nodes it holds, in the place of its first member, inside the group that holds it. Edges between members of
 * one collapsed group disappear; the others are merged (one edge per pair of drawn nodes and output port).
 */
export function groupView(view: ViewGraph, collapsed: ReadonlySet<string>): GroupedView {
  const drawnAs = new Map<string, string>();
  const members = new Map<string, string[]>();
  const nodes: ModelNode[] = [];
  const groups = new Map<string, ViewGroup>();
  const addGroups = (path: string | undefined): void => {
    for (let p = path; p !== undefined && !groups.has(p); p = parentOf(p)) {
      const parent = parentOf(p);
      groups.set(p, parent === undefined ? { path: p, label: lastName(p) } : { path: p, label: lastName(p), parent });
    }
  };
  const counts = new Map<string, number>();
  for (const n of view.nodes) {
    const holder = collapsedAncestor(n.group, collapsed);
    if (holder === undefined) {
      drawnAs.set(n.uid, n.uid);
      nodes.push(n);
      addGroups(n.group);
      continue;
    }
    const uid = groupNodeUid(holder);
    drawnAs.set(n.uid, uid);
    const list = members.get(uid);
    if (list) list.push(n.uid);
    else {
      members.set(uid, [n.uid]);
      const parent = parentOf(holder);
      const node: ModelNode = { uid, kind: 'operation', label: lastName(holder), shape: 'folder' };
      if (parent !== undefined) node.group = parent;
      nodes.push(node);
      addGroups(parent);
    }
    if (n.kind !== 'data') counts.set(uid, (counts.get(uid) ?? 0) + 1);
  }
  for (const node of nodes) {
    const list = members.get(node.uid);
    if (!list) continue;
    const ops = counts.get(node.uid) ?? 0;
    const rest = list.length - ops;
    node.label = `${node.label} · ${ops} op${ops === 1 ? '' : 's'}${rest > 0 ? `, ${rest} data` : ''}`;
  }
  const seen = new Set<string>();
  const edges: ViewEdge[] = [];
  for (const e of view.edges) {
    const from = drawnAs.get(e.from)!;
    const to = drawnAs.get(e.to)!;
    if (from === to) continue;
    const port = from === e.from ? e.port : undefined;
    const key = `${from}\u0000${port ?? ''}\u0000${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push(port === undefined ? { from, to } : { from, to, port });
  }
  const ports = new Map([...view.ports].filter(([uid]) => drawnAs.get(uid) === uid));
  // Parents before children: a path's parent is added to `groups` after it, so sort by depth.
  const ordered = [...groups.values()].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  return { title: view.title, nodes, edges, ports, groups: ordered, members, drawnAs };
}
