import { FAITHFULLY_CLONED } from '../core/cloneable.js';

/**
 * Why `v8.deserialize(v8.serialize(value))` would not give back an equal value, or undefined when it would: values
 * whose objects are all of a kind structured clone keeps (plain objects and arrays, Map, Set, Date, RegExp, Error,
 * ArrayBuffer, typed arrays and Buffers, boxed primitives). A class instance would come back as a plain object without
 * its methods, so it is not cached at all (a wrong value is worse than a recomputation). Functions and symbols cannot
 * be serialized; `v8.serialize` itself rejects them.
 */
export function unfaithfulPart(value: unknown): string | undefined {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    const proto = Object.getPrototypeOf(item) as object | null;
    if (proto === Object.prototype || proto === null || proto === Array.prototype) {
      for (const key in item) stack.push((item as Record<string, unknown>)[key]);
    } else if (proto === Map.prototype) {
      for (const [k, v] of item as Map<unknown, unknown>) stack.push(k, v);
    } else if (proto === Set.prototype) {
      for (const v of item as Set<unknown>) stack.push(v);
    } else if (!KEPT.has(proto) && !(ArrayBuffer.isView(item) && KEPT.has(Object.getPrototypeOf(proto) as object))) {
      const name = (proto as { constructor?: { name?: string } }).constructor?.name;
      return `an instance of ${name || 'a class'}`;
    }
  }
  return undefined;
}

const KEPT = new Set<object | null>([
  ...FAITHFULLY_CLONED,
  DataView.prototype,
  Buffer.prototype,
  // Every typed array's prototype inherits from this one (checked through ArrayBuffer.isView above).
  Object.getPrototypeOf(Uint8Array.prototype) as object,
]);
