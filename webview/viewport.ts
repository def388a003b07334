import { MIN_ZOOM as MIN, READABLE_ZOOM, fitTransform, readableTransform, type FitMode, type Transform } from './fit.js';

export type { FitMode, Transform } from './fit.js';

const MAX = 4;

/** Zoom and pan of the drawing: one transform on the scene group, so panning never re-renders. */
export class Viewport {
  transform: Transform = { x: 0, y: 0, k: 1 };
  /** How fit() last framed the drawing, while the user has not zoomed or panned since (false then): a resize refits. */
  fitted: FitMode | false = false;
  private drag: { x: number; y: number; tx: number; ty: number } | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly onChange: (t: Transform) => void,
  ) {
    host.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    host.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || (e.target as Element).closest('.node, .group-header')) return;
      this.drag = { x: e.clientX, y: e.clientY, tx: this.transform.x, ty: this.transform.y };
      host.setPointerCapture(e.pointerId);
      host.classList.add('panning');
    });
    host.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      this.set({ ...this.transform, x: this.drag.tx + e.clientX - this.drag.x, y: this.drag.ty + e.clientY - this.drag.y });
    });
    const end = (): void => {
      this.drag = undefined;
      host.classList.remove('panning');
    };
    host.addEventListener('pointerup', end);
    host.addEventListener('pointercancel', end);
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) {
      const rect = this.host.getBoundingClientRect();
      this.zoomAt(Math.exp(-e.deltaY * 0.002), e.clientX - rect.left, e.clientY - rect.top);
    } else {
      this.set({ ...this.transform, x: this.transform.x - e.deltaX, y: this.transform.y - e.deltaY });
    }
  }

  zoomAt(factor: number, cx: number, cy: number): void {
    const t = this.transform;
    const k = Math.min(MAX, Math.max(MIN, t.k * factor));
    const f = k / t.k;
    this.set({ k, x: cx - (cx - t.x) * f, y: cy - (cy - t.y) * f });
  }

  zoom(factor: number): void {
    this.zoomAt(factor, this.host.clientWidth / 2, this.host.clientHeight / 2);
  }

  /** Frames the content (width x height, in drawing units): see FitMode; `focus` is the point a readable frame keeps in view. */
  fit(width: number, height: number, mode: FitMode, focus: { x: number; y: number }): void {
    const w = this.host.clientWidth || 800;
    const h = this.host.clientHeight || 600;
    this.apply(mode === 'whole' ? fitTransform(width, height, w, h) : readableTransform(width, height, w, h, focus), mode);
  }

  /** Centres a point of the drawing, keeping the zoom (at least READABLE_ZOOM so the node is readable). */
  center(x: number, y: number): void {
    const k = Math.max(this.transform.k, READABLE_ZOOM);
    this.set({ k, x: this.host.clientWidth / 2 - x * k, y: this.host.clientHeight / 2 - y * k });
  }

  /** Every change of the transform but fit()'s: the user's zoom and pan, centring on a node, a restored transform. */
  set(t: Transform): void {
    this.apply(t, false);
  }

  private apply(t: Transform, fitted: FitMode | false): void {
    this.transform = t;
    this.fitted = fitted;
    this.onChange(t);
  }
}
