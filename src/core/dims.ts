/** The dimension of a value without a shape or a length (a number, a string, a plain object). */
export const SCALAR_DIMENSION = '(1, )';

/**
 * The dimension string pyflow records for a persisted value: `(rows, cols)` style for anything that
 * exposes a `shape` (tensors, data frames) or a `length` (arrays, typed arrays), `(1, )` otherwise.
 * One format for every dimension, pyflow's for a scalar: a one-element tuple is `(3, )`, a longer one `(3, 4)`.
 */
export function dimensionOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const shape = (value as { shape?: unknown }).shape;
    if (Array.isArray(shape) && shape.every((n) => typeof n === 'number')) return tuple(shape as number[]);
    if (typeof shape === 'function') {
      const s = safeCall(shape, value);
      if (Array.isArray(s) && s.every((n) => typeof n === 'number')) return tuple(s as number[]);
    }
    const length = (value as { length?: unknown }).length;
    if (typeof length === 'number') return tuple([length]);
    const size = (value as { size?: unknown }).size;
    if ((value instanceof Map || value instanceof Set) && typeof size === 'number') return tuple([size]);
  }
  return SCALAR_DIMENSION;
}

function tuple(dims: readonly number[]): string {
  return dims.length === 1 ? `(${dims[0]}, )` : `(${dims.join(', ')})`;
}

function safeCall(fn: Function, self: unknown): unknown {
  try {
    return fn.call(self);
  } catch {
    return undefined;
  }
}

const PREVIEW_LIMIT = 200;

/** A short, bounded, plain-text preview of a value (never the value itself). */
export function previewValue(value: unknown): string {
  let text: string;
  try {
    text = describe(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > PREVIEW_LIMIT ? `${text.slice(0, PREVIEW_LIMIT - 1)}…` : text;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > PREVIEW_LIMIT ? value.slice(0, PREVIEW_LIMIT) : value);
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (ArrayBuffer.isView(value) && 'length' in value) {
    const items = Array.from({ length: Math.min(8, value.length as number) }, (_, i) => (value as unknown as ArrayLike<unknown>)[i]);
    return `${value.constructor.name}(${value.length as number}) [${items.join(', ')}${(value.length as number) > 8 ? ', …' : ''}]`;
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((item) => shortItem(item));
    return `Array(${value.length}) [${items.join(', ')}${value.length > 8 ? ', …' : ''}]`;
  }
  const name = value.constructor?.name ?? 'Object';
  const keys = Object.keys(value).slice(0, 8);
  return `${name} {${keys.map((k) => `${k}: ${shortItem((value as Record<string, unknown>)[k])}`).join(', ')}${Object.keys(value).length > 8 ? ', …' : ''}}`;
}

function shortItem(item: unknown): string {
  if (typeof item === 'object' && item !== null) return Array.isArray(item) ? `Array(${item.length})` : (item.constructor?.name ?? 'Object');
  return typeof item === 'string' ? JSON.stringify(item.slice(0, 40)) : String(item);
}
