import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type TraceEvent } from '../../src/core/index.js';
import type { TimedEvent } from '../../src/protocol/index.js';
import { RunTimes, emptyRunText } from '../../webview/runTimes.js';

const key = (uid: string): string => `g\u0000${uid}`;
const running = (uid: string, at: number): TimedEvent => ({ kind: 'running', uid, graph: 'g', at });
const finished = (uid: string, at: number, worker?: string): TimedEvent =>
  worker === undefined ? { kind: 'finished', uid, graph: 'g', durationMs: 0, at } : { kind: 'finished', uid, graph: 'g', durationMs: 0, worker, at };
const failed = (uid: string, at: number): TimedEvent => ({ kind: 'error', uid, graph: 'g', message: `${uid} failed`, at });
const released = (uid: string, at: number): TimedEvent => ({ kind: 'released', uid, graph: 'g', at });

/** What the time view draws: rows, bars and marks (and the scheme), compared whole. */
function view(times: RunTimes) {
  return { byWorker: times.byWorker, rows: times.rows, bars: times.bars, marks: times.marks };
}

/** Times from events appended one by one (as a live run streams them) and all at once must agree. */
function timesOf(events: readonly TimedEvent[], producers: Record<string, string> = {}): RunTimes {
  const producerOf = (k: string): string | undefined => producers[k];
  const all = new RunTimes(producerOf);
  all.append(events);
  const streamed = new RunTimes(producerOf);
  for (const e of events) streamed.append([e]);
  assert.deepEqual(view(streamed), view(all));
  return all;
}

describe('run times: rows per op or per worker', () => {
  it('an inline run has one row per op, on the sequential clock, marks on the producer’s row', () => {
    const events: TraceEvent[] = [];
    const G = new GraphBuilder();
    G.subscribe((e) => events.push(e));
    const a = G.add((x: number) => x + 1)(1);
    G.add((x: number) => x * 2)(a).get();
    const ops = events.filter((e) => e.kind === 'running').map((e) => e.uid);
    assert.equal(ops.length, 2);
    // The durations are real, so they are read back from the events.
    const ms = (uid: string): number => (events.find((e) => e.kind === 'finished' && e.uid === uid) as { durationMs: number }).durationMs;
    const producers = { [key(a.uid)]: key(ops[0]!) };
    const times = timesOf(
      events.map((e) => ({ ...e, graph: 'g' })),
      producers,
    );
    const first = ms(ops[0]!);
    const marks = events
      .filter((e) => e.kind === 'released' && e.uid === a.uid)
      .map(() => ({ row: 0, key: key(a.uid), at: first + ms(ops[1]!), kind: 'released' }));
    assert.equal(marks.length, 1);
    assert.deepEqual(view(times), {
      byWorker: false,
      rows: [key(ops[0]!), key(ops[1]!)],
      bars: [
        { row: 0, key: key(ops[0]!), start: 0, end: first, how: 'finished' },
        { row: 1, key: key(ops[1]!), start: first, end: first + ms(ops[1]!), how: 'finished' },
      ],
      marks,
    });
  });

  it('a pool run has one row per thread the events name and one for the main thread, in order of first bar', () => {
    const times = timesOf(
      [
        running('load', 0),
        finished('load', 1),
        released('raw', 1),
        running('fitA', 2),
        running('fitB', 3),
        finished('fitA', 300, 'thread 1'),
        finished('fitB', 310, 'thread 2'),
        running('sum', 311),
        finished('sum', 312),
        released('a', 312),
        released('b', 313),
      ],
      { [key('raw')]: key('load'), [key('a')]: key('fitA'), [key('b')]: key('fitB') },
    );
    // `load` ran inline before any executor: its row (and its mark) became `main thread` when the scheme switched.
    assert.deepEqual(view(times), {
      byWorker: true,
      rows: ['main thread', 'thread 1', 'thread 2'],
      bars: [
        { row: 0, key: key('load'), start: 0, end: 1, how: 'finished' },
        { row: 1, key: key('fitA'), start: 2, end: 300, how: 'finished' },
        { row: 2, key: key('fitB'), start: 3, end: 310, how: 'finished' },
        { row: 0, key: key('sum'), start: 311, end: 312, how: 'finished' },
      ],
      marks: [
        { row: 0, key: key('raw'), at: 1, kind: 'released' },
        { row: 1, key: key('a'), at: 312, kind: 'released' },
        { row: 2, key: key('b'), at: 313, kind: 'released' },
      ],
    });
    assert.equal(times.rowOfKey(key('fitB')), 2);
    assert.equal(times.rowOfKey(key('sum')), 0);
  });

  it('a running bar sits on its op’s row until its finished event names the worker, then moves there', () => {
    const times = new RunTimes();
    times.append([running('fitA', 0), running('fitB', 1)]);
    assert.deepEqual(view(times), {
      byWorker: false,
      rows: [key('fitA'), key('fitB')],
      bars: [
        { row: 0, key: key('fitA'), start: 0, end: 0, how: 'running' },
        { row: 1, key: key('fitB'), start: 1, end: 1, how: 'running' },
      ],
      marks: [],
    });
    const layout = times.layout;
    times.append([finished('fitA', 5, 'thread 2')]);
    assert.ok(times.layout > layout, 'the view is told to index the rows again');
    assert.deepEqual(view(times), {
      byWorker: true,
      rows: ['thread 2', key('fitB')],
      bars: [
        { row: 0, key: key('fitA'), start: 0, end: 5, how: 'finished' },
        { row: 1, key: key('fitB'), start: 1, end: 1, how: 'running' },
      ],
      marks: [],
    });
    times.append([running('fitC', 6), finished('fitB', 7, 'thread 2')]);
    assert.deepEqual(view(times), {
      byWorker: true,
      rows: ['thread 2', key('fitC')],
      bars: [
        { row: 0, key: key('fitA'), start: 0, end: 5, how: 'finished' },
        { row: 0, key: key('fitB'), start: 1, end: 7, how: 'finished' },
        { row: 1, key: key('fitC'), start: 6, end: 6, how: 'running' },
      ],
      marks: [],
    });
    // A running bar is drawn up to the latest time seen.
    assert.equal(times.now, 7);
  });

  it('a failed executor op stays on its own row (its error names no worker); a later run of it moves on', () => {
    const times = timesOf([
      running('fitA', 0),
      running('fitB', 0),
      finished('fitA', 4, 'thread 1'),
      failed('fitB', 6),
      running('fitB', 7),
      finished('fitB', 9, 'thread 1'),
    ]);
    assert.deepEqual(view(times), {
      byWorker: true,
      rows: ['thread 1', key('fitB')],
      bars: [
        { row: 0, key: key('fitA'), start: 0, end: 4, how: 'finished' },
        { row: 1, key: key('fitB'), start: 0, end: 6, how: 'error' },
        { row: 0, key: key('fitB'), start: 7, end: 9, how: 'finished' },
      ],
      marks: [],
    });
    assert.equal(times.rowOfKey(key('fitB')), 0);
  });

  it('an op failing before any executor ran one keeps its row when the scheme switches', () => {
    const times = timesOf([running('check', 0), failed('check', 1), running('fit', 2), finished('fit', 3, 'worker box:41')]);
    assert.deepEqual(view(times), {
      byWorker: true,
      rows: [key('check'), 'worker box:41'],
      bars: [
        { row: 0, key: key('check'), start: 0, end: 1, how: 'error' },
        { row: 1, key: key('fit'), start: 2, end: 3, how: 'finished' },
      ],
      marks: [],
    });
  });

  it('a run whose results all came from the cache has no bar, and says so instead of waiting for an op', async () => {
    const times = timesOf([
      { kind: 'activated', uid: 'total_5', graph: 'g', at: 0 },
      { kind: 'cached', uid: 'total_5', graph: 'g', at: 1 },
    ]);
    assert.deepEqual({ ...view(times), cached: times.cached }, { byWorker: false, rows: [], bars: [], marks: [], cached: 1 });
    assert.equal(emptyRunText(times.cached), 'no op has run: 1 result read from the cache (Pyflow: Clear Cache recomputes)');
    assert.equal(emptyRunText(0), 'waiting for the first op to run…');
  });
});
