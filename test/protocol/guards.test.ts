import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isHostToWebview, isRunnerToHost, isWebviewToHost, type HostToWebview, type RunnerToHost, type WebviewToHost } from '../../src/protocol/index.js';

const graph = { alias: 'g', nodes: [{ uid: 'f_0', kind: 'operation', label: 'f' }], edges: [{ from: 'data_1', to: 'f_0' }] };

describe('protocol guards', () => {
  it('accept every declared message, also after a JSON round trip', () => {
    const runner: RunnerToHost[] = [
      { type: 'hello', protocol: 1, libraryVersion: '0.1.0' },
      { type: 'graph/snapshot', graph: graph as never },
      { type: 'trace/append', events: [{ kind: 'running', uid: 'f_0', graph: 'g' }] },
      { type: 'run/done', target: 'data_1', preview: '3' },
      { type: 'run/failed', error: { name: 'Error', message: 'x' } },
    ];
    for (const m of runner) assert.ok(isRunnerToHost(JSON.parse(JSON.stringify(m))), m.type);
    const host: HostToWebview[] = [
      { type: 'graph/show', result: { file: 'a.ts', graphs: [graph as never], diagnostics: [] }, revision: 1, settings: { direction: 'DOWN', full: false, edges: 'orthogonal' } },
      { type: 'trace/reset', title: 't' },
      { type: 'trace/append', events: [] },
      { type: 'selection/set', uids: ['f_0'] },
      { type: 'export/done', path: '/tmp/x.svg' },
    ];
    for (const m of host) assert.ok(isHostToWebview(JSON.parse(JSON.stringify(m))), m.type);
    const web: WebviewToHost[] = [{ type: 'ready' }, { type: 'node/reveal', uid: 'f_0', graph: 'g' }, { type: 'webview/error', message: 'm' }, { type: 'export/save', format: 'svg', data: '<svg/>' }];
    for (const m of web) assert.ok(isWebviewToHost(m), m.type);
  });

  it('reject malformed messages', () => {
    for (const bad of [null, 1, 'ready', [], {}, { type: 'nope' }, { type: 'hello', protocol: '1' }, { type: 'trace/append', events: [{ kind: 1 }] },
      { type: 'graph/snapshot', graph: { alias: 'g', nodes: [{ uid: 1 }], edges: [] } }, { type: 'run/failed', error: 'x' }]) {
      assert.equal(isRunnerToHost(bad), false, JSON.stringify(bad));
    }
    assert.equal(isWebviewToHost({ type: 'node/reveal' }), false);
    assert.equal(isHostToWebview({ type: 'selection/set', uids: [1] }), false);
  });
});
