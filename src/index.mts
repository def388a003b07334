// The package's declarations for ESM importers (`dist/lib/index.d.mts`); index.ts is the one source of both builds.
export * from './index.js';
