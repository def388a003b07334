/** The zoom and pan of the drawing (DOM-free, so the fit is tested in plain Node). */
export interface Transform {
  x: number;
  y: number;
  k: number;
}

export const MIN_ZOOM = 0.05;
/** Fit enlarges a small graph up to this zoom, so its labels are readable without a giant drawing. */
export const FIT_MAX = 2;
/**
 * The smallest zoom at which labels are readable: a data node's label (10 units, the smallest default) is 8 px on
 * screen. A drawing opens no smaller than this, and centring on a node zooms in to it.
 */
export const READABLE_ZOOM = 0.8;
/** The space left between the drawing and the view's sides. */
const MARGIN = 12;

/**
 * How a view frames the drawing: `whole` shows all of it (the Fit button, `0`), however small; `readable` (a new
 * drawing, the Full view toggled, the view resized) does the same unless that would make the labels unreadable.
 */
export type FitMode = 'whole' | 'readable';

/** The transform that centres content of `width` x `height` (drawing units) in a `w` x `h` view, zoomed to fill it up to FIT_MAX. */
export function fitTransform(width: number, height: number, w: number, h: number): Transform {
  const k = Math.max(MIN_ZOOM, Math.min(FIT_MAX, (w - 2 * MARGIN) / Math.max(width, 1), (h - 2 * MARGIN) / Math.max(height, 1)));
  return { k, x: (w - width * k) / 2, y: Math.max(MARGIN, (h - height * k) / 2) };
}

/**
 * fitTransform, unless it is below READABLE_ZOOM: then the drawing is shown at READABLE_ZOOM with `focus` (a point of
 * the drawing: the selected node, else the first op) as near the centre as the drawing's edges allow (no empty space
 * beyond an edge that is in view), and the rest is reached by panning or the minimap.
 */
export function readableTransform(width: number, height: number, w: number, h: number, focus: { x: number; y: number }): Transform {
  const whole = fitTransform(width, height, w, h);
  if (whole.k >= READABLE_ZOOM) return whole;
  const k = READABLE_ZOOM;
  const along = (size: number, view: number, at: number): number => {
    // A side that fits is centred; a longer one is clamped so that neither of its ends leaves a gap in the view.
    if (size * k <= view - 2 * MARGIN) return (view - size * k) / 2;
    return Math.min(MARGIN, Math.max(view - MARGIN - size * k, view / 2 - at * k));
  };
  return { k, x: along(width, w, focus.x), y: along(height, h, focus.y) };
}
