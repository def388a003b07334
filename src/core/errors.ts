import type { CallSite } from './trace.js';

/** What rule a {@link PyflowError} reports, e.g. `OP_FAILED` (the user's function threw) or `CYCLE`. */
export type PyflowErrorCode =
  | 'OP_FAILED'
  | 'EXECUTOR_FAILED'
  | 'OUTPUT_COUNT'
  | 'ASYNC_IN_GET'
  | 'NO_VALUE'
  | 'BAD_ARGUMENT'
  | 'UNKNOWN_NODE'
  | 'BAD_OPTION'
  | 'REMOVED'
  | 'CYCLE'
  | 'RELEASED'
  | 'RELEASE_FAILED'
  | 'LISTENER_FAILED';

/** The one error class of the library: `code` says which rule broke, `uid` names the node. */
export class PyflowError extends Error {
  override name = 'PyflowError';
  constructor(
    readonly code: PyflowErrorCode,
    message: string,
    readonly uid?: string,
    readonly callSite?: CallSite,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function describeCallSite(site: CallSite | undefined): string {
  return site ? `${site.file}:${site.line}:${site.column}` : 'unknown location (call sites are captured when tracing)';
}
