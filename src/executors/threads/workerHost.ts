/**
 * The runner's hook, read by worker pools (`globalThis[WORKER_HOST_SYMBOL]`): where a pool's threads import an op
 * module, and when a pool the script closes really closes. Without it a module is imported as it is, and `close()`
 * closes at once.
 */
export const WORKER_HOST_SYMBOL = Symbol.for('pyflow.workerHost');

export interface WorkerHost {
  /** The URL threads import for an op module's URL (the runner bundles TypeScript modules, source maps kept). */
  moduleUrl(href: string): Promise<string>;
  /**
   * A fingerprint of the code an op module runs, its imports included (e.g. a hash of its bundle), for result-cache
   * keys; undefined: unknown (the pool then hashes the module's own file, which does not cover its imports).
   */
  moduleFingerprint?(href: string): string | undefined;
  /**
   * Called with a pool's close by the script's `pool.close()`. The runner, which stops a script at its first
   * evaluation call to evaluate the requested node itself, closes the pool once that evaluation ended: the script's
   * `finally { await pool.close() }` must not stop the ops the runner is running.
   */
  close(close: () => Promise<void>): Promise<void>;
}
