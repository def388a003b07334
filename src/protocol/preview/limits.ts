/** How large a preview may grow; every part of the builder reads its bound from here. */
export interface PreviewLimits {
  /** Bytes of JSON a preview may take (approximately: cells and tree nodes are counted as they are added). */
  maxBytes: number;
  /** Buckets of a numeric preview's line (each keeps its min and max). */
  buckets: number;
  /** Bins of a numeric preview's histogram. */
  bins: number;
  /** Rows and columns of a table preview. */
  maxRows: number;
  maxColumns: number;
  /** Depth of a JSON tree, and the items shown of each array or object in it. */
  maxDepth: number;
  maxItems: number;
  /** Characters of a string in a table cell or a tree (the text preview of a string value is cut by `maxBytes`). */
  maxString: number;
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = {
  maxBytes: 64 * 1024,
  buckets: 1000,
  bins: 64,
  maxRows: 1000,
  maxColumns: 50,
  maxDepth: 6,
  maxItems: 100,
  maxString: 200,
};

/** The whole of what one run's previews may take (bytes of JSON); later values get an `omitted` preview. */
export const RUN_PREVIEW_BYTES = 4 * 1024 * 1024;

/** One line saying what a value is: `Float64Array(1000000)`, `Array(3)`, `string(12)`, `Map(2)`, `Point`, `number`. */
export function describeValueType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `string(${value.length})`;
  if (typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) return `Array(${value.length})`;
  const name = constructorName(value);
  if (ArrayBuffer.isView(value) && 'length' in value) return `${name}(${value.length as number})`;
  if (value instanceof Map || value instanceof Set) return `${name}(${value.size})`;
  return name;
}

export function constructorName(value: object): string {
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'Object';
  } catch {
    return 'Object';
  }
}

/** A string cut to `max` characters, marked with `…` when cut. */
export function cutString(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The JSON size of a string (quotes and escapes counted as one byte more each, which is close enough for a budget). */
export function stringBytes(text: string): number {
  return text.length + 2;
}
