import { emptyRunText, type RunTimes, type Bar, type Mark } from './runTimes.js';
import { formatDuration } from './tooltip.js';

export interface TimeViewHost {
  /** Select an op (its view key) in the graph, and centre it. */
  select(key: string): void;
  /** The name a row shows for an op key (or a worker's row name as it is). */
  label(row: string): string;
}

const ROW = 18;
const AXIS = 18;
const LABELS = 150;
/** The room a time label of the axis gets ("100 ms", "2.50 s" and a gap). */
const AXIS_LABEL_PX = 80;
/** The smallest time window a zoom shows (ms). */
const MIN_SPAN = 0.05;

/**
 * The run's time view: one row per op, or per worker once an executor ran an op (see `RunTimes`), a bar from each op's start to its end (failed ones in the
 * error colour, running ones growing), ticks where its outputs were released or kept, and the step slider's time
 * as a line. Drawn on a canvas, only the rows and bars in sight, at most once a frame: 10,000 steps scroll and zoom
 * at full frame rate. Click a bar (or Up/Down) to select its op in the graph; selecting a node in the graph
 * scrolls to its row. Wheel scrolls rows, Ctrl+wheel or +/- zoom in time, Left/Right pan, 0 shows the whole run.
 */
export class TimeView {
  private times: RunTimes | undefined;
  private firstRow = 0;
  /** The time window drawn; `undefined` follows the run (0 to its latest time). */
  private window: { from: number; to: number } | undefined;
  private selectedKey: string | undefined;
  private cursorMs: number | undefined;
  private queued = false;
  /** Bars and marks by row, indexed up to `indexedBars` / `indexedMarks`. */
  private rowBars: number[][] = [];
  private rowMarks: Mark[][] = [];
  private indexedBars = 0;
  private indexedMarks = 0;
  /** The `layout` of the times when indexed: rows laid out again make the index start over. */
  private indexedLayout = 0;
  /** The longest bar (ms), to find the first bar in sight; and the bars still running when last indexed. */
  private longest = 0;
  private running: number[] = [];
  private colors: Record<string, string> | undefined;
  /** How long the last draw took (ms), for the benchmark. */
  lastDrawMs = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly canvas: HTMLCanvasElement,
    private readonly info: HTMLElement,
    private readonly host: TimeViewHost,
  ) {
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('click', (e) => this.onClick(e));
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver(() => this.schedule()).observe(root);
    // The theme's colours are read again when VS Code changes the theme (it sets the body's class).
    new MutationObserver(() => {
      this.colors = undefined;
      this.schedule();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  get shown(): boolean {
    return !this.root.hidden;
  }

  show(on: boolean): void {
    this.root.hidden = !on;
    this.schedule();
  }

  /** A new run (or none): its times; the view follows it until the user zooms. */
  setTimes(times: RunTimes | undefined): void {
    this.times = times;
    if (this.selectedKey !== undefined) this.describe(this.selectedKey);
    this.unindex();
    this.firstRow = 0;
    this.window = undefined;
    this.schedule();
  }

  /** The run's times grew. */
  changed(): void {
    if (this.selectedKey !== undefined) this.describe(this.selectedKey);
    this.schedule();
  }

  /** The op selected in the graph: its row is scrolled into sight and marked. */
  highlight(key: string | undefined): void {
    this.selectedKey = key;
    const row = key === undefined ? undefined : this.times?.rowOfKey(key);
    if (row !== undefined) {
      const visible = this.visibleRows();
      if (row < this.firstRow || row >= this.firstRow + visible) this.firstRow = Math.max(0, row - Math.floor(visible / 2));
      this.describe(key!);
    }
    this.schedule();
  }

  /** The time of the step slider's position, drawn as a line. */
  cursor(ms: number | undefined): void {
    if (ms === this.cursorMs) return;
    this.cursorMs = ms;
    this.schedule();
  }

  schedule(): void {
    if (this.queued || this.root.hidden) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.draw();
    });
  }

  private visibleRows(): number {
    return Math.max(1, Math.floor((this.canvas.clientHeight - AXIS) / ROW));
  }

  private span(): { from: number; to: number } {
    return this.window ?? { from: 0, to: Math.max(this.times?.now ?? 0, MIN_SPAN) };
  }

  private unindex(): void {
    this.rowBars = [];
    this.rowMarks = [];
    this.indexedBars = 0;
    this.indexedMarks = 0;
    this.indexedLayout = this.times?.layout ?? 0;
    this.longest = 0;
    this.running = [];
  }

  private index(): void {
    const times = this.times;
    if (!times) return;
    if (times.layout !== this.indexedLayout) this.unindex();
    // Bars still running grow: the longest is measured again from the first of them.
    for (const b of this.running.splice(0)) {
      const bar = times.bars[b]!;
      this.longest = Math.max(this.longest, (bar.how === 'running' ? times.now : bar.end) - bar.start);
      if (bar.how === 'running') this.running.push(b);
    }
    for (; this.indexedBars < times.bars.length; this.indexedBars++) {
      const bar = times.bars[this.indexedBars]!;
      (this.rowBars[bar.row] ??= []).push(this.indexedBars);
      if (bar.how === 'running') this.running.push(this.indexedBars);
      else this.longest = Math.max(this.longest, bar.end - bar.start);
    }
    for (; this.indexedMarks < times.marks.length; this.indexedMarks++) {
      const mark = times.marks[this.indexedMarks]!;
      (this.rowMarks[mark.row] ??= []).push(mark);
    }
  }

  private palette(): Record<string, string> {
    if (!this.colors) {
      const style = getComputedStyle(document.body);
      const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
      this.colors = {
        fg: v('--pf-fg', '#888'),
        finished: v('--pf-active', '#73c991'),
        error: v('--pf-error', '#f14c4c'),
        running: v('--pf-running', '#0e70c0'),
        kept: v('--pf-needed', '#cca700'),
        released: v('--pf-edge', '#888'),
        selected: v('--pf-match-current', 'rgba(81,92,106,.6)'),
        grid: v('--pf-border', '#888'),
        font: `${v('--vscode-font-size', '12px')} ${v('--vscode-font-family', 'sans-serif')}`,
      };
    }
    return this.colors;
  }

  draw(): void {
    const started = performance.now();
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const times = this.times;
    const c = this.palette();
    ctx.font = c.font!;
    ctx.textBaseline = 'middle';
    if (!times || times.rows.length === 0) {
      ctx.fillStyle = c.fg!;
      ctx.fillText(times ? emptyRunText(times.cached) : 'Run the graph to see its ops in time.', 10, height / 2);
      this.lastDrawMs = performance.now() - started;
      return;
    }
    this.index();
    const { from, to } = this.span();
    const plot = Math.max(10, width - LABELS - 8);
    const x = (ms: number): number => LABELS + ((ms - from) / (to - from)) * plot;
    this.drawAxis(ctx, from, to, x, c, height);
    const rows = this.visibleRows();
    this.firstRow = Math.max(0, Math.min(this.firstRow, times.rows.length - rows));
    const selectedRow = this.selectedKey === undefined ? undefined : times.rowOfKey(this.selectedKey);
    for (let r = this.firstRow; r < Math.min(times.rows.length, this.firstRow + rows); r++) {
      const y = AXIS + (r - this.firstRow) * ROW;
      if (r === selectedRow) {
        ctx.fillStyle = c.selected!;
        ctx.fillRect(0, y, width, ROW);
      }
      ctx.fillStyle = c.fg!;
      ctx.fillText(ellipsis(this.host.label(times.rows[r]!), 22), 6, y + ROW / 2);
      this.drawBars(ctx, r, y, from, to, x, c);
      for (const m of this.rowMarks[r] ?? []) {
        if (m.at < from || m.at > to) continue;
        ctx.fillStyle = m.kind === 'released' ? c.released! : c.kept!;
        ctx.fillRect(Math.round(x(m.at)) - 1, y + ROW - 6, 2, 5);
      }
    }
    if (this.cursorMs !== undefined && this.cursorMs >= from && this.cursorMs <= to) {
      ctx.fillStyle = c.fg!;
      ctx.fillRect(Math.round(x(this.cursorMs)), AXIS, 1, height - AXIS);
    }
    const scheme = times.byWorker ? 'worker' : 'op';
    const names = times.byWorker ? ` (${times.rows.map((r) => this.host.label(r)).join(', ')})` : '';
    this.canvas.setAttribute(
      'aria-label',
      `Run time view, one row per ${scheme}: ${times.rows.length} rows${names}, ${formatDuration(times.now)}; Up and Down select an op, plus and minus zoom, Left and Right pan, 0 shows the whole run`,
    );
    this.root.dataset.rowsPer = scheme;
    this.root.dataset.rows = String(times.rows.length);
    this.root.dataset.bars = String(times.bars.length);
    this.lastDrawMs = performance.now() - started;
  }

  private drawBars(
    ctx: CanvasRenderingContext2D,
    row: number,
    y: number,
    from: number,
    to: number,
    x: (ms: number) => number,
    c: Record<string, string>,
  ): void {
    const list = this.rowBars[row];
    if (!list) return;
    const bars = this.times!.bars;
    // Bars of a row start in time order: from the first that can reach `from` to the last that starts before `to`.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bars[list[mid]!]!.start < from - this.longest) lo = mid + 1;
      else hi = mid;
    }
    let lastPixel = -1;
    for (let i = lo; i < list.length; i++) {
      const bar = bars[list[i]!]!;
      if (bar.start > to) break;
      const end = bar.how === 'running' ? this.times!.now : bar.end;
      if (end < from) continue;
      const x0 = Math.max(LABELS, x(bar.start));
      const x1 = Math.max(x0 + 1, x(end));
      // Many bars in one pixel (a zoomed-out worker row) are drawn once.
      if (Math.floor(x1) <= lastPixel && bar.how === 'finished') continue;
      lastPixel = Math.floor(x1);
      ctx.fillStyle = bar.how === 'error' ? c.error! : bar.how === 'running' ? c.running! : c.finished!;
      ctx.fillRect(x0, y + 3, x1 - x0, ROW - 8);
    }
  }

  private drawAxis(ctx: CanvasRenderingContext2D, from: number, to: number, x: (ms: number) => number, c: Record<string, string>, height: number): void {
    // As many labels as fit: one per AXIS_LABEL_PX of the plot, so that they never overlap in a narrow view.
    const step = niceStep((to - from) / Math.max(1, Math.floor((x(to) - x(from)) / AXIS_LABEL_PX)));
    ctx.fillStyle = c.fg!;
    ctx.globalAlpha = 0.75;
    for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
      const px = Math.round(x(t));
      ctx.fillText(formatDuration(t), px + 3, AXIS / 2);
      ctx.fillStyle = c.grid!;
      ctx.globalAlpha = 0.25;
      ctx.fillRect(px, AXIS - 4, 1, height);
      ctx.fillStyle = c.fg!;
      ctx.globalAlpha = 0.75;
    }
    ctx.globalAlpha = 1;
  }

  private onWheel(e: WheelEvent): void {
    if (!this.times) return;
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) {
      const rect = this.canvas.getBoundingClientRect();
      this.zoom(e.deltaY < 0 ? 0.8 : 1.25, e.clientX - rect.left);
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) this.pan((e.deltaX || e.deltaY) / 400);
    else {
      this.firstRow = Math.max(0, this.firstRow + Math.sign(e.deltaY) * Math.max(1, Math.round(Math.abs(e.deltaY) / ROW)));
      this.schedule();
    }
  }

  private zoom(factor: number, atX = LABELS + (this.canvas.clientWidth - LABELS) / 2): void {
    const { from, to } = this.span();
    const plot = Math.max(10, this.canvas.clientWidth - LABELS - 8);
    const pivot = from + ((atX - LABELS) / plot) * (to - from);
    const span = Math.max(MIN_SPAN, (to - from) * factor);
    const start = Math.max(0, pivot - (pivot - from) * (span / (to - from)));
    this.window = { from: start, to: start + span };
    if (this.window.from <= 0 && this.window.to >= (this.times?.now ?? 0)) this.window = undefined;
    this.schedule();
  }

  private pan(fraction: number): void {
    const { from, to } = this.span();
    const shift = (to - from) * fraction;
    const start = Math.max(0, from + shift);
    this.window = { from: start, to: start + (to - from) };
    this.schedule();
  }

  private onClick(e: MouseEvent): void {
    const times = this.times;
    if (!times) return;
    const rect = this.canvas.getBoundingClientRect();
    const px = e.clientX - rect.left;
    const row = this.firstRow + Math.floor((e.clientY - rect.top - AXIS) / ROW);
    if (row < 0 || row >= times.rows.length) return;
    const bar = px < LABELS ? this.lastBarOf(row) : this.barAt(row, px);
    if (bar) this.pick(bar.key);
  }

  private pick(key: string): void {
    this.selectedKey = key;
    this.host.select(key);
    this.describe(key);
    this.schedule();
  }

  private describe(key: string): void {
    const bars = this.times?.barsOf(key) ?? [];
    const bar = bars.at(-1);
    // The line describes the selected op in the run shown: none when that run has no bar of it (yet).
    if (!bar) {
      this.info.textContent = '';
      return;
    }
    const times = this.times!;
    // With rows per worker, a finished bar's row is where the op ran.
    const where = times.byWorker && bar.how === 'finished' ? ` on ${this.host.label(times.rows[bar.row]!)}` : '';
    const how = bar.how === 'error' ? 'failed' : bar.how === 'running' ? 'running' : `finished${where}`;
    const runs = bars.length > 1 ? ` (run ${bars.length} times)` : '';
    this.info.textContent = `${key.split('\u0000')[1]}: ${how}, ${formatDuration(bar.start)} → ${formatDuration(bar.how === 'running' ? this.times!.now : bar.end)}${runs}`;
  }

  private lastBarOf(row: number): Bar | undefined {
    const list = this.rowBars[row];
    return list && list.length > 0 ? this.times!.bars[list.at(-1)!] : undefined;
  }

  private barAt(row: number, px: number): Bar | undefined {
    const { from, to } = this.span();
    const plot = Math.max(10, this.canvas.clientWidth - LABELS - 8);
    const ms = from + ((px - LABELS) / plot) * (to - from);
    const slack = (3 / plot) * (to - from);
    let best: Bar | undefined;
    for (const b of this.rowBars[row] ?? []) {
      const bar = this.times!.bars[b]!;
      const end = bar.how === 'running' ? this.times!.now : bar.end;
      if (bar.start - slack <= ms && ms <= end + slack) best = bar;
    }
    return best;
  }

  private onKey(e: KeyboardEvent): void {
    const times = this.times;
    if (!times) return;
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const current = this.selectedKey === undefined ? undefined : times.rowOfKey(this.selectedKey);
      const row = Math.max(0, Math.min(times.rows.length - 1, current === undefined ? 0 : current + (e.key === 'ArrowUp' ? -1 : 1)));
      const bar = this.lastBarOf(row);
      if (bar) {
        this.pick(bar.key);
        this.highlight(bar.key);
      }
    } else if (e.key === '+' || e.key === '=') this.zoom(0.8);
    else if (e.key === '-') this.zoom(1.25);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') this.pan(e.key === 'ArrowLeft' ? -0.2 : 0.2);
    else if (e.key === '0') {
      this.window = undefined;
      this.schedule();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }
}

/** A round step for axis ticks near `raw` (1, 2 or 5 times a power of ten). */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-6)));
  const n = raw / power;
  return (n < 1.5 ? 1 : n < 3.5 ? 2 : n < 7.5 ? 5 : 10) * power;
}

function ellipsis(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
