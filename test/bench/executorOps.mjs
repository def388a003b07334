// Ops of the executor benchmark (test/bench/executor.ts), plain JavaScript: the worker threads import this file.

/** CPU-bound work: `iterations` rounds of a xorshift generator; returns a number so nothing is optimised away. */
export function burn(iterations) {
  let x = 2463534242 ^ iterations;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

export function identity(x) {
  return x;
}

export function fill(length, value) {
  return new Float64Array(length).fill(value);
}

export function sum(values) {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
