import type { Diagnostic } from '../src/protocol/index.js';
import { dependencyClosure } from '../src/core/dependencies.js';
import type { ViewGraph } from '../src/drawing/viewGraph.js';
import type { Placed, PlacedNode } from '../src/drawing/layout.js';
import { NODE_STATE_KINDS, type NodeState, type OverlayState } from './overlay.js';
import { formatDuration, nodeDetails } from './tooltip.js';
import { parseSelection, selectNodes, type SelectableNode } from './selection.js';

export interface InteractionHost {
  /** Show the node's `add` call in the editor; the focus stays in the view. */
  reveal(uid: string, graph: string): void;
  /** Go to source: the editor's cursor to the node's `add` call, focus to the editor. */
  open(uid: string, graph: string): void;
  select(uid: string | undefined): void;
  center(x: number, y: number): void;
  overlay(): OverlayState;
  diagnostics(): readonly Diagnostic[];
  /** Why the op with this key (`graph\u0000uid`) was computed instead of read from the result cache, if it was. */
  cacheMiss(key: string): string | undefined;
  status(text: string): void;
  /** What the find box's counter says: '' (no query), 'No results', '3 matches', '2 of 3', or what is wrong with the query. */
  findCount(text: string): void;
  /** Expand the collapsed groups that hold these nodes (keys), so that a match inside them can be shown. */
  expandGroupsOf?(keys: readonly string[]): void;
  /** Put a query in the find box and run it (focus, upstream, downstream, path). */
  setQuery?(text: string): void;
}

/** The whole view of one graph (every node, groups expanded), and where each of its nodes is drawn. */
export interface WholeView {
  view: ViewGraph;
  /** uid → the uid of the drawn node that shows it (itself, or its collapsed group's node). */
  drawnAs?: ReadonlyMap<string, string>;
}

interface NodeEntry {
  el: SVGGElement;
  placed: PlacedNode;
  graph: string;
  y0: number;
  painted?: NodeState;
}

/** Nodes restyled per frame while a run streams, so that a frame's style and layout stay short on a large graph. */
const PAINT_BUDGET = 150;
/** Shortest time between two overlay repaints (ms). */
const PAINT_INTERVAL = 50;

/** Every state's class, so a repaint removes whichever one the node had (derived: a new state cannot be left out). */
const STATE_CLASSES = NODE_STATE_KINDS.map((kind) => `st-${kind}`);
const TITLE = 28;

/**
 * Everything the user does with the drawn graph: click (show the `add` call), double-click or F12 (go to it), keyboard navigation,
 * hover details, search, the dependency view, and the trace overlay's classes. It only toggles classes
 * on the SVG that `render` made; it never lays out.
 */
export class GraphInteraction {
  private svg: SVGSVGElement | undefined;
  private nodes = new Map<string, NodeEntry>();
  private paintQueued = false;
  /** `nodes` as a list, and where a budgeted paint stopped. */
  private entries: [string, NodeEntry][] = [];
  private paintCursor = 0;
  private lastPaint = -Infinity;
  private parents = new Map<string, string[]>();
  private children = new Map<string, string[]>();
  private selected: string | undefined;
  /** The node selected before `selected` (the start of a path, `p`). */
  private previous: string | undefined;
  private query = '';
  private matches: string[] = [];
  /** The matches among every node (also those inside collapsed groups), and the drawn node of each. */
  private wholeMatches: string[] = [];
  private whole: { nodes: SelectableNode[]; parents: Map<string, string[]>; children: Map<string, string[]>; drawnAs: Map<string, string> } = {
    nodes: [],
    parents: new Map(),
    children: new Map(),
    drawnAs: new Map(),
  };
  private matchIndex = -1;
  private showDependencies = false;
  /** How many hops up and down focus mode (`f`) shows. */
  private hops = 1;
  private scripted: { graph: string; uids: Set<string> } | undefined;

  constructor(
    private readonly canvas: HTMLElement,
    private readonly tooltip: HTMLElement,
    private readonly host: InteractionHost,
  ) {
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    canvas.addEventListener('focus', () => {
      if (!this.selected && this.nodes.size > 0) this.focusNode(this.nodes.keys().next().value!);
    });
  }

  attach(svg: SVGSVGElement, views: ViewGraph[], placed: Placed[], wholes: readonly WholeView[] = views.map((view) => ({ view }))): void {
    this.svg = svg;
    this.setWhole(
      placed.map((p) => p.title),
      wholes,
    );
    this.nodes.clear();
    this.parents.clear();
    this.children.clear();
    let y = 0;
    placed.forEach((graph, gi) => {
      for (const p of graph.nodes) {
        const key = keyOf(graph.title, p.node.uid);
        const el = svg.querySelector<SVGGElement>(`.graph[data-graph="${CSS.escape(graph.title)}"] .node[data-uid="${CSS.escape(p.node.uid)}"]`);
        if (el) this.nodes.set(key, { el, placed: p, graph: graph.title, y0: y + TITLE });
      }
      for (const e of views[gi]!.edges) {
        push(this.parents, keyOf(graph.title, e.to), keyOf(graph.title, e.from));
        push(this.children, keyOf(graph.title, e.from), keyOf(graph.title, e.to));
      }
      y += TITLE + graph.height + 24;
    });
    for (const [key, { el }] of this.nodes) {
      el.addEventListener('click', (e) => {
        // The card makes way for what the click opens (the details panel); it comes back when the pointer enters a node.
        this.hideTooltip();
        // Shift+click: the path from the selected node to this one.
        const from = this.selected;
        if (e.shiftKey && from !== undefined && from !== key) this.focusPath(from, key);
        else this.activate(key);
      });
      el.addEventListener('dblclick', () => this.open(key));
      el.addEventListener('pointerenter', (e) => this.showTooltip(key, e.clientX, e.clientY));
      el.addEventListener('pointermove', (e) => this.moveTooltip(e.clientX, e.clientY));
      el.addEventListener('pointerleave', () => this.hideTooltip());
    }
    this.entries = [...this.nodes];
    this.paintCursor = 0;
    // The card of a node of the old drawing: no pointerleave comes for an element that is gone.
    this.hideTooltip();
    if (this.selected && !this.nodes.has(this.selected)) this.selected = undefined;
    this.findMatches();
    this.applyDependencies();
  }

  /** Nothing is drawn (a file without a graph): no nodes, no matches. */
  detach(): void {
    this.svg = undefined;
    this.setWhole([], []);
    this.nodes.clear();
    this.entries = [];
    this.selected = undefined;
    this.findMatches();
  }

  /** Coalesces repaints to one per frame (a run streams thousands of events a second). */
  schedulePaint(): void {
    if (this.paintQueued) return;
    this.paintQueued = true;
    const frame = (now: number): void => {
      // While a run streams, restyling every frame keeps the raster threads busy with the whole drawing (the
      // main thread is idle, yet frames drop): repaint at most every PAINT_INTERVAL ms.
      if (now - this.lastPaint < PAINT_INTERVAL) {
        requestAnimationFrame(frame);
        return;
      }
      this.paintQueued = false;
      this.lastPaint = now;
      this.paint(PAINT_BUDGET);
    };
    requestAnimationFrame(frame);
  }

  /**
   * Trace states as classes on the existing elements, and a duration badge on finished ops (no re-render).
   * Only nodes whose state object changed since the last paint are touched (the reducer replaces it).
   * With a `budget`, at most that many nodes are restyled now (the browser's style and layout work grows with
   * them) and the rest in the next frames, resuming where this one stopped so every node gets its turn.
   */
  paint(budget = Infinity): void {
    const states = this.host.overlay().nodes;
    const entries = this.entries;
    let changed = 0;
    for (let seen = 0; seen < entries.length; seen++) {
      if (this.paintCursor >= entries.length) this.paintCursor = 0;
      const [key, entry] = entries[this.paintCursor++]!;
      const state = states.get(key);
      if (entry.painted === state) continue;
      if (changed++ >= budget) {
        this.paintCursor--;
        this.schedulePaint();
        return;
      }
      entry.painted = state;
      const { el, placed } = entry;
      el.classList.remove(...STATE_CLASSES);
      if (state) el.classList.add(`st-${state.state}`);
      let badge = el.querySelector<SVGTextElement>('text.badge');
      if (state?.durationMs !== undefined && placed.node.kind === 'operation') {
        if (!badge) {
          badge = document.createElementNS('http://www.w3.org/2000/svg', 'text');
          badge.setAttribute('class', 'badge');
          // Beyond the node's top right corner: edges meet a node inside its sides' span, never there.
          badge.setAttribute('x', String(placed.width + 2));
          badge.setAttribute('y', '-2');
          badge.setAttribute('text-anchor', 'start');
          el.appendChild(badge);
        }
        badge.textContent = formatDuration(state.durationMs);
      } else badge?.remove();
    }
  }

  selectMany(uids: readonly string[], center = true): void {
    const keys = [...this.nodes.keys()].filter((k) => uids.includes(k) || uids.includes(this.nodes.get(k)!.placed.node.uid));
    this.hideTooltip();
    for (const { el } of this.nodes.values()) el.classList.remove('selected');
    for (const k of keys) this.nodes.get(k)!.el.classList.add('selected');
    this.selected = keys[0];
    if (center && keys[0]) this.centerOn(keys[0]);
    this.applyDependencies();
  }

  search(text: string): void {
    this.query = text.trim();
    this.findMatches();
  }

  /** The keyboard focus to the selected node (the canvas when none is): where it goes back when a panel closes. */
  focusSelected(): void {
    const entry = this.selected === undefined ? undefined : this.nodes.get(this.selected);
    if (entry) entry.el.focus({ preventScroll: true });
    else this.canvas.focus();
  }

  /** The node with this key (`graph\u0000uid`) is drawn (not inside a collapsed group). */
  isDrawn(key: string): boolean {
    return this.nodes.has(key);
  }

  /** Where a readable frame of the drawing centres (drawing units): the selected node, else the first op drawn. */
  get focusPoint(): { x: number; y: number } {
    const entry =
      (this.selected === undefined ? undefined : this.nodes.get(this.selected)) ??
      this.entries.find(([, e]) => e.placed.node.kind === 'operation')?.[1] ??
      this.entries[0]?.[1];
    return entry ? { x: entry.placed.x + entry.placed.width / 2, y: entry.y0 + entry.placed.y + entry.placed.height / 2 } : { x: 0, y: 0 };
  }

  /** The selected node's uid, and the one selected before it. */
  get selection(): { current?: string; previous?: string } {
    const uid = (key: string | undefined): string | undefined =>
      key === undefined ? undefined : (this.nodes.get(key)?.placed.node.uid ?? key.split('\u0000')[1]);
    return { current: uid(this.selected), previous: uid(this.previous) };
  }

  private setWhole(titles: readonly string[], wholes: readonly WholeView[]): void {
    const nodes: SelectableNode[] = [];
    const parents = new Map<string, string[]>();
    const children = new Map<string, string[]>();
    const drawnAs = new Map<string, string>();
    wholes.forEach(({ view, drawnAs: drawn }, gi) => {
      const title = titles[gi] ?? view.title;
      for (const n of view.nodes) {
        const key = keyOf(title, n.uid);
        const selectable: SelectableNode = { key, uid: n.uid, label: n.label };
        if (n.fn !== undefined) selectable.fn = n.fn;
        if (n.group !== undefined) selectable.group = n.group;
        nodes.push(selectable);
        drawnAs.set(key, keyOf(title, drawn?.get(n.uid) ?? n.uid));
      }
      for (const e of view.edges) {
        push(parents, keyOf(title, e.to), keyOf(title, e.from));
        push(children, keyOf(title, e.from), keyOf(title, e.to));
      }
    });
    this.whole = { nodes, parents, children, drawnAs };
  }

  /** The next (step 1) or previous (-1) match: selected and centred, while the keyboard focus stays where it is (the find box). */
  nextMatch(step: number): void {
    if (this.matches.length === 0) {
      this.revealMatches();
      return;
    }
    const index = (this.matchIndex + step + this.matches.length) % this.matches.length;
    const key = this.matches[index]!;
    // A collapsed group's node that shows matches inside it: the group opens, and the first of them is selected.
    const inside = this.wholeMatches.filter((k) => k !== key && this.whole.drawnAs.get(k) === key);
    if (inside.length > 0 && this.host.expandGroupsOf) {
      this.host.expandGroupsOf(inside);
      return;
    }
    this.matchIndex = index;
    this.focusNode(key, true, false);
    this.reportMatches();
  }

  /**
   * The matches of the query (selection.ts) among every node, also those inside collapsed groups, shown on the
   * nodes drawn for them; run again whenever the query or the drawing changes.
   */
  private findMatches(): void {
    const q = this.query;
    const previous = this.matches[this.matchIndex];
    const parsed = parseSelection(q);
    const states = this.host.overlay().nodes;
    this.wholeMatches = 'error' in parsed ? [] : selectNodes({ ...this.whole, state: (key) => states.get(key) }, parsed.terms);
    const drawn = new Set<string>();
    for (const key of this.wholeMatches) {
      const at = this.whole.drawnAs.get(key) ?? key;
      if (this.nodes.has(at)) drawn.add(at);
    }
    this.matches = [...this.nodes.keys()].filter((k) => drawn.has(k));
    this.matchIndex = previous === undefined ? -1 : this.matches.indexOf(previous);
    this.svg?.classList.toggle('searching', q !== '');
    for (const [key, { el }] of this.nodes) el.classList.toggle('match', drawn.has(key));
    // An edge between two matches stays as clear as they are.
    for (const graph of this.svg?.querySelectorAll<SVGGElement>('.graph') ?? []) {
      const title = graph.dataset.graph ?? '';
      for (const edge of graph.querySelectorAll<SVGPathElement>('.edge')) {
        edge.classList.toggle('match', drawn.has(keyOf(title, edge.dataset.from ?? '')) && drawn.has(keyOf(title, edge.dataset.to ?? '')));
      }
    }
    this.reportMatches('error' in parsed ? parsed.error : undefined);
  }

  /** The query again, after the run states changed (`status:` and `slow>` depend on them). */
  refreshMatches(): void {
    if (/\b(status:|slow>)/i.test(this.query)) this.findMatches();
  }

  private reportMatches(error?: string): void {
    if (error !== undefined) {
      this.host.findCount(error);
      return;
    }
    const n = this.wholeMatches.length;
    const hidden = this.wholeMatches.filter((k) => !this.nodes.has(k)).length;
    const inGroups = hidden > 0 ? ` (${hidden} in collapsed groups)` : '';
    const counted = this.matchIndex >= 0 ? `${this.matchIndex + 1} of ${this.matches.length}` : `${n} match${n === 1 ? '' : 'es'}`;
    this.host.findCount(this.query === '' ? '' : n === 0 ? 'No results' : `${counted}${inGroups}`);
  }

  /** Expands the collapsed groups holding the matches (the host redraws). */
  revealMatches(): void {
    const hidden = this.wholeMatches.filter((k) => !this.nodes.has(k));
    if (hidden.length > 0) this.host.expandGroupsOf?.(hidden);
  }

  /**
   * Highlights these uids of a graph as the dependency view does (a script's `G.viewDependency()`), until the
   * user turns the dependency view on or off; `undefined` clears it.
   */
  highlight(graph: string, uids: readonly string[] | undefined): void {
    this.scripted = uids ? { graph, uids: new Set(uids) } : undefined;
    this.applyDependencies();
  }

  /** What the status line says of a script's highlight (counted on the nodes drawn), while it is shown. */
  get scriptedNote(): string | undefined {
    const scripted = this.scripted;
    if (!scripted) return undefined;
    let count = 0;
    for (const { placed, graph } of this.nodes.values()) if (graph === scripted.graph && scripted.uids.has(placed.node.uid)) count++;
    return `${count} node${count === 1 ? '' : 's'} highlighted by the script's view()`;
  }

  toggleDependencies(): void {
    this.scripted = undefined;
    this.showDependencies = !this.showDependencies;
    this.applyDependencies();
    if (this.showDependencies && !this.selected) this.host.status('Select a node to see everything it needs');
  }

  private applyDependencies(): void {
    const on = this.showDependencies && this.selected !== undefined;
    const scripted = this.scripted;
    if (!on && scripted) {
      this.svg?.classList.add('dependencies');
      for (const { el, placed, graph } of this.nodes.values()) {
        el.classList.toggle('dep', graph === scripted.graph && scripted.uids.has(placed.node.uid));
      }
      return;
    }
    this.svg?.classList.toggle('dependencies', on);
    if (!on) {
      for (const { el } of this.nodes.values()) el.classList.remove('dep');
      return;
    }
    const closure = dependencyClosure({ edges: [...this.parents].flatMap(([to, froms]) => froms.map((from) => ({ from, to }))) }, [this.selected!]);
    for (const [key, { el }] of this.nodes) el.classList.toggle('dep', closure.has(key));
    const { placed } = this.nodes.get(this.selected!)!;
    this.host.status(`${placed.node.uid} needs ${closure.size - 1} node${closure.size === 2 ? '' : 's'}`);
  }

  private activate(key: string): void {
    this.focusNode(key, false);
    const { placed, graph } = this.nodes.get(key)!;
    this.host.reveal(placed.node.uid, graph);
  }

  private open(key: string): void {
    this.focusNode(key, false);
    const { placed, graph } = this.nodes.get(key)!;
    this.host.open(placed.node.uid, graph);
  }

  /** Selects a node; `takeFocus`: the keyboard focus moves to it too (not when the find box steps through matches). */
  private focusNode(key: string, center = true, takeFocus = true): void {
    const entry = this.nodes.get(key);
    if (!entry) return;
    for (const { el } of this.nodes.values()) {
      el.classList.remove('selected');
      el.setAttribute('tabindex', '-1');
    }
    entry.el.classList.add('selected');
    entry.el.setAttribute('tabindex', '0');
    if (key !== this.selected) this.hideTooltip();
    if (takeFocus) entry.el.focus({ preventScroll: true });
    if (this.selected !== key) this.previous = this.selected;
    this.selected = key;
    this.host.select(key);
    if (center) this.centerOn(key);
    this.applyDependencies();
  }

  private centerOn(key: string): void {
    const { placed, y0 } = this.nodes.get(key)!;
    this.host.center(placed.x + placed.width / 2, y0 + placed.y + placed.height / 2);
  }

  /** Arrows move along edges (up: inputs, down: consumers) and across a layer; Enter shows the source, F12 goes to it. */
  private onKey(e: KeyboardEvent): void {
    const current = this.selected;
    if (e.key === 'Escape') {
      // A hover card shown with `i` is what Escape closes first (then the details panel, preview/panel.ts).
      if (!this.tooltip.hidden) e.preventDefault();
      this.hideTooltip();
      return;
    }
    if (!current) return;
    if (this.selectionKey(e, current)) {
      e.preventDefault();
      return;
    }
    let next: string | undefined;
    if (e.key === 'ArrowUp') next = this.parents.get(current)?.[0];
    else if (e.key === 'ArrowDown') next = this.children.get(current)?.[0];
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') next = this.neighbour(current, e.key === 'ArrowLeft' ? -1 : 1);
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.activate(current);
      return;
    } else if (e.key === 'F12') {
      e.preventDefault();
      this.open(current);
      return;
    } else if (e.key === 'i') {
      const { el } = this.nodes.get(current)!;
      const r = el.getBoundingClientRect();
      this.showTooltip(current, r.right, r.top);
      return;
    } else return;
    e.preventDefault();
    if (next) this.focusNode(next);
  }

  /**
   * Focus and selection keys, as queries in the find box: `f` the node and `hops` hops up and down, `[` / `]` one
   * hop fewer / more, `u` upstream, `d` downstream, `p` the path from the node selected before; true if handled.
   */
  private selectionKey(e: KeyboardEvent, current: string): boolean {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    const name = this.queryName(current);
    // A collapsed group's node stands for its members: its keys select the group.
    if (name.startsWith('group:') && 'fud'.includes(e.key)) this.host.setQuery?.(name);
    else if (e.key === 'f') this.host.setQuery?.(`${this.hops}+${name}+${this.hops}`);
    else if (e.key === '[' || e.key === ']') {
      this.hops = Math.max(1, this.hops + (e.key === ']' ? 1 : -1));
      if (/^\d+\+.+\+\d+$/.test(this.query)) this.host.setQuery?.(`${this.hops}+${name}+${this.hops}`);
      this.host.status(`Focus: ${this.hops} hop${this.hops === 1 ? '' : 's'} up and down (f)`);
    } else if (e.key === 'u') this.host.setQuery?.(`+${name}`);
    else if (e.key === 'd') this.host.setQuery?.(`${name}+`);
    else if (e.key === 'p' && this.previous !== undefined && this.nodes.has(this.previous)) this.focusPath(this.previous, current);
    else return false;
    return true;
  }

  private focusPath(from: string, to: string): void {
    this.host.setQuery?.(`${this.queryName(from)}..${this.queryName(to)}`);
    this.focusNode(to, false);
  }

  /** How a query names a drawn node: its uid (a collapsed group's node: `group:` and its path). */
  private queryName(key: string): string {
    const uid = this.nodes.get(key)!.placed.node.uid;
    return uid.startsWith('group:/') ? `group:${uid.slice('group:/'.length)}` : uid;
  }

  private neighbour(key: string, direction: number): string | undefined {
    const me = this.nodes.get(key)!;
    const cy = me.y0 + me.placed.y + me.placed.height / 2;
    const cx = me.placed.x + me.placed.width / 2;
    let best: string | undefined;
    let bestDx = Infinity;
    for (const [k, n] of this.nodes) {
      if (k === key || n.graph !== me.graph) continue;
      const ny = n.y0 + n.placed.y + n.placed.height / 2;
      const dx = (n.placed.x + n.placed.width / 2 - cx) * direction;
      if (Math.abs(ny - cy) < 8 && dx > 0 && dx < bestDx) {
        best = k;
        bestDx = dx;
      }
    }
    return best;
  }

  private showTooltip(key: string, x: number, y: number): void {
    const { placed } = this.nodes.get(key)!;
    const state = this.host.overlay().nodes.get(key);
    const lines = nodeDetails(
      placed.node,
      state,
      this.host.diagnostics().filter((d) => d.uid === placed.node.uid),
      this.host.cacheMiss(key),
    );
    this.tooltip.replaceChildren(
      ...lines.map((line, i) => {
        const div = document.createElement('div');
        div.className = i === 0 ? 'tip-title' : 'tip-line';
        div.textContent = line;
        return div;
      }),
    );
    this.tooltip.hidden = false;
    this.moveTooltip(x, y);
  }

  /** The card stays over the canvas, never over what is beside it (the details panel) or below the window. */
  private moveTooltip(x: number, y: number): void {
    if (this.tooltip.hidden) return;
    const room = this.canvas.getBoundingClientRect();
    this.tooltip.style.maxWidth = `${Math.min(420, Math.max(120, room.width - 16))}px`;
    const w = this.tooltip.offsetWidth;
    const h = this.tooltip.offsetHeight;
    this.tooltip.style.left = `${Math.max(room.left, Math.min(x + 14, room.right - w - 8))}px`;
    this.tooltip.style.top = `${Math.max(room.top, Math.min(y + 14, window.innerHeight - h - 8))}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }
}

function keyOf(graph: string, uid: string): string {
  return `${graph}\u0000${uid}`;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
