import type { Diagnostic } from '../src/protocol/index.js';
import { dependencyClosure } from '../src/core/dependencies.js';
import type { ViewGraph } from '../src/drawing/viewGraph.js';
import type { Placed, PlacedNode } from '../src/drawing/layout.js';
import type { NodeState, OverlayState } from './overlay.js';
import { formatDuration, nodeDetails } from './tooltip.js';

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
  /** What the find box's counter says: '' (no query), 'No results', '3 matches', '2 of 3'. */
  findCount(text: string): void;
}

interface NodeEntry {
  el: SVGGElement;
  placed: PlacedNode;
  graph: string;
  y0: number;
  painted?: NodeState;
}

/** Nodes restyled per frame while a run streams (about 5 ms of style and layout on a 1,000-node graph). */
const PAINT_BUDGET = 150;
/** Shortest time between two overlay repaints (ms). */
const PAINT_INTERVAL = 50;

const STATE_CLASSES = ['st-activated', 'st-running', 'st-finished', 'st-stillNeeded', 'st-released', 'st-error', 'st-notRun', 'st-stopped'];
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
  private query = '';
  private matches: string[] = [];
  private matchIndex = -1;
  private showDependencies = false;
  private scripted: { graph: string; uids: Set<string> } | undefined;

  constructor(canvas: HTMLElement, private readonly tooltip: HTMLElement, private readonly host: InteractionHost) {
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    canvas.addEventListener('focus', () => {
      if (!this.selected && this.nodes.size > 0) this.focusNode(this.nodes.keys().next().value!);
    });
  }

  attach(svg: SVGSVGElement, views: ViewGraph[], placed: Placed[]): void {
    this.svg = svg;
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
      el.addEventListener('click', () => this.activate(key));
      el.addEventListener('dblclick', () => this.open(key));
      el.addEventListener('pointerenter', (e) => this.showTooltip(key, e.clientX, e.clientY));
      el.addEventListener('pointermove', (e) => this.moveTooltip(e.clientX, e.clientY));
      el.addEventListener('pointerleave', () => this.hideTooltip());
    }
    this.entries = [...this.nodes];
    this.paintCursor = 0;
    if (this.selected && !this.nodes.has(this.selected)) this.selected = undefined;
    this.findMatches();
    this.applyDependencies();
  }

  /** Nothing is drawn (a file without a graph): no nodes, no matches. */
  detach(): void {
    this.svg = undefined;
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
          badge.setAttribute('x', String(placed.width));
          badge.setAttribute('y', '-3');
          badge.setAttribute('text-anchor', 'end');
          el.appendChild(badge);
        }
        badge.textContent = formatDuration(state.durationMs);
      } else badge?.remove();
    }
  }

  selectMany(uids: readonly string[], center = true): void {
    const keys = [...this.nodes.keys()].filter((k) => uids.includes(k) || uids.includes(this.nodes.get(k)!.placed.node.uid));
    for (const { el } of this.nodes.values()) el.classList.remove('selected');
    for (const k of keys) this.nodes.get(k)!.el.classList.add('selected');
    this.selected = keys[0];
    if (center && keys[0]) this.centerOn(keys[0]);
    this.applyDependencies();
  }

  search(text: string): void {
    this.query = text.trim().toLowerCase();
    this.findMatches();
  }

  /** The next (step 1) or previous (-1) match: selected and centred, while the keyboard focus stays where it is (the find box). */
  nextMatch(step: number): void {
    if (this.matches.length === 0) return;
    this.matchIndex = (this.matchIndex + step + this.matches.length) % this.matches.length;
    this.focusNode(this.matches[this.matchIndex]!, true, false);
    this.reportMatches();
  }

  /** The matches of the query among the drawn nodes; run again whenever the query or the drawing changes. */
  private findMatches(): void {
    const q = this.query;
    const previous = this.matches[this.matchIndex];
    this.matches = q === '' ? [] : [...this.nodes.keys()].filter((k) => {
      const n = this.nodes.get(k)!.placed.node;
      return n.uid.toLowerCase().includes(q) || n.label.toLowerCase().includes(q) || (n.fn ?? '').toLowerCase().includes(q);
    });
    this.matchIndex = previous === undefined ? -1 : this.matches.indexOf(previous);
    const set = new Set(this.matches);
    this.svg?.classList.toggle('searching', q !== '');
    for (const [key, { el }] of this.nodes) el.classList.toggle('match', set.has(key));
    this.reportMatches();
  }

  private reportMatches(): void {
    const n = this.matches.length;
    this.host.findCount(this.query === '' ? '' : n === 0 ? 'No results' : this.matchIndex >= 0 ? `${this.matchIndex + 1} of ${n}` : `${n} match${n === 1 ? '' : 'es'}`);
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
    if (takeFocus) entry.el.focus({ preventScroll: true });
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
      this.hideTooltip();
      return;
    }
    if (!current) return;
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
    const lines = nodeDetails(placed.node, state, this.host.diagnostics().filter((d) => d.uid === placed.node.uid), this.host.cacheMiss(key));
    this.tooltip.replaceChildren(...lines.map((line, i) => {
      const div = document.createElement('div');
      div.className = i === 0 ? 'tip-title' : 'tip-line';
      div.textContent = line;
      return div;
    }));
    this.tooltip.hidden = false;
    this.moveTooltip(x, y);
  }

  private moveTooltip(x: number, y: number): void {
    if (this.tooltip.hidden) return;
    const w = this.tooltip.offsetWidth;
    this.tooltip.style.left = `${Math.min(x + 14, window.innerWidth - w - 8)}px`;
    this.tooltip.style.top = `${y + 14}px`;
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
