export { clusterExecutor, type ClusterExecutor, type ClusterOptions } from './coordinator.js';
export { ClusterValue, DEFAULT_BLOB_THRESHOLD, type BlobStore } from './store.js';
export { describeRedis, type RedisTarget } from './redis.js';
export { clusterStatus, formatStatus, type ClusterStatus } from './status.js';
export type { WorkerInfo } from './jobs.js';
export { startWorker, type ClusterWorker, type ModuleLoader, type WorkerOptions } from './worker.js';
