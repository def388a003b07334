/** A small seeded generator in [0, 1) (Park–Miller): the same random graphs on every run. */
export function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}
