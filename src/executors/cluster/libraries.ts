import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';
import { PyflowError } from '../../core/index.js';

/** BullMQ and ioredis: optional peer dependencies of pyflow, loaded when a cluster first needs them. */
export interface RedisLibraries {
  readonly bullmq: typeof BullMQ;
  readonly ioredis: typeof IORedis;
}

let loading: Promise<RedisLibraries> | undefined;

/** The cluster's libraries; rejects with a PyflowError saying what to install when they are not installed. */
export function redisLibraries(): Promise<RedisLibraries> {
  loading ??= Promise.all([import('bullmq'), import('ioredis')]).then(
    ([bullmq, ioredis]) => ({ bullmq, ioredis }),
    (error: unknown) => {
      loading = undefined;
      throw isMissing(error) ? missingLibraries(error) : error;
    },
  );
  return loading;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]?(bullmq|ioredis)['"/]/.test(String((error as Error).message));
}

export function missingLibraries(cause: unknown): PyflowError {
  return new PyflowError(
    'BAD_OPTION',
    'the pyflow cluster needs the packages bullmq and ioredis (optional peer dependencies of pyflow, not installed with it): ' +
      'install bullmq and ioredis beside pyflow (npm install bullmq ioredis)',
    undefined,
    undefined,
    { cause },
  );
}
