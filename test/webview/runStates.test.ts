import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type TraceEvent } from '../../src/core/index.js';
import { applyEvents, emptyOverlay, endedEarly } from '../../webview/overlay.js';
import { nodeDetails } from '../../webview/tooltip.js';
import { fitTransform, FIT_MAX, READABLE_ZOOM, readableTransform } from '../../webview/fit.js';

function states(events: readonly TraceEvent[]): Record<string, string> {
  return Object.fromEntries([...applyEvents(emptyOverlay(), events).nodes].map(([k, s]) => [k.split('\u0000')[1]!, s.state]));
}

describe('run states of the overlay (pure reducer)', () => {
  it('ops downstream of a failure are not run, not finished; the ops that ran stay finished', () => {
    const events: TraceEvent[] = [];
    const G = new GraphBuilder();
    G.subscribe((e) => events.push(e));
    const ok = G.add(function ok(a: number) {
      return a + 1;
    })(1);
    const bad = G.add(function bad(a: number) {
      if (a > 0) throw new Error(`no ${a}`);
      return a;
    })(ok);
    const after = G.add(function after(a: number) {
      return a * 2;
    })(bad);
    const last = G.add(function last(a: number, b: number) {
      return a + b;
    })(after, ok);
    assert.throws(() => last.get(), /no 2/);
    assert.deepEqual(states(events), { last_7: 'notRun', after_5: 'notRun', bad_3: 'error', ok_0: 'finished' });
  });

  it('a run that ends early: the running op is stopped, the activated ones not run, the finished ones unchanged', () => {
    const g = 'graph';
    const overlay = applyEvents(emptyOverlay(), [
      { kind: 'activated', uid: 'a_0', graph: g },
      { kind: 'activated', uid: 'b_2', graph: g },
      { kind: 'activated', uid: 'c_4', graph: g },
      { kind: 'running', uid: 'a_0', graph: g },
      { kind: 'finished', uid: 'a_0', graph: g, durationMs: 1 },
      { kind: 'deactivated', uid: 'a_0', graph: g },
      { kind: 'running', uid: 'b_2', graph: g },
    ]);
    const ended = endedEarly(overlay);
    const byUid = (o: typeof overlay): Record<string, string> => Object.fromEntries([...o.nodes].map(([k, s]) => [k.split('\u0000')[1]!, s.state]));
    assert.deepEqual(byUid(ended), { a_0: 'finished', b_2: 'stopped', c_4: 'notRun' });
    assert.deepEqual(byUid(overlay), { a_0: 'finished', b_2: 'running', c_4: 'activated' }, 'the live overlay is not changed');
    assert.equal(ended.nodes.get(`${g}\u0000a_0`), overlay.nodes.get(`${g}\u0000a_0`), 'unchanged states keep their object (no repaint)');
  });
});

describe('result cache in the overlay and the hover card', () => {
  it('an op read from the cache stays `cached` after it is deactivated; a computed one says why', () => {
    const g = 'graph';
    const overlay = applyEvents(emptyOverlay(), [
      { kind: 'activated', uid: 'load_0', graph: g },
      { kind: 'activated', uid: 'sum_2', graph: g },
      { kind: 'cached', uid: 'load_0', graph: g },
      { kind: 'deactivated', uid: 'load_0', graph: g },
      { kind: 'running', uid: 'sum_2', graph: g },
      { kind: 'finished', uid: 'sum_2', graph: g, durationMs: 2 },
      { kind: 'deactivated', uid: 'sum_2', graph: g },
    ]);
    const node = (uid: string, fn: string) => ({ uid, kind: 'operation' as const, label: fn, fn });
    assert.deepEqual(nodeDetails(node('load_0', 'load'), overlay.nodes.get(`${g}\u0000load_0`), []), ['load_0', 'function load', 'run: read from the cache']);
    assert.deepEqual(nodeDetails(node('sum_2', 'sum'), overlay.nodes.get(`${g}\u0000sum_2`), [], 'function sum changed'), [
      'sum_2',
      'function sum',
      'run: finished, 2.0 ms',
      'computed, not cached: function sum changed',
    ]);
  });
});

describe('viewport fit', () => {
  it('a small graph is zoomed in up to 2x and centred; a large one is shrunk to fit', () => {
    // Three ops (about 150 x 250 units) in a 1000 x 700 view: 2x, centred.
    assert.deepEqual(fitTransform(150, 250, 1000, 700), { k: FIT_MAX, x: 350, y: 100 });
    assert.equal(FIT_MAX, 2);
    // A view just 1.5x the drawing: zoom 1.5 less the margin.
    assert.deepEqual(fitTransform(400, 200, 624, 1000), { k: 1.5, x: 12, y: 350 });
    // 4,000 units wide in 1,000: shrunk to a quarter (less the margin).
    const big = fitTransform(4000, 500, 1000, 700);
    assert.equal(big.k, (1000 - 24) / 4000);
  });

  it('a readable frame is the fit while that keeps labels readable; else READABLE_ZOOM around the focus, no gap beyond an edge', () => {
    assert.deepEqual(readableTransform(400, 200, 624, 1000, { x: 0, y: 0 }), fitTransform(400, 200, 624, 1000));
    assert.equal(READABLE_ZOOM, 0.8);
    // 600 x 3000 units in a 600 x 700 view: 0.8; the width (480) is centred; the focus at the top stays at the top.
    assert.deepEqual(readableTransform(600, 3000, 600, 700, { x: 300, y: 40 }), { k: 0.8, x: 60, y: 12 });
    // A focus in the middle is centred; one at the bottom brings the bottom edge to the margin.
    assert.deepEqual(readableTransform(600, 3000, 600, 700, { x: 300, y: 1500 }), { k: 0.8, x: 60, y: 350 - 1200 });
    assert.deepEqual(readableTransform(600, 3000, 600, 700, { x: 300, y: 2990 }), { k: 0.8, x: 60, y: 700 - 12 - 2400 });
  });
});
