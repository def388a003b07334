// The package's entry (`import … from 'pyflow'`): the core library, and the executor that runs ops on worker threads.
export * from './core/index.js';
export { workerPool, type ModuleRef, type WorkerLimits, type WorkerPool, type WorkerPoolOptions } from './executors/threads/workerPool.js';
