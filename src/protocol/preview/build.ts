import type { DataPreview } from '../dataPreview.js';
import { asImage, imagePreview } from './image.js';
import { jsonTree } from './json.js';
import { DEFAULT_PREVIEW_LIMITS, describeValueType, type PreviewLimits } from './limits.js';
import { numericPreview } from './numeric.js';
import { rowShapeOf, tablePreview } from './table.js';

/**
 * The preview of a value that the graph view's details panel shows: a text for strings, a plot for numbers (arrays
 * of numbers, typed arrays), an image for image data, a table for arrays of records and 2-D arrays, a JSON tree for
 * anything else. Pure and synchronous: the result holds copies only, never the value or a part of it.
 */
export function buildPreview(value: unknown, limits: PreviewLimits = DEFAULT_PREVIEW_LIMITS): DataPreview {
  let type = 'value';
  try {
    type = describeValueType(value);
    return previewOf(value, type, limits);
  } catch (error) {
    // A getter or a proxy of the user's value threw while it was read.
    return { kind: 'omitted', type, reason: `reading the value threw: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function previewOf(value: unknown, type: string, limits: PreviewLimits): DataPreview {
  if (typeof value === 'string') {
    const max = Math.max(1, Math.floor(limits.maxBytes / 2));
    return { kind: 'text', type, text: value.length > max ? value.slice(0, max) : value, length: value.length };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const numeric = numericPreview(value as unknown as ArrayLike<unknown>, type, limits);
    if (numeric) return numeric;
  }
  const image = asImage(value);
  if (image) return imagePreview(image, type, limits);
  if (Array.isArray(value) && value.length > 0) {
    const numeric = typeof value[0] === 'number' ? numericPreview(value, type, limits) : undefined;
    if (numeric) return numeric;
    const shape = rowShapeOf(value);
    if (shape) return tablePreview(value, shape, type, limits);
  }
  return { kind: 'json', type, root: jsonTree(value, limits) };
}
