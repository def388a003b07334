import { FAITHFULLY_CLONED } from '../../core/cloneable.js';

/*
 * What may cross between threads: values that structured clone copies faithfully. It copies a class instance as a
 * plain object (its class and methods lost) and throws on a function, so both are refused here, with where they are.
 */

/** Prototypes of the built-in objects structured clone copies faithfully (typed arrays and DataViews aside). */
const CLONEABLE = new Set<object | null>([
  null,
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  ...FAITHFULLY_CLONED,
  ...(typeof SharedArrayBuffer === 'function' ? [SharedArrayBuffer.prototype] : []),
]);

/** Why `value` cannot cross, naming where it is (`at` is the path of `value` itself), or undefined if it can. */
export function findUncrossable(value: unknown, at: string): string | undefined {
  return walk(value, at, new Set());
}

function walk(value: unknown, at: string, seen: Set<object>): string | undefined {
  if (typeof value === 'function') return `${at} is a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `${at} is a symbol`;
  if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value)) return undefined;
  seen.add(value);
  const proto = Object.getPrototypeOf(value) as object | null;
  if (!CLONEABLE.has(proto)) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name || 'an unnamed class';
    return `${at} is an instance of ${name}: it would arrive as a plain object, without its class and methods`;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const why = walk(k, `${at} (a key)`, seen) ?? walk(v, `${at}.get(${describeKey(k)})`, seen);
      if (why) return why;
    }
  } else if (value instanceof Set) {
    for (const v of value) {
      const why = walk(v, `${at} (an element)`, seen);
      if (why) return why;
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const why = walk(value[i], `${at}[${i}]`, seen);
      if (why) return why;
    }
  } else if (proto === Object.prototype || proto === null) {
    for (const key of Object.keys(value)) {
      const why = walk((value as Record<string, unknown>)[key], `${at}.${key}`, seen);
      if (why) return why;
    }
  }
  return undefined;
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'object' && key !== null ? '…' : String(key);
}

/** The ArrayBuffers `value` holds (directly or through typed arrays and DataViews), each once; shared memory left out. */
export function buffersIn(value: unknown, into = new Set<ArrayBuffer>(), seen = new Set<object>()): Set<ArrayBuffer> {
  if (typeof value !== 'object' || value === null || seen.has(value)) return into;
  seen.add(value);
  if (value instanceof ArrayBuffer) into.add(value);
  else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) into.add(value.buffer);
  } else if (value instanceof Map) {
    for (const [k, v] of value) buffersIn(v, buffersIn(k, into, seen), seen);
  } else if (value instanceof Set || Array.isArray(value)) {
    for (const v of value) buffersIn(v, into, seen);
  } else {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === Object.prototype || proto === null) for (const v of Object.values(value)) buffersIn(v, into, seen);
  }
  return into;
}
