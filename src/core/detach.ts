/**
 * An `onRelease` hook for numeric pipelines (`new GraphBuilder({ onRelease: detachBuffers })`): frees the memory
 * of a released typed array, DataView or ArrayBuffer at once, by transferring its buffer to an empty one
 * (`ArrayBuffer.prototype.transfer`, ES2024: Node 21+, Chromium 114+; elsewhere it does nothing). Without it the
 * memory comes back only when V8 next collects garbage, which may be several released arrays later (docs/benchmarks.md,
 * Core: memory).
 *
 * Only for graphs whose released values nothing else holds: the array is emptied (length 0) for every holder.
 * A view on part of a buffer (Node's pooled small Buffers), a SharedArrayBuffer, and a buffer that cannot be
 * transferred (WebAssembly memory) are left alone.
 */
export function detachBuffers(value: unknown): void {
  let buffer: unknown = value;
  if (ArrayBuffer.isView(value)) {
    if (value.byteOffset !== 0 || value.byteLength !== value.buffer.byteLength) return;
    buffer = value.buffer;
  }
  // Not `instanceof`: buffers made in another realm (a vm context, a worker's transfer) count too.
  if (Object.prototype.toString.call(buffer) !== '[object ArrayBuffer]') return;
  const b = buffer as { transfer?: (length: number) => unknown; detached?: boolean };
  if (typeof b.transfer !== 'function' || b.detached === true) return;
  try {
    b.transfer(0);
  } catch {
    // Not transferable (WebAssembly memory): it stays until it is collected.
  }
}
