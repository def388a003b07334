import type { ImagePreview } from '../dataPreview.js';
import { pngDataUrl } from './png.js';
import type { PreviewLimits } from './limits.js';

/** An image value: `{ width, height, data }` with 1, 2, 3 or 4 bytes a pixel (ImageData, canvas and decoder outputs). */
export interface ImageLike {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  channels: 1 | 2 | 3 | 4;
}

/** The image in a value shaped like one, or undefined. */
export function asImage(value: unknown): ImageLike | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { width, height, data } = value as { width?: unknown; height?: unknown; data?: unknown };
  if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) <= 0 || (height as number) <= 0) return undefined;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) return undefined;
  const channels = data.length / ((width as number) * (height as number));
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) return undefined;
  return { width: width as number, height: height as number, data, channels };
}

/** Samples per output pixel along each axis when scaling down (an average of up to 4 × 4 source pixels). */
const SAMPLES = 4;
/** JSON and PNG bytes besides the pixels: the preview's fields, PNG chunks, the data URL's prefix. */
const OVERHEAD = 400;

/** The image scaled down (if it must be) so that its PNG fits the byte budget; opaque RGBA is sent as RGB. */
export function imagePreview(image: ImageLike, type: string, limits: PreviewLimits): ImagePreview {
  const rawBudget = Math.max(64, Math.floor(((limits.maxBytes - OVERHEAD) * 3) / 4));
  const opaque = image.channels === 4 ? scaled(image, 3, rawBudget) : undefined;
  const { width, height, pixels, channels } =
    opaque && isOpaque(opaque.pixels) ? { ...opaque, pixels: dropAlpha(opaque.pixels), channels: 3 as const } : scaled(image, image.channels, rawBudget);
  return {
    kind: 'image',
    type,
    width: image.width,
    height: image.height,
    png: pngDataUrl(width, height, channels, pixels),
    previewWidth: width,
    previewHeight: height,
  };
}

/** The image at the largest size whose PNG rows (`channels` bytes a pixel, one filter byte a row) fit `rawBudget`, still RGBA-or-as-given. */
function scaled(image: ImageLike, channels: number, rawBudget: number): { width: number; height: number; pixels: Uint8Array; channels: 1 | 2 | 3 | 4 } {
  const { width: w, height: h } = image;
  let scale = Math.min(1, Math.sqrt(rawBudget / (w * h * channels)));
  let width = Math.max(1, Math.floor(w * scale));
  let height = Math.max(1, Math.floor(h * scale));
  while (height * (width * channels + 1) > rawBudget && (width > 1 || height > 1)) {
    scale *= 0.95;
    width = Math.max(1, Math.floor(w * scale));
    height = Math.max(1, Math.floor(h * scale));
  }
  return { width, height, pixels: width === w && height === h ? Uint8Array.from(image.data) : downscale(image, width, height), channels: image.channels };
}

/** Each output pixel is the mean of up to SAMPLES × SAMPLES source pixels spread over the area it covers. */
function downscale(image: ImageLike, width: number, height: number): Uint8Array {
  const { data, channels: c, width: w, height: h } = image;
  const sx = w / width;
  const sy = h / height;
  const nx = Math.min(SAMPLES, Math.ceil(sx));
  const ny = Math.min(SAMPLES, Math.ceil(sy));
  const out = new Uint8Array(width * height * c);
  const sums = new Float64Array(c);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      sums.fill(0);
      for (let j = 0; j < ny; j++) {
        const y = Math.min(h - 1, Math.floor(oy * sy + ((j + 0.5) * sy) / ny));
        for (let i = 0; i < nx; i++) {
          const x = Math.min(w - 1, Math.floor(ox * sx + ((i + 0.5) * sx) / nx));
          const at = (y * w + x) * c;
          for (let k = 0; k < c; k++) sums[k]! += data[at + k]!;
        }
      }
      const at = (oy * width + ox) * c;
      for (let k = 0; k < c; k++) out[at + k] = Math.round(sums[k]! / (nx * ny));
    }
  }
  return out;
}

function isOpaque(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

function dropAlpha(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    out[o] = rgba[i]!;
    out[o + 1] = rgba[i + 1]!;
    out[o + 2] = rgba[i + 2]!;
  }
  return out;
}
