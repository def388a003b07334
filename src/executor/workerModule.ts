/**
 * The runner's hook, read by a worker pool before it sends a call: a function from an op module's URL to the URL its
 * threads import instead (the runner bundles a script's TypeScript op modules with esbuild, source maps kept).
 * Without it a module is imported as it is.
 */
export const WORKER_MODULE_SYMBOL = Symbol.for('pyflow.workerModule');

export type WorkerModuleHook = (href: string) => Promise<string>;
