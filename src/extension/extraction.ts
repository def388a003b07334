import { loadAnalysis } from '../analysis/lazy.js';
import type { ExtractResult } from '../protocol/index.js';
import type { AnalysisWorker } from './analysisWorker.js';

/**
 * Scripts at least this long are extracted in the analysis worker: parsing takes tens of milliseconds from about
 * 1,000 `add` statements on (docs/benchmarks.md), too long for the extension host's thread. Shorter ones are
 * extracted in place, which also spares the worker's start-up for the common small script.
 */
export const OFF_THREAD_CHARS = 32_000;

/**
 * Where a document's analysis runs: small scripts in this thread, large ones and every type-checker pass in the
 * worker. If the worker fails, the work is done in this thread after all and `onWorkerFailure` is told.
 */
export class Extraction {
  constructor(
    private readonly worker: AnalysisWorker,
    private readonly onWorkerFailure: (summary: string, error: unknown) => void,
    private readonly offThreadChars = OFF_THREAD_CHARS,
  ) {}

  async extract(text: string, fileName: string): Promise<ExtractResult> {
    if (text.length < this.offThreadChars) return loadAnalysis().extractGraph(text, fileName);
    try {
      return await this.worker.extract(text, fileName);
    } catch (error) {
      this.onWorkerFailure(`Pyflow: the analysis worker failed on ${fileName}; extracting on the main thread`, error);
      return loadAnalysis().extractGraph(text, fileName);
    }
  }

  /** The type-checked result (`quick` is `extract`'s, with `typesPending`). */
  async refine(text: string, fileName: string, quick: ExtractResult): Promise<ExtractResult | undefined> {
    try {
      return await this.worker.refine(text, fileName);
    } catch (error) {
      this.onWorkerFailure(`Pyflow: the analysis worker failed on ${fileName}; type-checking on the main thread`, error);
      return loadAnalysis().refineWithTypes(text, fileName, quick);
    }
  }
}
