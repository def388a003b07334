import type { Placed } from '../src/drawing/layout.js';
import type { Transform } from './viewport.js';

/** Where render.ts puts each graph: under a title, stacked with a gap (see renderScene). */
const TITLE = 28;
const GAP = 24;
const WIDTH = 170;
const HEIGHT = 120;

/**
 * A minimap beside the canvas while the drawing is larger than the view: every node and group as a small
 * rectangle, and the part in view as a frame. Click or drag on it to move the view there. (Keyboard users have the
 * arrow keys, which centre each node they reach, and 0 to fit.)
 */
export class Minimap {
  private scale = 1;
  private sceneWidth = 0;
  private sceneHeight = 0;
  private readonly canvas: HTMLCanvasElement;
  private readonly frame: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly onCenter: (x: number, y: number) => void,
  ) {
    this.canvas = document.createElement('canvas');
    this.frame = document.createElement('div');
    this.frame.className = 'minimap-view';
    root.replaceChildren(this.canvas, this.frame);
    root.setAttribute('aria-hidden', 'true');
    root.hidden = true;
    const move = (e: PointerEvent): void => {
      const r = this.canvas.getBoundingClientRect();
      this.onCenter((e.clientX - r.left) / this.scale, (e.clientY - r.top) / this.scale);
    };
    root.addEventListener('pointerdown', (e) => {
      e.stopPropagation();
      root.setPointerCapture(e.pointerId);
      move(e);
    });
    root.addEventListener('pointermove', (e) => {
      if (root.hasPointerCapture(e.pointerId)) move(e);
    });
    root.addEventListener('wheel', (e) => e.stopPropagation());
  }

  /** The drawing: its graphs as laid out, stacked as render.ts stacks them. */
  setScene(graphs: readonly Placed[], width: number, height: number): void {
    this.sceneWidth = width;
    this.sceneHeight = height;
    this.scale = Math.min(WIDTH / Math.max(width, 1), HEIGHT / Math.max(height, 1));
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.ceil(width * this.scale * ratio);
    this.canvas.height = Math.ceil(height * this.scale * ratio);
    this.canvas.style.width = `${Math.ceil(width * this.scale)}px`;
    this.canvas.style.height = `${Math.ceil(height * this.scale)}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const style = getComputedStyle(document.body);
    ctx.setTransform(ratio * this.scale, 0, 0, ratio * this.scale, 0, 0);
    let y0 = 0;
    for (const g of graphs) {
      const top = y0 + TITLE;
      ctx.strokeStyle = style.getPropertyValue('--pf-border').trim() || '#888';
      ctx.lineWidth = 1 / this.scale;
      for (const box of g.groups ?? []) ctx.strokeRect(box.x, top + box.y, box.width, box.height);
      ctx.fillStyle = style.getPropertyValue('--pf-edge').trim() || '#888';
      for (const n of g.nodes) ctx.fillRect(n.x, top + n.y, Math.max(n.width, 2 / this.scale), Math.max(n.height, 2 / this.scale));
      y0 += TITLE + g.height + GAP;
    }
  }

  /** The view's transform and size: the frame follows; the minimap shows only when part of the drawing is out of view. */
  setView(t: Transform, viewWidth: number, viewHeight: number): void {
    const x = -t.x / t.k;
    const y = -t.y / t.k;
    const w = viewWidth / t.k;
    const h = viewHeight / t.k;
    const all = x <= 1 && y <= 1 && x + w >= this.sceneWidth - 1 && y + h >= this.sceneHeight - 1;
    this.root.hidden = all || this.sceneWidth === 0;
    if (this.root.hidden) return;
    const s = this.scale;
    Object.assign(this.frame.style, { left: `${x * s}px`, top: `${y * s}px`, width: `${w * s}px`, height: `${h * s}px` });
  }
}
