import { connectRedis, type RedisTarget } from './redis.js';
import { redisLibraries } from './libraries.js';
import { DEFAULT_QUEUE, WORKER_KEY_PREFIX, type WorkerInfo } from './jobs.js';
import { RUNS_KEY } from './store.js';

/** What `pyflow cluster status` shows: the workers alive and the queue's depth. */
export interface ClusterStatus {
  /** Live workers (their record expires some seconds after they stop or die), by name. */
  readonly workers: WorkerInfo[];
  /** Jobs by state: waiting (the queue depth), active (running), … */
  readonly jobs: Record<string, number>;
  /** Coordinators' run ids with keys in the store. */
  readonly runs: string[];
}

/** Reads the workers and the queue depth of a cluster from its Redis. */
export async function clusterStatus(redis: RedisTarget, queueName = DEFAULT_QUEUE): Promise<ClusterStatus> {
  const { Queue } = (await redisLibraries()).bullmq;
  const client = await connectRedis(redis, 'pyflow cluster status');
  const queue = new Queue(queueName, { connection: client });
  try {
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `${WORKER_KEY_PREFIX}*`, count: 500 }) as AsyncIterable<string[]>) keys.push(...batch);
    const records = keys.length > 0 ? await client.mget(keys) : [];
    const workers = records
      .flatMap((text) => (text ? [JSON.parse(text) as WorkerInfo] : []))
      .filter((w) => w.queue === queueName)
      .sort((a, b) => a.name.localeCompare(b.name));
    const jobs = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
    return { workers, jobs, runs: (await client.smembers(RUNS_KEY)).sort() };
  } finally {
    await queue.close();
    client.disconnect();
  }
}

/** The status as `pyflow cluster status` prints it. */
export function formatStatus(status: ClusterStatus, queueName = DEFAULT_QUEUE): string {
  const lines = [
    `queue ${queueName}: ${status.jobs.waiting! + (status.jobs.prioritized ?? 0)} waiting, ${status.jobs.active} running, ` +
      `${status.jobs.delayed} delayed, ${status.jobs.failed} failed (kept)`,
  ];
  lines.push(`${status.workers.length} worker${status.workers.length === 1 ? '' : 's'}${status.workers.length ? ':' : ''}`);
  for (const w of status.workers) lines.push(`  ${w.name}  ${w.running}/${w.concurrency} running, ${w.done} done, since ${w.startedAt}, root ${w.root}`);
  lines.push(
    `${status.runs.length} run${status.runs.length === 1 ? '' : 's'} with values in the store${status.runs.length ? `: ${status.runs.join(', ')}` : ''}`,
  );
  return lines.join('\n');
}
