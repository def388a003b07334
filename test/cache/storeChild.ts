/*
 * A separate process using the store, for the crash and concurrency tests of store.test.ts:
 *   crash DIR KEY BYTES   writes BYTES under KEY and, half way through the file, says `mid-write` and waits to be killed
 *   write DIR NAME N      writes keys 0..N-1, each's value `NAME:<i>` repeated to a size that depends on NAME and i
 *   read DIR N ROUNDS     reads keys 0..N-1 ROUNDS times and prints every value it saw (as JSON lines)
 */
import { CacheStore } from '../../src/cache/store.js';
import { keyFor, valueFor } from './storeValues.js';

const [command, dir, a, b] = process.argv.slice(2) as [string, string, string, string];
const store = new CacheStore({ dir });

if (command === 'crash') {
  const pieces = Array.from({ length: 16 }, () => Buffer.alloc(Number(b) / 16, 0x41));
  let pass = 0;
  const payload = {
    *[Symbol.iterator]() {
      pass++;
      for (let i = 0; i < pieces.length; i++) {
        if (pass === 2 && i === pieces.length / 2) {
          process.stdout.write('mid-write\n');
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
        }
        yield pieces[i]!;
      }
    },
  } as unknown as Uint8Array[];
  store.write(a, payload, 'crash');
  process.stdout.write('written\n');
} else if (command === 'write') {
  for (let i = 0; i < Number(b); i++) store.write(keyFor(i), [valueFor(a, i)], a);
  process.stdout.write('done\n');
} else if (command === 'read') {
  const seen = new Set<string>();
  for (let round = 0; round < Number(b); round++) {
    for (let i = 0; i < Number(a); i++) {
      const payload = new CacheStore({ dir }).read(keyFor(i));
      if (payload !== undefined) seen.add(`${i}=${payload.toString()}`);
    }
  }
  process.stdout.write(`${JSON.stringify([...seen])}\n`);
}
