/** The zoom and pan of the drawing (DOM-free, so the fit is tested in plain Node). */
export interface Transform {
  x: number;
  y: number;
  k: number;
}

export const MIN_ZOOM = 0.05;
/** Fit enlarges a small graph up to this zoom, so its labels are readable without a giant drawing. */
export const FIT_MAX = 2;

/** The transform that centres content of `width` x `height` (drawing units) in a `w` x `h` view, zoomed to fill it up to FIT_MAX. */
export function fitTransform(width: number, height: number, w: number, h: number): Transform {
  const k = Math.max(MIN_ZOOM, Math.min(FIT_MAX, (w - 24) / Math.max(width, 1), (h - 24) / Math.max(height, 1)));
  return { k, x: (w - width * k) / 2, y: Math.max(12, (h - height * k) / 2) };
}
