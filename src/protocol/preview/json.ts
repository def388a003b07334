import type { JsonNode } from '../dataPreview.js';
import { constructorName, cutString, describeValueType, stringBytes, type PreviewLimits } from './limits.js';

/** What a tree node costs besides its content (`{"kind":"value","value":…}` and a comma). */
const NODE_BYTES = 28;

/**
 * A value as a JSON tree, depth first: containers deeper than `limits.maxDepth`, items past `limits.maxItems`, and
 * everything after the byte budget is spent are left out (their container keeps its full `length` / `size`).
 */
export function jsonTree(value: unknown, limits: PreviewLimits): JsonNode {
  return new TreeBuilder(limits).node(value, 0);
}

class TreeBuilder {
  private bytes = 0;
  /** The containers on the path from the root: one met again is a circular reference. */
  private readonly ancestors = new Set<object>();

  constructor(private readonly limits: PreviewLimits) {}

  node(value: unknown, depth: number): JsonNode {
    this.bytes += NODE_BYTES;
    if (typeof value !== 'object' || value === null) return this.scalar(value);
    if (value instanceof Date) return this.text(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
    if (value instanceof RegExp) return this.text(String(value));
    if (value instanceof Error) return this.text(`${value.name}: ${value.message}`);
    if (this.ancestors.has(value)) return this.text('[circular]');
    this.ancestors.add(value);
    try {
      return this.container(value, depth);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private container(value: object, depth: number): JsonNode {
    const open = depth < this.limits.maxDepth;
    const list = asList(value);
    if (list) {
      const items: JsonNode[] = [];
      for (const item of open ? list.first(this.limits.maxItems) : []) {
        if (this.spent()) break;
        items.push(this.node(item, depth + 1));
      }
      return Array.isArray(value) ? { kind: 'array', length: list.length, items } : { kind: 'array', type: constructorName(value), length: list.length, items };
    }
    const pairs = asPairs(value);
    const entries: [string, JsonNode][] = [];
    for (const [key, item] of open ? pairs.first(this.limits.maxItems) : []) {
      if (this.spent()) break;
      const name = typeof key === 'string' ? cutString(key, this.limits.maxString) : describeKey(key);
      this.bytes += stringBytes(name);
      entries.push([name, this.node(item, depth + 1)]);
    }
    const type = constructorName(value);
    return type === 'Object' ? { kind: 'object', size: pairs.size, entries } : { kind: 'object', type, size: pairs.size, entries };
  }

  private scalar(value: unknown): JsonNode {
    switch (typeof value) {
      case 'string': {
        const text = cutString(value, this.limits.maxString);
        this.bytes += stringBytes(text);
        return { kind: 'value', value: text };
      }
      case 'number':
        this.bytes += 24;
        return Number.isFinite(value) ? { kind: 'value', value } : this.text(String(value));
      case 'boolean':
        return { kind: 'value', value };
      case 'object':
        return { kind: 'value', value: null };
      case 'bigint':
        return this.text(`${value}n`);
      case 'function':
        return this.text(`[function ${(value as Function).name || 'anonymous'}]`);
      case 'symbol':
        return this.text(String(value));
      default:
        return this.text('undefined');
    }
  }

  private text(text: string): JsonNode {
    const cut = cutString(text, this.limits.maxString);
    this.bytes += stringBytes(cut);
    return { kind: 'text', text: cut };
  }

  private spent(): boolean {
    return this.bytes >= this.limits.maxBytes;
  }
}

/** Arrays, typed arrays and sets: their length and first items. */
function asList(value: object): { length: number; first(n: number): unknown[] } | undefined {
  if (value instanceof Set) return { length: value.size, first: (n) => firstOf(value, n) };
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) return undefined;
  const items = value as ArrayLike<unknown>;
  return { length: items.length, first: (n) => Array.from({ length: Math.min(n, items.length) }, (_, i) => items[i]) };
}

/** Maps and other objects (their own enumerable keys): their size and first entries. */
function asPairs(value: object): { size: number; first(n: number): [unknown, unknown][] } {
  if (value instanceof Map) return { size: value.size, first: (n) => firstOf(value, n) };
  const keys = Object.keys(value);
  return { size: keys.length, first: (n) => keys.slice(0, n).map((k) => [k, (value as Record<string, unknown>)[k]]) };
}

function firstOf<T>(items: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const item of items) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}

/** A Map key that is not a string, as the key text of its entry. */
function describeKey(key: unknown): string {
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint' || key === null || key === undefined) return String(key);
  if (typeof key === 'symbol') return key.toString();
  return describeValueType(key);
}
