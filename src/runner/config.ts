import type { RunTarget } from '../protocol/index.js';

/** What the parent tells the runner child, through the PYFLOW_RUN environment variable. */
export interface RunnerConfig {
  /** The bundled user script (ESM). */
  bundle: string;
  target: RunTarget;
  /** Events per batch before a flush is forced (batches are also flushed every `flushMs`). */
  batchSize: number;
  flushMs: number;
}

export const RUNNER_ENV = 'PYFLOW_RUN';
