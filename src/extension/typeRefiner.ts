import { Worker } from 'node:worker_threads';
import type { ExtractResult } from '../protocol/index.js';

/** The worker extracts the quick graph again (milliseconds): what the type checker needs of it does not cross threads. */
export interface RefineRequest {
  id: number;
  text: string;
  fileName: string;
}

export type RefineReply = { id: number; result: ExtractResult | undefined } | { id: number; error: string };

/**
 * Runs `refineWithTypes` (the type checker: seconds on a large file) in a worker thread that loads its own
 * extractor, so the extension host stays responsive. One worker, started on first use, not keeping the
 * process alive; if it dies, the pending requests fail and the next one starts a new worker.
 */
export class TypeRefiner {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(result: ExtractResult | undefined): void; reject(error: Error): void }>();

  /** `workerPath`: dist/refineWorker.js. */
  constructor(private readonly workerPath: string) {}

  /** `refineWithTypes(text, fileName, extractGraph(text, fileName))`, in the worker. */
  refine(text: string, fileName: string): Promise<ExtractResult | undefined> {
    const id = this.nextId++;
    const request: RefineRequest = { id, text, fileName };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.start().postMessage(request);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.unref();
    worker.on('message', (reply: RefineReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.result);
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the type checker's worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
