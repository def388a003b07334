import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type TraceEvent } from '../../src/core/index.js';
import { applyEvents, emptyOverlay } from '../../webview/overlay.js';
import { graftedKeys, withGraftedStates } from '../../webview/graftedStates.js';

const adding = (a: number, b: number) => a + b;

describe('grafted nodes in the overlay', () => {
  it("a grafted op shows the state its own graph's trace gives it, in every graph that draws it", () => {
    const G = new GraphBuilder({ alias: 'prep' });
    const g = G.add(adding)(1, 2);
    const H = new GraphBuilder({ alias: 'model' });
    H.add(adding)(g, 3);
    const keys = graftedKeys([G.toJSON(), H.toJSON()]);
    assert.deepEqual(
      keys.map(([view, traced]) => [view.replace('\u0000', ' | '), traced.replace('\u0000', ' | ')]),
      [
        ['model | prep/adding_0', 'prep | adding_0'],
        ['model | prep/data_1', 'prep | data_1'],
        ['model | prep/data_2', 'prep | data_2'],
        ['model | prep/data_3', 'prep | data_3'],
      ],
    );
    const events: TraceEvent[] = [
      { kind: 'activated', uid: 'adding_0', graph: 'prep' },
      { kind: 'running', uid: 'adding_0', graph: 'prep' },
      { kind: 'finished', uid: 'adding_0', graph: 'prep', durationMs: 4 },
      { kind: 'activated', uid: 'adding_0', graph: 'model' },
    ];
    const shown = withGraftedStates(applyEvents(emptyOverlay(), events), keys);
    const states = Object.fromEntries(
      [...shown.nodes].map(([k, s]) => [k.replace('\u0000', ' | '), `${s.state}${s.durationMs === undefined ? '' : ` ${s.durationMs}`}`]),
    );
    assert.deepEqual(states, { 'prep | adding_0': 'finished 4', 'model | adding_0': 'activated', 'model | prep/adding_0': 'finished 4' });
    const none = applyEvents(emptyOverlay(), []);
    assert.equal(withGraftedStates(none, []), none);
  });
});
