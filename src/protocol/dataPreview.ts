/**
 * A bounded, plain-JSON picture of a data node's value, built by the runner when the op that made it finishes (see
 * buildPreview.ts). It never refers to the value: everything in it is a copy, cut to a byte budget.
 */
export type DataPreview = TablePreview | NumericPreview | JsonPreview | ImagePreview | TextPreview | OmittedPreview;

/** One line saying what the value is: `Float64Array(1000000)`, `Array(120)`, `string(5000)`, `Map(3)`. */
type Described = { type: string };

/** A table cell: a JSON scalar, or `{ text }` for anything else (`undefined`, `NaN`, `1n`, a nested object's summary). */
export type PreviewCell = string | number | boolean | null | { text: string };

/** Arrays of records (columns: their keys) and 2-D arrays (columns: `0`, `1`, …): the first rows. */
export interface TablePreview extends Described {
  kind: 'table';
  columns: string[];
  /** The first rows of the value, one cell per column; fewer than `totalRows` when the budget cut them. */
  rows: PreviewCell[][];
  totalRows: number;
  /** Columns found in the rows shown; more than `columns.length` when they were cut. */
  totalColumns: number;
}

/** Arrays of numbers and typed arrays: statistics, a downsampled line and a histogram. */
export interface NumericPreview extends Described {
  kind: 'numeric';
  count: number;
  /** Elements that are NaN, and that are ±Infinity: neither enters min, max, mean, the line or the histogram. */
  nan: number;
  infinite: number;
  /** Of the finite elements; absent when there are none. */
  min?: number;
  max?: number;
  mean?: number;
  /**
   * Bucket `i` holds elements `[i * step, (i + 1) * step)`: its smallest and largest finite element (null: none),
   * rounded to 7 significant digits. `step` is 1 when the value has no more elements than buckets.
   */
  line: { step: number; min: (number | null)[]; max: (number | null)[] };
  /** Counts of the finite elements in equal bins from `min` to `max` (one bin when they are equal); absent when none is finite. */
  histogram?: { min: number; max: number; counts: number[] };
}

/** A node of a JSON tree. A container with fewer items than its `length`/`size` was cut (by depth or budget). */
export type JsonNode =
  | { kind: 'value'; value: string | number | boolean | null }
  /** Not JSON: `undefined`, `NaN`, `12n`, a function, a Date, a circular reference. */
  | { kind: 'text'; text: string }
  | { kind: 'array'; type?: string; length: number; items: JsonNode[] }
  | { kind: 'object'; type?: string; size: number; entries: [string, JsonNode][] };

/** Anything else: objects, scalars, mixed arrays, as a tree cut by depth and size. */
export interface JsonPreview extends Described {
  kind: 'json';
  root: JsonNode;
}

/** `{ width, height, data }` values (ImageData and alike: 1, 3 or 4 bytes a pixel), scaled down to fit the budget. */
export interface ImagePreview extends Described {
  kind: 'image';
  width: number;
  height: number;
  /** A PNG of the image, at most `previewWidth` × `previewHeight` pixels. */
  png: string;
  previewWidth: number;
  previewHeight: number;
}

/** Strings: the beginning, `length` is the whole string's. */
export interface TextPreview extends Described {
  kind: 'text';
  text: string;
  length: number;
}

/** No preview: the run's budget was used up, or reading the value threw; `reason` says which. */
export interface OmittedPreview extends Described {
  kind: 'omitted';
  reason: string;
}

/** The preview of one data node of a run. */
export interface NodePreview {
  graph: string;
  uid: string;
  preview: DataPreview;
}
