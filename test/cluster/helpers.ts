import { Redis } from 'ioredis';
import type { ExecutorCall, ExecutorOp } from '../../src/core/executor.js';

/* Calls made the way the engine makes them, for tests that drive an executor directly. */

export function opOf(uid: string, fnName: string, nOut = 1, line = 10): ExecutorOp {
  return { uid, graph: 'G', fnName, site: { file: '/project/pipeline.ts', line, column: 5 }, nOut };
}

export function callOf(fn: (...args: never[]) => unknown, op: ExecutorOp, args: unknown[], signal = new AbortController().signal): ExecutorCall {
  return { op, fn, args, movable: [], signal };
}

/** Every key in Redis matching `pattern`, sorted. */
export async function keys(url: string, pattern = 'pyflow:*'): Promise<string[]> {
  const redis = new Redis(url);
  try {
    return (await redis.keys(pattern)).sort();
  } finally {
    redis.disconnect();
  }
}
