/*
 * What crosses BullMQ between the coordinator and the workers (job data and return values are JSON): names of
 * values in the store, never the values themselves.
 */

export const DEFAULT_QUEUE = 'pyflow';

/**
 * An argument of an op: a value in the store, a small value sent with the job (v8-serialized, base64), or a list some
 * of whose items are in the store (an op taking a list of nodes).
 */
export type ArgRef = { readonly key: string } | { readonly inline: string } | { readonly items: readonly ArgRef[] };

/** Arguments up to this size (serialized) travel in the job itself, bigger ones through the store. */
export const INLINE_ARG_BYTES = 16 * 1024;

export interface OpJob {
  /** The coordinator's run id (its keys are `pyflow:run:<run>:…`). */
  readonly run: string;
  readonly uid: string;
  readonly graph: string;
  readonly fnName: string;
  /** The op's module, relative to the code root ('/'-separated), and the export to call. */
  readonly module: string;
  readonly export: string;
  readonly args: readonly ArgRef[];
  readonly nOut: number;
  /** Where outputs go: `<outputPrefix><i>`; where a thrown error goes: `<outputPrefix>error`. */
  readonly outputPrefix: string;
}

export type OpJobResult =
  | { readonly worker: string; readonly outputs: readonly { readonly key: string; readonly bytes: number }[] }
  /** The run was gone when the worker took the job (its coordinator died): nothing ran. */
  | { readonly worker: string; readonly abandoned: true };

/** The message a job fails with when its op threw (the error itself is in the store). */
export const OP_THREW = 'pyflow: the op threw';

/** A live worker's record (`pyflow:worker:<name>`, expiring unless refreshed). */
export interface WorkerInfo {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly root: string;
  readonly queue: string;
  readonly startedAt: string;
  readonly running: number;
  readonly done: number;
}

export const WORKER_KEY_PREFIX = 'pyflow:worker:';
