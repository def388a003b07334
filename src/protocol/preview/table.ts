import type { PreviewCell, TablePreview } from '../dataPreview.js';
import { cutString, describeValueType, stringBytes, type PreviewLimits } from './limits.js';

/** Rows looked at to decide that an array is a table. */
const SAMPLE = 100;

/** How an array's items make rows: records (columns are their keys) or arrays (columns are indices). */
export type RowShape = 'records' | 'arrays';

/** The rows' shape if the array's first items are all records or all arrays; undefined otherwise. */
export function rowShapeOf(items: readonly unknown[]): RowShape | undefined {
  if (items.length === 0) return undefined;
  const sample = items.slice(0, SAMPLE);
  if (sample.every(Array.isArray)) return 'arrays';
  return sample.every(isRecord) ? 'records' : undefined;
}

/** A plain record: an object that is not an array, a typed array, a collection, a date or a pattern. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set) &&
    !(value instanceof Date) &&
    !(value instanceof RegExp)
  );
}

/**
 * The first rows of `items` as a table, as many as `limits.maxRows` and the byte budget allow. Columns are the
 * records' keys in the order they first appear (or the indices of the arrays), at most `limits.maxColumns`.
 */
export function tablePreview(items: readonly unknown[], shape: RowShape, type: string, limits: PreviewLimits): TablePreview {
  const columns: string[] = [];
  const columnOf = new Map<string, number>();
  const cutColumns = new Set<string>();
  let widest = 0;
  const rows: PreviewCell[][] = [];
  let bytes = 256;
  for (let r = 0; r < Math.min(items.length, limits.maxRows); r++) {
    const item = items[r];
    const keys = shape === 'arrays' ? arrayKeys(item as unknown[], limits.maxColumns) : isRecord(item) ? Object.keys(item) : [];
    if (shape === 'arrays') widest = Math.max(widest, (item as unknown[]).length);
    const row: PreviewCell[] = [];
    for (const key of keys) {
      let column = columnOf.get(key);
      if (column === undefined) {
        if (columns.length >= limits.maxColumns) {
          cutColumns.add(key);
          continue;
        }
        column = columns.push(key) - 1;
        columnOf.set(key, column);
        bytes += stringBytes(key) + 1;
      }
      const cell = toCell((item as Record<string, unknown>)[key], limits.maxString);
      row[column] = cell;
      bytes += cellBytes(cell);
    }
    if (bytes > limits.maxBytes && rows.length > 0) break;
    rows.push(row);
  }
  for (const row of rows) {
    for (let c = 0; c < columns.length; c++) if (row[c] === undefined) row[c] = MISSING;
  }
  const totalColumns = shape === 'arrays' ? Math.max(widest, columns.length) : columns.length + cutColumns.size;
  return { kind: 'table', type, columns, rows, totalRows: items.length, totalColumns };
}

/** A record without the column's key, or a shorter row. */
const MISSING: PreviewCell = { text: '' };

function arrayKeys(row: readonly unknown[], max: number): string[] {
  return Array.from({ length: Math.min(row.length, max) }, (_, i) => String(i));
}

/** A value as a table cell: JSON scalars as they are, anything else as a short text. */
export function toCell(value: unknown, maxString: number): PreviewCell {
  switch (typeof value) {
    case 'string':
      return cutString(value, maxString);
    case 'number':
      return Number.isFinite(value) ? value : { text: String(value) };
    case 'boolean':
      return value;
    case 'bigint':
      return { text: `${value}n` };
    case 'undefined':
      return { text: 'undefined' };
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return { text: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
      return { text: describeValueType(value) };
    default:
      return { text: typeof value };
  }
}

function cellBytes(cell: PreviewCell): number {
  if (typeof cell === 'string') return stringBytes(cell) + 1;
  if (cell === null || typeof cell !== 'object') return String(cell).length + 1;
  return stringBytes(cell.text) + 10;
}
