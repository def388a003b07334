import { setTimeout as delay } from 'node:timers/promises';

/*
 * Waiting in tests: for a condition, never for a fixed time. The deadline is generous, for a busy 2-core machine;
 * it only decides how long a broken run takes to fail, never whether a working one passes.
 */

/** The default deadline of `waitFor`. */
export const GENEROUS_MS = 120_000;

/**
 * Polls `condition` until it returns a value other than undefined, null or false, and returns that value. Throws
 * after `deadlineMs`, naming `what` and the last value seen; an error the condition throws ends the wait at once.
 */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, deadlineMs = GENEROUS_MS): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value as Exclude<T, undefined | null | false>;
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs / 1000} s waiting for ${what} (last: ${String(value)})`);
    await delay(100);
  }
}
