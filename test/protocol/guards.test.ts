import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GraphBuilder } from '../../src/core/index.js';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import {
  TracePacker,
  isHostToWebview,
  isRunnerToHost,
  isWebviewToHost,
  unpackTrace,
  type HostToWebview,
  type RunnerToHost,
  type TraceEvent,
  type WebviewToHost,
} from '../../src/protocol/index.js';

const graph = {
  alias: 'g',
  nodes: [
    { uid: 'f_0', kind: 'operation', label: 'f' },
    { uid: 'data_1', kind: 'data', label: 'data' },
  ],
  edges: [{ from: 'data_1', to: 'f_0' }],
};

describe('protocol guards', () => {
  it('accept every declared message, also after a JSON round trip', () => {
    const runner: RunnerToHost[] = [
      { type: 'hello', protocol: 1, libraryVersion: '0.1.0' },
      { type: 'graph/snapshot', graph: graph as never },
      { type: 'trace/packed', graphs: ['g'], data: [2, 0, 'f_0'] },
      { type: 'trace/packed', graphs: ['g'], data: [2, 0, 'f_0'], running: { graph: 'g', uid: 'f_0', source: { file: '/a.ts', line: 3, column: 11 } } },
      { type: 'run/done' },
      { type: 'run/done', target: 'data_1', preview: '3', note: 'n' },
      { type: 'run/failed', error: { name: 'Error', message: 'x' } },
      {
        type: 'run/failed',
        error: {
          name: 'PyflowError',
          message: 'x',
          stack: '    at f (/a.ts:2:3)',
          code: 'OP_FAILED',
          uid: 'f_0',
          source: { file: '/a.ts', line: 3, column: 11 },
        },
      },
      { type: 'cache/missed', graph: 'g', uid: 'f_0', reason: 'function f changed' },
      { type: 'data/previews', previews: [{ graph: 'g', uid: 'data_1', preview: { kind: 'text', type: 'string(1)', text: 'x', length: 1 } }] },
    ];
    for (const m of runner) assert.ok(isRunnerToHost(JSON.parse(JSON.stringify(m))), m.type);
    const host: HostToWebview[] = [
      {
        type: 'graph/show',
        result: { file: 'a.ts', graphs: [graph as never], diagnostics: [] },
        revision: 1,
        settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
      },
      {
        type: 'graph/show',
        result: { file: 'a.ts', graphs: [graph as never], diagnostics: [] },
        revision: 2,
        settings: { direction: 'DOWN', full: false, edges: 'orthogonal' },
        scriptView: { graph: 'g', full: true, highlight: ['f_0'] },
      },
      { type: 'trace/reset', title: 't' },
      { type: 'trace/append', events: [] },
      { type: 'selection/set', uids: ['f_0'] },
      { type: 'export/done', path: '/tmp/x.svg' },
      { type: 'cache/missed', graph: 'g', uid: 'f_0', reason: 'first run' },
      { type: 'data/previews', previews: [{ graph: 'g', uid: 'data_1', preview: { kind: 'omitted', type: 'Array(3)', reason: 'budget' } }] },
    ];
    for (const m of host) assert.ok(isHostToWebview(JSON.parse(JSON.stringify(m))), m.type);
    const web: WebviewToHost[] = [
      { type: 'ready' },
      { type: 'node/reveal', uid: 'f_0', graph: 'g' },
      { type: 'webview/error', message: 'm' },
      { type: 'export/save', format: 'svg', data: '<svg/>' },
    ];
    for (const m of web) assert.ok(isWebviewToHost(m), m.type);
  });

  it("check the runner's outcomes and running op deeply", () => {
    for (const bad of [
      { type: 'run/done', preview: { forged: true } },
      { type: 'run/done', target: 5 },
      { type: 'run/done', note: null },
      { type: 'run/failed', error: { message: 'no name' } },
      { type: 'run/failed', error: { name: 'E', message: 'x', stack: 1 } },
      { type: 'run/failed', error: { name: 'E', message: 'x', source: { file: '/etc/passwd', line: -1, column: 1 } } },
      { type: 'run/failed', error: { name: 'E', message: 'x', source: { file: '', line: 1, column: 1 } } },
      { type: 'run/failed', error: { name: 'E', message: 'x', uid: 7 } },
      { type: 'trace/packed', graphs: ['g'], data: [], running: { graph: 'g' } },
      { type: 'trace/packed', graphs: ['g'], data: [], running: { graph: 'g', uid: 'f_0', source: { file: '/a.ts', line: 1.5, column: 1 } } },
      { type: 'graph/view', graph, full: 'yes' },
      { type: 'cache/missed', graph: 'g', uid: 'f_0' },
      { type: 'cache/missed', graph: 'g', uid: 3, reason: 'r' },
      { type: 'data/previews', previews: [{ graph: 'g', uid: 'data_1', preview: { kind: 'text', type: 't', text: 'x' } }] },
      { type: 'data/previews', previews: {} },
    ]) {
      assert.equal(isRunnerToHost(bad), false, JSON.stringify(bad));
    }
  });

  it('reject malformed messages', () => {
    for (const bad of [
      null,
      1,
      'ready',
      [],
      {},
      { type: 'nope' },
      { type: 'hello', protocol: '1' },
      { type: 'trace/packed', graphs: [1], data: [] },
      { type: 'trace/append', events: [] },
      { type: 'graph/snapshot', graph: { alias: 'g', nodes: [{ uid: 1 }], edges: [] } },
      { type: 'run/failed', error: 'x' },
    ]) {
      assert.equal(isRunnerToHost(bad), false, JSON.stringify(bad));
    }
    assert.equal(isWebviewToHost({ type: 'node/reveal' }), false);
    assert.equal(isHostToWebview({ type: 'selection/set', uids: [1] }), false);
    assert.equal(
      isHostToWebview({
        type: 'graph/show',
        result: { file: 'a.ts', graphs: [], diagnostics: [] },
        revision: 1,
        settings: {},
        scriptView: { graph: 'g', highlight: [1] },
      }),
      false,
    );
  });

  it('graphs the renderer cannot draw are rejected: dangling edges, duplicate uids, wrong kinds or field types', () => {
    const node = { uid: 'f_0', kind: 'operation', label: 'f' };
    const good = { alias: 'g', nodes: [node, { uid: 'data_1', kind: 'data', label: 'data' }], edges: [{ from: 'data_1', to: 'f_0' }] };
    const bad: [string, unknown][] = [
      ['an edge from a node that is not there', { ...good, edges: [{ from: 'data_9', to: 'f_0' }] }],
      ['an edge to a node that is not there', { ...good, edges: [{ from: 'data_1', to: 'g_2' }] }],
      ['two nodes with one uid', { ...good, nodes: [node, { ...node, label: 'other' }] }],
      ['an empty uid', { ...good, nodes: [{ ...node, uid: '' }], edges: [] }],
      ['an unknown kind', { ...good, nodes: [{ ...node, kind: 'op' }], edges: [] }],
      ['a rank that is not a number', { ...good, nodes: [{ ...node, rank: 'top' }], edges: [] }],
      ['a colour that is not a string', { ...good, nodes: [{ ...node, color: 123 }], edges: [] }],
      ['a font size that is not positive', { ...good, nodes: [{ ...node, fontsize: -1 }], edges: [] }],
      ['a persist flag that is not a boolean', { ...good, nodes: [{ ...node, persist: 'yes' }], edges: [] }],
      ['a source without a line', { ...good, nodes: [{ ...node, source: { file: 'a.ts', column: 1 } }], edges: [] }],
      ['a verbose flag that is not a boolean', { ...good, verbose: 1 }],
      ['an alias that is not a string', { ...good, alias: 5 }],
      ['a group path with an empty part', { ...good, nodes: [{ ...node, group: 'cleaning//x' }], edges: [] }],
      ['a group that is not a string', { ...good, nodes: [{ ...node, group: 3 }], edges: [] }],
    ];
    const settings = { direction: 'DOWN', full: false, edges: 'orthogonal' };
    const show = (g: unknown) => ({ type: 'graph/show', result: { file: 'a.ts', graphs: [g], diagnostics: [] }, revision: 1, settings });
    assert.ok(isRunnerToHost({ type: 'graph/snapshot', graph: good }) && isRunnerToHost({ type: 'graph/view', graph: good }) && isHostToWebview(show(good)));
    const grouped = { ...good, nodes: [{ ...node, group: 'cleaning/outliers' }, good.nodes[1]] };
    assert.ok(isRunnerToHost({ type: 'graph/snapshot', graph: grouped }) && isHostToWebview({ ...show(grouped), collapsed: { g: ['cleaning'] } }));
    assert.equal(isHostToWebview({ ...show(good), collapsed: { g: [1] } }), false);
    assert.ok(isWebviewToHost({ type: 'groups/collapsed', file: '/ws/a.ts', graph: 'g', paths: ['cleaning', 'model/fit'] }));
    assert.equal(isWebviewToHost({ type: 'groups/collapsed', file: '/ws/a.ts', graph: 'g', paths: 'cleaning' }), false);
    for (const [what, graph] of bad) {
      assert.equal(isRunnerToHost({ type: 'graph/snapshot', graph }), false, `graph/snapshot: ${what}`);
      assert.equal(isRunnerToHost({ type: 'graph/view', graph }), false, `graph/view: ${what}`);
      assert.equal(isHostToWebview(show(graph)), false, `graph/show: ${what}`);
    }
  });

  it('graphs the library and the extractor make are accepted', () => {
    const add = (a: number, b: number) => a + b;
    const upstream = new GraphBuilder({ alias: 'upstream' });
    const u = upstream.add(add, { persist: true })(1, 2);
    const G = new GraphBuilder({ alias: 'graph', verbose: true, log: () => undefined, callSites: true });
    const [l, r] = G.add((x: number) => [x, x], {
      nOut: 2,
      alias: 'split',
      outputAlias: ['l', 'r'],
      rank: 0,
      shape: 'cylinder',
      color: 'lightblue',
      fontsize: 9,
    })(u);
    G.add(add, { persist: true })(l!, { x: r } as never);
    const last = G.add((x: unknown) => {
      void x;
    })([u, 3]);
    // A raw input passed on to another op is one node.
    G.add((x: unknown) => x)(last.inputs[1]!);
    u.get();
    assert.ok(isRunnerToHost(JSON.parse(JSON.stringify({ type: 'graph/snapshot', graph: G.toJSON() }))));
    for (const file of ['examples/quickstart.ts', 'examples/pipeline.mts', 'examples/seedVerbose.ts']) {
      const result = extractGraph(readFileSync(file, 'utf8'), file);
      const message = { type: 'graph/show', result, revision: 1, settings: { direction: 'DOWN', full: false, edges: 'orthogonal' } };
      assert.ok(isHostToWebview(JSON.parse(JSON.stringify(message))), file);
    }
  });

  it('packed trace batches carry every kind of event and its fields through JSON, graph by graph', () => {
    const events: TraceEvent[] = [
      { kind: 'computing', uid: 'data_3', graph: 'g' },
      { kind: 'activated', uid: 'f_2', graph: 'g' },
      { kind: 'running', uid: 'h_0', graph: 'other' },
      { kind: 'finished', uid: 'f_2', graph: 'g', durationMs: 1.25 },
      { kind: 'value', uid: 'data_3', graph: 'g', preview: '[1, 2]', dim: '(2, )' },
      { kind: 'stillNeeded', uid: 'data_1', graph: 'g', neededBy: 'f_4' },
      { kind: 'released', uid: 'data_1', graph: 'g' },
      { kind: 'deactivated', uid: 'f_2', graph: 'g' },
      { kind: 'error', uid: 'f_4', graph: 'g', message: 'boom <b>' },
    ];
    const packer = new TracePacker();
    for (const e of events) packer.add(e);
    assert.equal(packer.count, events.length);
    const message: unknown = JSON.parse(JSON.stringify({ type: 'trace/packed', ...packer.take() }));
    assert.ok(isRunnerToHost(message) && message.type === 'trace/packed');
    assert.deepEqual(unpackTrace(message), events);
    assert.equal(packer.count, 0);
    assert.deepEqual(packer.take(), { graphs: [], data: [] });
  });

  it('packed trace batches carry `cached` events and the worker of a finished op (absent for inline ops)', () => {
    const events: TraceEvent[] = [
      { kind: 'finished', uid: 'heavy_0', graph: 'g', durationMs: 2.5, worker: 'thread 2' },
      { kind: 'cached', uid: 'f_2', graph: 'g' },
      { kind: 'finished', uid: 'f_4', graph: 'g', durationMs: 0.5 },
      { kind: 'finished', uid: 'heavy_6', graph: 'g', durationMs: 1, worker: 'thread 1' },
    ];
    const packer = new TracePacker();
    for (const e of events) packer.add(e);
    const message: unknown = JSON.parse(JSON.stringify({ type: 'trace/packed', ...packer.take() }));
    assert.ok(isRunnerToHost(message) && message.type === 'trace/packed');
    assert.deepEqual(unpackTrace(message), events);
  });

  it('a packer with a clock stamps each event with its time, which unpacking puts on the event', () => {
    let now = 0;
    const packer = new TracePacker(() => (now += 1.2345));
    const events: TraceEvent[] = [
      { kind: 'running', uid: 'f_0', graph: 'g' },
      { kind: 'finished', uid: 'f_0', graph: 'g', durationMs: 1 },
    ];
    for (const e of events) packer.add(e);
    const message: unknown = JSON.parse(JSON.stringify({ type: 'trace/packed', ...packer.take() }));
    assert.ok(isRunnerToHost(message) && message.type === 'trace/packed');
    assert.deepEqual(unpackTrace(message), [
      { ...events[0], at: 1.23 },
      { ...events[1], at: 2.47 },
    ]);
    assert.deepEqual(packer.take(), { graphs: [], data: [], at: [] });
    assert.equal(isRunnerToHost({ type: 'trace/packed', graphs: [], data: [], at: ['1'] }), false);
    assert.equal(unpackTrace({ graphs: ['g'], data: [2, 0, 'f_0'], at: [1, 2] }), 'malformed trace batch: 2 times for 1 events');
  });

  it('a malformed packed batch is reported, not turned into events', () => {
    assert.match(unpackTrace({ graphs: ['g'], data: [99, 0, 'x'] }) as string, /not an event kind/);
    assert.match(unpackTrace({ graphs: ['g'], data: [1, 5, 'x'] }) as string, /not a graph index/);
    assert.match(unpackTrace({ graphs: ['g'], data: [3, 0, 'f_1', 'slow'] }) as string, /duration/);
    assert.match(unpackTrace({ graphs: ['g'], data: [4, 0, 'd_1', 'p'] }) as string, /item 4 should be a string/);
  });
});
