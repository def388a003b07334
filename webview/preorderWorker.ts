import { preorder, type OrderInput } from '../src/drawing/preorder.js';

/*
 * The preorder's own Web Worker (started from a blob of this file's bundle, see orderWorker.ts and esbuild.mjs):
 * a request `{ id, input, parts, widths }` is answered `{ id, result }` (undefined for a cyclic graph) or
 * `{ id, error }`.
 */
interface Request {
  id: number;
  input: OrderInput;
  parts?: ReadonlyMap<string, number>;
  widths: number[];
}

const scope = self as unknown as { onmessage: ((event: { data: Request }) => void) | null; postMessage(message: unknown): void };
scope.onmessage = ({ data }) => {
  try {
    scope.postMessage({ id: data.id, result: preorder(data.input, data.parts, data.widths) });
  } catch (error) {
    scope.postMessage({ id: data.id, error: error instanceof Error ? error.message : String(error) });
  }
};
