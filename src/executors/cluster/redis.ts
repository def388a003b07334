import type { Redis, RedisOptions } from 'ioredis';
import { redisLibraries } from './libraries.js';

/** Where Redis is: a URL (`redis://[:password@]host:port[/db]`, `rediss://` for TLS) or ioredis options. */
export type RedisTarget = string | RedisOptions;

/** The URL or host:port of a target with its password hidden, for messages and logs. */
export function describeRedis(target: RedisTarget): string {
  if (typeof target !== 'string') return `${target.tls ? 'rediss' : 'redis'}://${target.host ?? '127.0.0.1'}:${target.port ?? 6379}`;
  try {
    const url = new URL(target);
    if (url.password) url.password = '***';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(an invalid Redis URL)';
  }
}

/** How long a connection may take, and how long a lost connection is retried before calls fail. */
const CONNECT_TIMEOUT_MS = 5_000;
const RECONNECT_TRIES = 5;

/**
 * Opens a connection and waits until Redis answers, or rejects with an error naming the target (never waits
 * forever: an unreachable Redis fails after the connect timeout). `blocking`: for BullMQ workers and queue events,
 * whose blocking commands must not time out; `persistent`: reconnects forever after a loss (a worker daemon),
 * else gives up after a few tries so that calls in flight fail instead of hanging.
 */
export async function connectRedis(target: RedisTarget, role: string, flags: { blocking?: boolean; persistent?: boolean } = {}): Promise<Redis> {
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: flags.blocking ? null : 1,
    connectionName: role.replace(/\W+/g, '-'),
    retryStrategy: (times) => (flags.persistent || times <= RECONNECT_TRIES ? Math.min(times * 200, 2_000) : null),
  };
  const { Redis } = (await redisLibraries()).ioredis;
  const client = typeof target === 'string' ? new Redis(target, options) : new Redis({ ...target, ...options });
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    // The first connection is tried once: an unreachable Redis is reported now, not retried in the background.
    const strategy = client.options.retryStrategy;
    client.options.retryStrategy = () => null;
    await client.connect();
    await client.ping();
    client.options.retryStrategy = strategy;
    return client;
  } catch (error) {
    client.disconnect();
    throw unreachable(target, role, lastError ?? error);
  }
}

export function unreachable(target: RedisTarget, role: string, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    `${role}: cannot connect to Redis at ${describeRedis(target)} (${why}); start redis-server there or fix the URL ` +
      '(redis://:password@host:port, rediss:// for TLS)',
    { cause },
  );
}
