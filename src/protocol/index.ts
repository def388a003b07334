export * from './messages.js';
export * from './guards.js';
export type { GraphModel, ModelEdge, ModelNode, NodeKind, SourceRange, TraceEvent, TraceKind } from '../core/index.js';
