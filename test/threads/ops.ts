import { threadId } from 'node:worker_threads';

/* Op functions the worker pool tests run on worker threads (each thread imports this module once). */

export function add(a: number, b: number): number {
  return a + b;
}

export async function later(value: string): Promise<string> {
  await new Promise((resolve) => setImmediate(resolve));
  return value;
}

/** Sums a Float64Array and reports whether it arrived whole. */
export function sum(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function fill(length: number, value: number): Float64Array {
  return new Float64Array(length).fill(value);
}

let kept: Float64Array | undefined;

/** Returns an array and keeps a reference to it in this thread, to show the returned buffer moved out. */
export function fillAndKeep(length: number): Float64Array {
  kept = new Float64Array(length).fill(1);
  return kept;
}

export function keptByteLength(): number | undefined {
  return kept?.byteLength;
}

/**
 * Marks `slot` of `flags` and waits until every slot is marked: two calls return only if they run at the same time.
 */
export function meet(flags: Int32Array, slot: number): string {
  Atomics.store(flags, slot, 1);
  Atomics.notify(flags, slot);
  for (let other = 0; other < flags.length; other++) {
    while (Atomics.load(flags, other) === 0) {
      if (Atomics.wait(flags, other, 0, 120_000) === 'timed-out') return 'alone';
    }
  }
  return 'met';
}

export function fails(message: string): number {
  throw new RangeError(message);
}

export function throwsString(): never {
  throw 'a plain string';
}

export function exits(code: number): never {
  process.exit(code);
}

export function exhaustsMemory(): number {
  const hoard: number[][] = [];
  for (;;) hoard.push(new Array<number>(1e6).fill(hoard.length));
}

export function spins(): never {
  for (;;);
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

export function point(x: number, y: number): Point {
  return new Point(x, y);
}

export function callback(): () => number {
  return () => 1;
}

export function threadOf(): number {
  return threadId;
}
