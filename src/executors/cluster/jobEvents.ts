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

/** Reads events from now on and calls `onEvent` with each completion and failure, until `stop()`. */
export async function readJobEvents(client: Redis, key: string, onEvent: (event: JobEvent) => void): Promise<{ stop(): void }> {
  const newest = await client.xrevrange(key, '+', '-', 'COUNT', 1);
  let lastId = newest[0]?.[0] ?? '0-0';
  let stopped = false;
  void (async () => {
    while (!stopped) {
      let batch: [string, [string, string[]][]][] | null;
      try {
        batch = (await client.xread('BLOCK', BLOCK_MS, 'STREAMS', key, lastId)) as [string, [string, string[]][]][] | null;
      } catch {
        // The connection is gone: its 'end' fails the calls in flight (see the coordinator).
        return;
      }
      for (const [id, fields] of batch?.[0]?.[1] ?? []) {
        lastId = id;
        const record: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
        if (record.event === 'completed' && record.jobId !== undefined) {
          onEvent({ event: 'completed', jobId: record.jobId, returnvalue: record.returnvalue ?? 'null' });
        } else if (record.event === 'failed' && record.jobId !== undefined) {
          onEvent({ event: 'failed', jobId: record.jobId, failedReason: record.failedReason ?? '' });
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
