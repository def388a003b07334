import type { DataPreview, JsonNode, NodePreview, PreviewCell } from '../dataPreview.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isScalar = (v: unknown): boolean => v === null || isString(v) || isNumber(v) || typeof v === 'boolean';
const isCell = (v: unknown): v is PreviewCell => isScalar(v) || (isObject(v) && isString(v.text));
const isNumberOrNull = (v: unknown): boolean => v === null || isNumber(v);
const arrayOf = (v: unknown, test: (item: unknown) => boolean): v is unknown[] => Array.isArray(v) && v.every(test);
const optional = (v: unknown, test: (v: unknown) => boolean): boolean => v === undefined || test(v);
/** A JSON tree deeper than this is not one the builder makes (its depth limit is far below). */
const MAX_TREE_DEPTH = 64;

function isJsonNode(v: unknown, depth = 0): v is JsonNode {
  if (!isObject(v) || depth > MAX_TREE_DEPTH) return false;
  switch (v.kind) {
    case 'value':
      return isScalar(v.value);
    case 'text':
      return isString(v.text);
    case 'array':
      return optional(v.type, isString) && isCount(v.length) && arrayOf(v.items, (item) => isJsonNode(item, depth + 1));
    case 'object':
      return (
        optional(v.type, isString) &&
        isCount(v.size) &&
        arrayOf(v.entries, (e) => Array.isArray(e) && e.length === 2 && isString(e[0]) && isJsonNode(e[1], depth + 1))
      );
    default:
      return false;
  }
}

/** A preview of each kind with its fields' types (see dataPreview.ts). */
export function isDataPreview(v: unknown): v is DataPreview {
  if (!isObject(v) || !isString(v.type)) return false;
  switch (v.kind) {
    case 'table':
      return (
        arrayOf(v.columns, isString) &&
        arrayOf(v.rows, (row) => arrayOf(row, isCell) && row.length === (v.columns as unknown[]).length) &&
        isCount(v.totalRows) &&
        isCount(v.totalColumns)
      );
    case 'numeric': {
      const { line, histogram } = v;
      return (
        isCount(v.count) &&
        isCount(v.nan) &&
        isCount(v.infinite) &&
        optional(v.min, isNumber) &&
        optional(v.max, isNumber) &&
        optional(v.mean, isNumber) &&
        isObject(line) &&
        isCount(line.step) &&
        arrayOf(line.min, isNumberOrNull) &&
        arrayOf(line.max, isNumberOrNull) &&
        line.min.length === line.max.length &&
        optional(histogram, (h) => isObject(h) && isNumber(h.min) && isNumber(h.max) && arrayOf(h.counts, isCount))
      );
    }
    case 'json':
      return isJsonNode(v.root);
    case 'image':
      return (
        isCount(v.width) &&
        isCount(v.height) &&
        isCount(v.previewWidth) &&
        isCount(v.previewHeight) &&
        isString(v.png) &&
        v.png.startsWith('data:image/png;base64,')
      );
    case 'text':
      return isString(v.text) && isCount(v.length);
    case 'omitted':
      return isString(v.reason);
    default:
      return false;
  }
}

export const isNodePreview = (v: unknown): v is NodePreview => isObject(v) && isString(v.graph) && isString(v.uid) && isDataPreview(v.preview);
