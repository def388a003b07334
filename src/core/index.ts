export { GraphBuilder, type GraphBuilderOptions, type Input, type TargetRef, type ViewOptions } from './graphBuilder.js';
export { DataNode, OperationNode, type AddOptions } from './nodes.js';
export { PyflowError, type PyflowErrorCode } from './errors.js';
export { formatTraceEvent } from './format.js';
export { SCALAR_DIMENSION, dimensionOf, previewValue } from './dims.js';
export { detachBuffers } from './detach.js';
export { HOST_SYMBOL, type CallSite, type PyflowHost, type TraceEvent, type TraceKind, type TraceListener } from './trace.js';
export type { GraphModel, ModelEdge, ModelNode, NodeKind, SourceRange } from './model.js';
export { dependencyClosure } from './dependencies.js';
