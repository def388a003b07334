import { createHash } from 'node:crypto';

/** The store key of test entry `i`. */
export function keyFor(i: number): string {
  return createHash('sha256').update(`entry ${i}`).digest('hex');
}

/** What writer `name` stores as entry `i`: its name and i, repeated to a size that differs between writers. */
export function valueFor(name: string, i: number): Buffer {
  const unit = `${name}:${i};`;
  return Buffer.from(unit.repeat(1 + ((name.length * 7919 + i * 104_729) % 5000)));
}
