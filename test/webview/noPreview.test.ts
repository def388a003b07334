import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { noPreviewNote } from '../../webview/preview/noPreview.js';
import { NODE_STATE_KINDS } from '../../webview/overlay.js';

describe('why the details panel has no value for a node', () => {
  it('says it for every state of the op that makes the node, and when the op was not asked for', () => {
    const producer = { uid: 'fit_8' };
    assert.deepEqual(
      [
        noPreviewNote({ ran: false, ended: false, producer }),
        noPreviewNote({ ran: true, ended: false }),
        noPreviewNote({ ran: true, ended: false, producer }),
        noPreviewNote({ ran: true, ended: true, producer }),
        noPreviewNote({ ran: true, ended: false, producer, cachedBelow: 'score_10' }),
        ...NODE_STATE_KINDS.map((state) => noPreviewNote({ ran: true, ended: true, producer: { uid: 'fit_8', state } })),
      ],
      [
        'No value yet: run the graph (Run Graph, or Evaluate here on a line) to see it.',
        'A raw input: the runner makes previews of computed values only; its hover card shows it.',
        'Not computed yet in this run (fit_8 has not been asked for).',
        'Not computed in this run: the node evaluated does not need it (fit_8 is not upstream of it).',
        'Not computed in this run: score_10, downstream, was read from the result cache, so nothing upstream of it ran. Pyflow: Clear Cache (or a change to fit_8) computes it again.',
        // activated, running, finished, cached, stillNeeded, released, error, notRun, stopped
        'Not computed yet: fit_8 waits for its inputs.',
        'Not computed yet: fit_8 is running.',
        'Computed in this run by fit_8, but no preview of it came.',
        'Read from the result cache in this run (fit_8), and no preview of it came.',
        'Computed in this run by fit_8, but no preview of it came.',
        'Computed in this run by fit_8, but no preview of it came.',
        'Not computed: fit_8 failed in this run.',
        'Not computed in this run: it ended before fit_8 ran (a failure or a stop came first).',
        'Not computed: fit_8 was stopped while running.',
      ],
    );
  });
});
