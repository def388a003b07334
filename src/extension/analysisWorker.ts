import { Worker } from 'node:worker_threads';
import type { ExtractResult } from '../protocol/index.js';

/**
 * A job for the worker. `refine` extracts the quick graph again (milliseconds) before the type checker's pass:
 * what the type checker needs of it does not cross threads.
 */
export interface AnalysisRequest {
  id: number;
  job: 'extract' | 'refine';
  text: string;
  fileName: string;
}

export type AnalysisReply = { id: number; result: ExtractResult | undefined } | { id: number; error: string };

/**
 * Runs the analysis in a worker thread that loads its own extractor (dist/refineWorker.js), so that the extension
 * host stays responsive: the static extraction of large files, and `refineWithTypes` (the type checker: seconds on
 * a large file). One worker, started on first use, not keeping the process alive; if it dies, the pending requests
 * fail and the next one starts a new worker.
 */
export class AnalysisWorker {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(result: ExtractResult | undefined): void; reject(error: Error): void }>();

  /** `workerPath`: dist/refineWorker.js. */
  constructor(private readonly workerPath: string) {}

  /** `extractGraph(text, fileName)`, in the worker. */
  async extract(text: string, fileName: string): Promise<ExtractResult> {
    const result = await this.request('extract', text, fileName);
    if (!result) throw new Error(`the analysis worker returned no graph for ${fileName}`);
    return result;
  }

  /** `refineWithTypes(text, fileName, extractGraph(text, fileName))`, in the worker. */
  refine(text: string, fileName: string): Promise<ExtractResult | undefined> {
    return this.request('refine', text, fileName);
  }

  private request(job: AnalysisRequest['job'], text: string, fileName: string): Promise<ExtractResult | undefined> {
    const id = this.nextId++;
    const request: AnalysisRequest = { id, job, text, fileName };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.start().postMessage(request);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.unref();
    worker.on('message', (reply: AnalysisReply) => {
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
    worker.on('exit', (code) => fail(new Error(`the analysis worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
