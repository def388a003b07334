import type { RunTarget } from '../protocol/index.js';

/** What the parent tells the runner child, through the PYFLOW_RUN environment variable. */
export interface RunnerConfig {
  /** The bundled user script (ESM). */
  bundle: string;
  target: RunTarget;
  /** Events per batch before a flush is forced (batches are also flushed every `flushMs`, and before each op runs). */
  batchSize: number;
  flushMs: number;
  /**
   * Print pyflow's verbose trace lines to the script's stdout, in order with its own output, for the graphs that
   * do not print them already (`verbose: true`).
   */
  printTrace: boolean;
  /** The dist/ folder of the pyflow library bundled into the script (a workspace's copy or the tool's own). */
  libraryDist: string;
  /** The script's op modules for worker threads, bundled: file URL of the source → file URL of its bundle. */
  workerModules: Record<string, string>;
  /** File URL of an op module's source → fingerprint of the code its bundle runs (imports and package versions in). */
  workerFingerprints?: Record<string, string>;
  /** Build a preview of each op output's value for the graph view (`data/previews` messages). */
  dataPreviews?: boolean;
  /** The cross-run result cache of the script's graphs (absent: none). */
  cache?: RunnerCacheConfig;
}

export interface RunnerCacheConfig {
  /** The store's directory (made when first written). */
  dir: string;
  maxBytes: number;
  /** The code fingerprints read when the script was bundled (JSON: site key → CodeFingerprint). */
  fingerprints: string;
}

export const RUNNER_ENV = 'PYFLOW_RUN';
