import type uPlot from 'uplot';
import type { DataPreview, GraphModel, NodePreview } from '../../src/protocol/index.js';
import { graftedKeys } from '../graftedStates.js';
import type { NodeState } from '../overlay.js';
import { noPreviewNote, type NoPreviewFacts } from './noPreview.js';
import { el, formatNumber } from './dom.js';
import { renderJsonTree } from './jsonTree.js';
import { plotHeight, renderNumeric } from './plot.js';
import { renderTable } from './table.js';

/** Node keys are `graph\u0000uid`, as the graph view's selection names them. */
const uidOf = (key: string): string => key.slice(key.indexOf('\u0000') + 1);

/**
 * The details panel of the selected data node's value (or the outputs of the selected op), from the run's previews.
 * It opens when a node with a preview is selected and updates while the run goes on; Escape (with the focus anywhere in
 * the view) or its close button closes it (until another node is selected), `v` moves the keyboard focus into it.
 * `onClose` is told when it closed with the focus inside it or nowhere (on the body): the focus goes back to the graph.
 */
export class PreviewPanel {
  private readonly root = el('aside', 'preview-panel');
  private readonly title = el('h2', 'preview-title');
  private readonly tabs = el('div', 'preview-tabs');
  private readonly body = el('div', 'preview-body');
  private previews = new Map<string, DataPreview>();
  /** Each op's output data nodes (keys), from the graph model. */
  private outputs = new Map<string, string[]>();
  private dataKeys = new Set<string>();
  /** The op that makes each data node, and each node's successors (keys), to say why a node has no preview. */
  private producers = new Map<string, string>();
  private successors = new Map<string, string[]>();
  /** A run is shown (its trace began): a node without a preview was not computed in it, or not yet. */
  private ran = false;
  private ended = false;
  /** A grafted node's key in the graph shown → the key its own graph's run gives it (previews come under that one). */
  private tracedOf = new Map<string, string>();
  private selected: string | undefined;
  /** The output shown when the selected op has several. */
  private shown: string | undefined;
  private closedFor: string | undefined;
  private plots: uPlot[] = [];

  constructor(
    private readonly onClose: () => void,
    /** A node's state in the run shown, by the key the trace gives it. */
    private readonly stateOf: (key: string) => NodeState | undefined,
  ) {
    this.root.id = 'preview';
    this.root.hidden = true;
    this.root.tabIndex = -1;
    this.root.setAttribute('role', 'complementary');
    this.title.id = 'preview-title';
    this.root.setAttribute('aria-labelledby', this.title.id);
    const close = el('button', 'preview-close', '×');
    close.type = 'button';
    close.title = 'Close (Escape)';
    close.setAttribute('aria-label', 'Close the value preview (Escape)');
    close.addEventListener('click', () => this.close());
    const header = el('header', 'preview-header');
    header.append(this.title, close);
    this.tabs.setAttribute('role', 'tablist');
    this.root.append(header, this.tabs, this.body);
    document.body.append(this.root);
    // Wherever the focus is in the view (the graph, the panel, the body after a click on text): Escape closes the
    // panel, unless something nearer the focus used it first (the find box clears, a hover card hides).
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented || this.root.hidden) return;
      e.preventDefault();
      this.close();
    });
    new ResizeObserver(() => this.resizePlots()).observe(this.body);
    document.addEventListener('keydown', (e) => {
      const target = e.target as HTMLElement;
      if (e.key !== 'v' || e.ctrlKey || e.metaKey || e.altKey || this.root.hidden || target.closest('vscode-textfield, input, #preview')) return;
      e.preventDefault();
      this.root.focus();
    });
  }

  /** The graphs drawn: which ops make which data nodes. */
  setGraphs(graphs: readonly GraphModel[]): void {
    this.outputs = new Map();
    this.dataKeys = new Set();
    this.producers = new Map();
    this.successors = new Map();
    this.tracedOf = new Map(graftedKeys(graphs));
    for (const g of graphs) {
      const kinds = new Map(g.nodes.map((n) => [n.uid, n.kind]));
      for (const n of g.nodes) if (n.kind === 'data') this.dataKeys.add(`${g.alias}\u0000${n.uid}`);
      for (const e of g.edges) {
        const [from, to] = [`${g.alias}\u0000${e.from}`, `${g.alias}\u0000${e.to}`];
        this.successors.set(from, [...(this.successors.get(from) ?? []), to]);
        if (kinds.get(e.from) !== 'operation' || kinds.get(e.to) !== 'data') continue;
        this.outputs.set(from, [...(this.outputs.get(from) ?? []), to]);
        this.producers.set(to, from);
      }
    }
    this.update();
  }

  /** A run starts: its previews replace the last run's. */
  clear(): void {
    this.previews = new Map();
    this.ran = true;
    this.ended = false;
    this.update();
  }

  /** The run shown ended: what was not computed will not be. */
  end(): void {
    this.ended = true;
    this.refresh();
  }

  /** The run's states changed: a note saying why the value shown has no preview is brought up to date. */
  refresh(): void {
    const key = this.root.dataset.key;
    if (this.root.hidden || key === undefined || this.previewOf(key) !== undefined) return;
    const note = this.noPreviewNote(key);
    const shown = this.body.querySelector('.preview-note');
    if (shown && shown.textContent !== note) shown.textContent = note;
  }

  add(previews: readonly NodePreview[]): void {
    for (const p of previews) this.previews.set(`${p.graph}\u0000${p.uid}`, p.preview);
    if (this.selected === undefined) return;
    const shown = new Set(this.keysOf(this.selected).map((k) => this.tracedOf.get(k) ?? k));
    if (previews.some((p) => shown.has(`${p.graph}\u0000${p.uid}`))) this.update();
  }

  select(key: string | undefined): void {
    if (key === this.selected) return;
    this.selected = key;
    this.shown = undefined;
    this.closedFor = undefined;
    this.update();
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  private previewOf(viewKey: string): DataPreview | undefined {
    return this.previews.get(this.tracedOf.get(viewKey) ?? viewKey);
  }

  private keysOf(key: string): string[] {
    return this.dataKeys.has(key) ? [key] : (this.outputs.get(key) ?? []);
  }

  private update(): void {
    const keys = this.selected === undefined ? [] : this.keysOf(this.selected);
    const withPreview = keys.filter((k) => this.previewOf(k) !== undefined);
    // A node without a value leaves the panel closed unless the run shown made previews: then it says why there is none.
    if (keys.length === 0 || this.closedFor === this.selected || (withPreview.length === 0 && this.root.hidden && this.previews.size === 0)) {
      this.hide();
      return;
    }
    const shown = this.shown !== undefined && keys.includes(this.shown) ? this.shown : (withPreview[0] ?? keys[0]!);
    this.root.hidden = false;
    document.body.classList.add('preview-open');
    document.body.style.setProperty('--pf-preview-top', `${document.querySelector('.toolbar')?.getBoundingClientRect().bottom ?? 0}px`);
    this.renderTabs(keys, shown);
    this.render(shown, this.previewOf(shown));
  }

  private renderTabs(keys: string[], shown: string): void {
    this.tabs.hidden = keys.length < 2;
    this.tabs.replaceChildren(
      ...keys.map((key) => {
        const tab = el('button', 'preview-tab', uidOf(key));
        tab.type = 'button';
        tab.setAttribute('role', 'tab');
        tab.setAttribute('aria-selected', String(key === shown));
        tab.addEventListener('click', () => {
          this.shown = key;
          this.update();
        });
        return tab;
      }),
    );
  }

  private render(key: string, preview: DataPreview | undefined): void {
    const started = performance.now();
    for (const plot of this.plots.splice(0)) plot.destroy();
    this.title.textContent = preview ? `${uidOf(key)} · ${preview.type}` : uidOf(key);
    this.root.dataset.kind = preview?.kind ?? 'none';
    this.root.dataset.key = key;
    if (!preview) {
      this.body.replaceChildren(el('p', 'preview-note', this.noPreviewNote(key)));
      return;
    }
    this.body.replaceChildren(this.content(preview));
    // uPlot draws its canvases in a microtask it queued while being made: this one runs after it.
    queueMicrotask(() => {
      this.root.dataset.drawMs = String(Math.round((performance.now() - started) * 10) / 10);
    });
  }

  private content(preview: DataPreview): HTMLElement {
    switch (preview.kind) {
      case 'table': {
        const root = el('div');
        const cut = preview.rows.length < preview.totalRows || preview.columns.length < preview.totalColumns;
        root.append(
          el(
            'p',
            'preview-note',
            `${formatNumber(preview.totalRows)} rows × ${formatNumber(preview.totalColumns)} columns${cut ? ` · the preview holds the first ${formatNumber(preview.rows.length)} rows and ${formatNumber(preview.columns.length)} columns; sorting sorts these` : ''}`,
          ),
          renderTable(preview),
        );
        return root;
      }
      case 'numeric': {
        const { root, plots } = renderNumeric(preview, this.plotWidth());
        this.plots = plots;
        return root;
      }
      case 'json':
        return renderJsonTree(preview.root);
      case 'image': {
        const figure = el('figure', 'preview-image');
        const img = el('img');
        img.src = preview.png;
        img.alt = `Image ${preview.width} × ${preview.height}`;
        // A scaled-down preview is shown at most twice its size, with its pixels kept sharp.
        img.style.width = `${Math.min(this.plotWidth(), preview.previewWidth * 2)}px`;
        const scaled = preview.previewWidth < preview.width;
        figure.append(
          img,
          el('figcaption', undefined, `${preview.width} × ${preview.height}${scaled ? ` (preview ${preview.previewWidth} × ${preview.previewHeight})` : ''}`),
        );
        return figure;
      }
      case 'text': {
        const root = el('div');
        root.append(el('pre', 'preview-text', preview.text));
        if (preview.text.length < preview.length)
          root.append(el('p', 'preview-note', `… ${formatNumber(preview.length - preview.text.length)} more characters not in the preview`));
        return root;
      }
      case 'omitted':
        return el('p', 'preview-note', `No preview: ${preview.reason}.`);
    }
  }

  private noPreviewNote(key: string): string {
    const state = (k: string): NodeState | undefined => this.stateOf(this.tracedOf.get(k) ?? k);
    const facts: NoPreviewFacts = { ran: this.ran, ended: this.ended };
    const producer = this.producers.get(key);
    if (producer !== undefined) {
      const s = state(producer)?.state;
      facts.producer = s === undefined ? { uid: uidOf(producer) } : { uid: uidOf(producer), state: s };
      if (s === undefined) {
        const cached = this.nearestDownstream(key, (k) => state(k)?.state === 'cached');
        if (cached !== undefined) facts.cachedBelow = uidOf(cached);
      }
    }
    return noPreviewNote(facts);
  }

  /** The nearest node downstream of `key` (breadth first) that passes `test`. */
  private nearestDownstream(key: string, test: (key: string) => boolean): string | undefined {
    const seen = new Set([key]);
    const queue = [key];
    for (let i = 0; i < queue.length; i++) {
      for (const next of this.successors.get(queue[i]!) ?? []) {
        if (seen.has(next)) continue;
        if (test(next)) return next;
        seen.add(next);
        queue.push(next);
      }
    }
    return undefined;
  }

  private plotWidth(): number {
    return Math.max(160, this.body.clientWidth - 24);
  }

  private resizePlots(): void {
    const width = this.plotWidth();
    for (const plot of this.plots) plot.setSize({ width, height: plotHeight(width) });
  }

  private close(): void {
    this.closedFor = this.selected;
    const focus = document.activeElement;
    const lost = focus === null || focus === document.body || this.root.contains(focus);
    this.hide();
    if (lost) this.onClose();
  }

  private hide(): void {
    if (this.root.hidden) return;
    for (const plot of this.plots.splice(0)) plot.destroy();
    this.root.hidden = true;
    document.body.classList.remove('preview-open');
  }
}
