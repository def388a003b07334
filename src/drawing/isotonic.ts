/**
 * Weighted isotonic regression by pool adjacent violators: the non-decreasing sequence y[0..count-1] closest to
 * the targets in weighted least squares (the least Σ weight[i]·(y[i] − target[i])²). Scanning left to right, the
 * items seen so far are pooled into blocks whose values (each the weighted mean of its targets) do not decrease;
 * a new item that would break that is merged with the blocks before it until it holds again.
 */
export class IsotonicRegression {
  private readonly blockValue: Float64Array;
  private readonly blockWeight: Float64Array;
  private readonly blockSize: Int32Array;

  /** For sequences of up to `capacity` items. */
  constructor(capacity: number) {
    this.blockValue = new Float64Array(capacity);
    this.blockWeight = new Float64Array(capacity);
    this.blockSize = new Int32Array(capacity);
  }

  /** Writes the solution for target[0..count-1] (weights > 0) to solution[0..count-1]. */
  solve(target: ArrayLike<number>, weight: ArrayLike<number>, count: number, solution: Float64Array): void {
    const value = this.blockValue,
      blockWeight = this.blockWeight,
      size = this.blockSize;
    let blocks = 0;
    for (let i = 0; i < count; i++) {
      value[blocks] = target[i]!;
      blockWeight[blocks] = weight[i]!;
      size[blocks] = 1;
      blocks++;
      while (blocks > 1 && value[blocks - 2]! > value[blocks - 1]!) {
        const merged = blockWeight[blocks - 2]! + blockWeight[blocks - 1]!;
        value[blocks - 2] = (value[blocks - 2]! * blockWeight[blocks - 2]! + value[blocks - 1]! * blockWeight[blocks - 1]!) / merged;
        blockWeight[blocks - 2] = merged;
        size[blocks - 2]! += size[blocks - 1]!;
        blocks--;
      }
    }
    let i = 0;
    for (let b = 0; b < blocks; b++) for (let k = 0; k < size[b]!; k++) solution[i++] = value[b]!;
  }
}
