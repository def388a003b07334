import type { NumericPreview } from '../dataPreview.js';
import type { PreviewLimits } from './limits.js';

/** The JSON bytes one bucket may take: two numbers of 7 significant digits with exponent and sign, and commas. */
const BUCKET_BYTES = 32;

/**
 * Statistics, a min/max line of at most `limits.buckets` buckets and a histogram of an array of numbers or a typed
 * array (bigints are read as numbers); undefined for an array with an element that is not a number. Two passes over
 * the elements (three for an array: the first checks them), no allocation per element.
 */
export function numericPreview(value: ArrayLike<unknown>, type: string, limits: PreviewLimits): NumericPreview | undefined {
  if (Array.isArray(value) && !value.every(isNumber)) return undefined;
  const values: ArrayLike<number> =
    value instanceof BigInt64Array || value instanceof BigUint64Array ? Float64Array.from(value, Number) : (value as ArrayLike<number>);
  const count = values.length;
  const buckets = Math.max(1, Math.min(limits.buckets, Math.floor((limits.maxBytes - 2048) / BUCKET_BYTES)));
  const step = Math.max(1, Math.ceil(count / buckets));
  const used = Math.ceil(count / step);
  const lows: (number | null)[] = new Array(used);
  const highs: (number | null)[] = new Array(used);
  let nan = 0;
  let infinite = 0;
  let finite = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < used; b++) {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    const end = Math.min(count, (b + 1) * step);
    for (let i = b * step; i < end; i++) {
      const x = values[i]!;
      if (x > Number.NEGATIVE_INFINITY && x < Number.POSITIVE_INFINITY) {
        finite++;
        sum += x;
        if (x < low) low = x;
        if (x > high) high = x;
      } else if (Number.isNaN(x)) nan++;
      else infinite++;
    }
    lows[b] = low === Number.POSITIVE_INFINITY ? null : round(low);
    highs[b] = high === Number.NEGATIVE_INFINITY ? null : round(high);
    if (low < min) min = low;
    if (high > max) max = high;
  }
  const preview: NumericPreview = { kind: 'numeric', type, count, nan, infinite, line: { step, min: lows, max: highs } };
  if (finite === 0) return preview;
  preview.min = min;
  preview.max = max;
  preview.mean = Number.isFinite(sum) ? sum / finite : meanOfLarge(values, finite);
  preview.histogram = { min, max, counts: histogram(values, min, max, min === max ? 1 : limits.bins) };
  return preview;
}

function histogram(values: ArrayLike<number>, min: number, max: number, bins: number): number[] {
  const counts = new Float64Array(bins);
  const scale = bins === 1 ? 0 : bins / (max - min);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    // NaN and ±Infinity fail the range test.
    if (!(x >= min && x <= max)) continue;
    const bin = Math.floor((x - min) * scale);
    counts[bin < bins ? bin : bins - 1]!++;
  }
  return Array.from(counts);
}

/** The mean of finite numbers whose sum overflows: each is divided first. */
function meanOfLarge(values: ArrayLike<number>, finite: number): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) mean += x / finite;
  }
  return mean;
}

const isNumber = (x: unknown): boolean => typeof x === 'number';

/** 7 significant digits: what a plot needs, in a third of the bytes. */
function round(x: number): number {
  return Number(x.toPrecision(7));
}
