/**
 * Lazy computation DAGs: build a graph with {@link GraphBuilder}, then `get()` a value to run only what it needs.
 *
 * @module pyflow
 */
export { GraphBuilder, type GraphBuilderOptions, type Input, type TargetRef, type ViewOptions } from './graphBuilder.js';
export { DataNode, OperationNode, type AddOptions } from './nodes.js';
export { PyflowError, type PyflowErrorCode } from './errors.js';
export { formatTraceEvent } from './format.js';
export { SCALAR_DIMENSION, dimensionOf, previewValue } from './dims.js';
export { detachBuffers } from './detach.js';
export { HOST_SYMBOL, type CallSite, type PyflowHost, type TraceEvent, type TraceKind, type TraceListener } from './trace.js';
export type { GraphModel, ModelEdge, ModelNode, NodeKind, SourceRange } from './model.js';
export { toDot, type DotOptions } from './dot.js';
export { viewGraph, dependencyClosure, type ViewGraph } from './summary.js';
export type { AbortSignalLike, CacheOp, Executor, ExecutorCall, ExecutorOp, ExecutorResult, ResultCache } from './executor.js';
