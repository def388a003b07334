export { extractGraph, type ExtractOptions } from './extractGraph.js';
export { refineWithTypes } from './refineWithTypes.js';
export { instrumentAddCalls } from './instrument.js';
export { Fingerprinter, fingerprintingTransform, type FingerprintHost } from './fingerprint.js';
