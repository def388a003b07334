import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/core/index.js';
import { RunProgress } from '../../src/extension/runProgress.js';
import { isHostToWebview, isWebviewToHost, type HostToWebview, type WebviewToHost } from '../../src/protocol/index.js';

describe('what a live run is doing (RunProgress)', () => {
  it('a run stopped during a hung op names that op and where it was added; a finished op is no longer running', () => {
    const G = new GraphBuilder({ alias: 'g' });
    const a = G.add(function load() {
      return 1;
    })();
    G.add(function spin(x: number) {
      return x;
    })(a);
    const graph = G.toJSON();
    graph.nodes.find((n) => n.uid === 'spin_2')!.source = { file: '/ws/hang.ts', line: 7, column: 1 };
    const progress = new RunProgress((f) => f.replace('/ws/', ''));
    progress.onGraph(graph);
    progress.onEvents([
      { kind: 'activated', uid: 'spin_2', graph: 'g' },
      { kind: 'activated', uid: 'load_0', graph: 'g' },
      { kind: 'running', uid: 'load_0', graph: 'g' },
      { kind: 'finished', uid: 'load_0', graph: 'g', durationMs: 1 },
      { kind: 'running', uid: 'spin_2', graph: 'g' },
    ]);
    assert.deepEqual(progress.runningOps(), ['spin_2 (hang.ts:7)']);
    assert.equal(progress.current(), 'spin_2 (hang.ts:7)');
    assert.deepEqual(progress.describe({ status: 'cancelled' }), { outcome: 'stopped', summary: 'Stopped while spin_2 (hang.ts:7) was running' });
    assert.deepEqual(progress.describe({ status: 'timeout', afterMs: 2000 }), {
      outcome: 'timeout',
      summary: 'Stopped after 2 s (pyflow.run.timeoutSeconds) while spin_2 (hang.ts:7) was running',
    });
  });

  it('a stop with nothing running says so; done and failed runs say their result', () => {
    const progress = new RunProgress();
    assert.deepEqual(progress.describe({ status: 'cancelled' }), { outcome: 'stopped', summary: 'Stopped (no op was running)' });
    assert.deepEqual(progress.describe({ status: 'done', message: { type: 'run/done', target: 'data_8', preview: '11' } }), {
      outcome: 'done',
      summary: 'Done: data_8 = 11',
    });
    assert.deepEqual(progress.describe({ status: 'failed', error: { name: 'PyflowError', message: 'bad_3 threw: no 2\nmore' } }), {
      outcome: 'failed',
      summary: 'Failed: bad_3 threw: no 2',
    });
  });
});

describe('graph view messages of runs, find and go to source', () => {
  it('the guards accept the new messages and reject malformed ones', () => {
    const host: HostToWebview[] = [{ type: 'run/end', outcome: 'stopped', summary: 'Stopped while spin_2 was running' }, { type: 'find/focus' }];
    for (const m of host) assert.ok(isHostToWebview(JSON.parse(JSON.stringify(m))), m.type);
    const web: WebviewToHost[] = [{ type: 'node/open', uid: 'f_0', graph: 'g' }, { type: 'run/stop' }];
    for (const m of web) assert.ok(isWebviewToHost(JSON.parse(JSON.stringify(m))), m.type);
    assert.equal(isHostToWebview({ type: 'run/end', outcome: 'exploded', summary: 'x' }), false);
    assert.equal(isHostToWebview({ type: 'run/end', outcome: 'done' }), false);
    assert.equal(isWebviewToHost({ type: 'node/open' }), false);
  });
});
