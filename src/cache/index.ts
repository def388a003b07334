export { DiskCache, type DiskCacheOptions, type MissReason } from './diskCache.js';
export { CacheStore, DEFAULT_MAX_BYTES, type CacheStoreOptions, type ClearedCounts, type StoreStats } from './store.js';
export { defaultCacheDir } from './defaultDir.js';
export type { CodeFingerprint } from '../protocol/codeFingerprint.js';
