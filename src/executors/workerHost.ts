/**
 * The runner's hook, read by executors (worker pools, clusters) through `globalThis[WORKER_HOST_SYMBOL]`: where a
 * pool's threads import an op module, which executors a script opened, and when one the script closes really closes.
 * Without it a module is imported as it is, and `close()` closes at once.
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
   * Told when an executor is made, with the function that closes it (the same function each time; closing twice closes
   * once). The runner calls it when the run ends (return, throw, timeout, stop) unless the script closed the executor
   * first. An executor under a runner must not keep the process alive while it has no call in flight: a script's end
   * is the moment its event loop empties. (Optional: a runner of an older pyflow has none.)
   */
  opened?(close: () => Promise<void>): void;
  /**
   * Called with an executor's close by the script's `close()`. The runner, which stops a script at its first
   * evaluation call to evaluate the requested node itself, closes the executor once that evaluation ended: the
   * script's `finally { await pool.close() }` must not stop the ops the runner is running.
   */
  close(close: () => Promise<void>): Promise<void>;
}

/** The runner's hook, if a runner runs this process. */
export function workerHost(): WorkerHost | undefined {
  return (globalThis as Record<symbol, WorkerHost | undefined>)[WORKER_HOST_SYMBOL];
}
