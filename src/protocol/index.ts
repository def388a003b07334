export * from './messages.js';
export * from './guards.js';
export * from './shapes.js';
export * from './packedTrace.js';
export type { GraphModel, ModelEdge, ModelNode, NodeKind, SourceRange, TraceEvent, TraceKind } from '../core/index.js';
export * from './codeFingerprint.js';
