import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type TraceEvent } from '../../src/core/index.js';
import { Steps } from '../../webview/steps.js';
import { formatTraceEvent } from '../../src/core/format.js';
import { applyEvents, emptyOverlay } from '../../webview/overlay.js';

function seedEvents(): TraceEvent[] {
  const events: TraceEvent[] = [];
  const G = new GraphBuilder();
  G.subscribe((e) => events.push(e));
  const adding = (a: number, b: number) => a + b;
  const a1 = G.add(adding)(1, 2);
  const [, a3] = G.add((a: number, b: number) => [a + 1, b + 1], { nOut: 2 })(a1, 3);
  const a4 = G.add(adding)(a1, 5);
  G.add(adding)(a4, a3!).get();
  return events;
}

describe('timeline and overlay (pure reducers)', () => {
  it('the seed run has 20 steps, one per verbose line; durations join their step', () => {
    const events = seedEvents();
    const steps = new Steps().append(events);
    assert.equal(steps.length, 20);
    assert.equal(steps.line(0), 'computing for data_12');
    // Every step is one verbose line, in order, and the events without a line joined the step before them.
    const lines = events.map(formatTraceEvent).filter((l) => l !== undefined);
    assert.deepEqual(
      Array.from({ length: steps.length }, (_, i) => steps.line(i)),
      lines,
    );
    for (let i = 0; i < steps.length; i++) {
      const own = steps.eventsOf(i);
      assert.equal(formatTraceEvent(own[0]!), lines[i]);
      assert.ok(own.slice(1).every((e) => formatTraceEvent(e) === undefined));
    }
    assert.ok(Array.from({ length: steps.length }, (_, i) => steps.eventsOf(i)).some((own) => own.some((e) => e.kind === 'finished')));
    assert.equal(
      Array.from({ length: steps.length }, (_, i) => steps.eventsOf(i).length).reduce((a, b) => a + b, 0),
      events.length,
    );
  });

  it('replaying to a step gives the states the trace had then; streaming in batches gives the same end state', () => {
    const events = seedEvents();
    const steps = new Steps().append(events);
    const at = (n: number, uid: string) => steps.overlayAt(n).nodes.get(`graph\u0000${uid}`)?.state;
    assert.equal(at(5, 'adding_0'), 'activated');
    assert.equal(at(9, 'adding_0'), 'finished');
    assert.equal(at(10, 'data_3'), undefined);
    assert.equal(at(14, 'data_3'), 'stillNeeded');
    assert.equal(at(15, 'data_3'), 'released');
    const batched = new Steps();
    let overlay = emptyOverlay();
    for (let i = 0; i < events.length; i += 3) {
      const batch = events.slice(i, i + 3);
      batched.append(batch);
      overlay = applyEvents(overlay, batch);
    }
    assert.deepEqual([...batched.overlayAt(batched.length).nodes], [...overlay.nodes]);
    // Continuing from an earlier overlay gives the same states as replaying from the start.
    assert.deepEqual([...batched.overlayAt(batched.length, batched.overlayAt(12), 11).nodes], [...overlay.nodes]);
    assert.deepEqual(
      [...overlay.nodes.entries()]
        .filter(([, s]) => s.state === 'released')
        .map(([k]) => k.split('\u0000')[1])
        .sort(),
      ['data_10', 'data_3', 'data_7'],
    );
  });
});
