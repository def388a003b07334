import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/*
 * The results of jobs, read from the queue's event stream (BullMQ's `<prefix>:<queue>:events`, where its workers
 * record every job's completion or failure) on a connection of the coordinator's own. BullMQ's QueueEvents reads the
 * same stream, but keeps a timer armed at all times, so a script that leaves its cluster open would never end.
 */

export type JobEvent =
  | { readonly event: 'completed'; readonly jobId: string; readonly returnvalue: string }
  | { readonly event: 'failed'; readonly jobId: string; readonly failedReason: string };

/** How long one read waits for new events before it is sent again. */
const BLOCK_MS = 5_000;
/** How long the reader waits after an error reply before it reads again. */
const RETRY_MS = 200;

/** Reads events from now on and calls `onEvent` with each completion and failure, until `stop()`. */
export async function readJobEvents(client: Redis, key: string, onEvent: (event: JobEvent) => void): Promise<{ stop(): void }> {
  const newest = await client.xrevrange(key, '+', '-', 'COUNT', 1);
  let lastId = newest[0]?.[0] ?? '0-0';
  let stopped = false;
  /** An event whose handling throws (a result that is not JSON) fails its job's call, never the reader. */
  const deliver = (event: JobEvent): void => {
    try {
      onEvent(event);
    } catch (error) {
      const reason = `pyflow could not read the result of job ${event.jobId}: ${error instanceof Error ? error.message : String(error)}`;
      try {
        onEvent({ event: 'failed', jobId: event.jobId, failedReason: reason });
      } catch {
        // Nothing more to fail.
      }
    }
  };
  void (async () => {
    while (!stopped) {
      let batch: [string, [string, string[]][]][] | null;
      try {
        batch = (await client.xread('BLOCK', BLOCK_MS, 'STREAMS', key, lastId)) as [string, [string, string[]][]][] | null;
      } catch {
        // The connection gone for good: its 'end' fails the calls in flight (see the coordinator).
        if (stopped || client.status === 'end') return;
        // An error reply (LOADING, NOPERM, ...) on a live connection: a later read may succeed. (The timer alone does
        // not hold the process: the connection does while calls are in flight.)
        await delay(RETRY_MS, undefined, { ref: false });
        continue;
      }
      for (const [id, fields] of batch?.[0]?.[1] ?? []) {
        lastId = id;
        const record: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
        if (record.jobId === undefined) continue;
        if (record.event === 'completed') {
          deliver({ event: 'completed', jobId: record.jobId, returnvalue: record.returnvalue ?? 'null' });
        } else if (record.event === 'failed') {
          deliver({ event: 'failed', jobId: record.jobId, failedReason: record.failedReason ?? '' });
        }
      }
    }
  })();
  return {
    stop() {
      stopped = true;
    },
  };
}
