import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RUN_PREVIEW_BYTES, buildPreview, isDataPreview, type NodePreview, type RunMessage } from '../../src/protocol/index.js';
import { run, script } from './helpers.js';

/** The previews a run sent, in order, and the output uid of each op (from its last graph snapshot). */
function previewsOf(messages: RunMessage[]): NodePreview[] {
  return messages.flatMap((m) => (m.type === 'data/previews' ? m.previews : []));
}

function outputsOf(messages: RunMessage[]): Map<string, string> {
  const snapshot = messages.filter((m) => m.type === 'graph/snapshot').at(-1);
  assert.ok(snapshot?.type === 'graph/snapshot');
  const ops = new Map(snapshot.graph.nodes.filter((n) => n.kind === 'operation').map((n) => [n.uid, n.label]));
  return new Map(snapshot.graph.edges.filter((e) => ops.has(e.from)).map((e) => [ops.get(e.from)!, e.to]));
}

const wave = (): number[] => Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 100) * 10);
const rows = (n: number[]): { id: number; name: string; score: number; first: number }[] =>
  Array.from({ length: 300 }, (_, i) => ({ id: i, name: `row ${i}`, score: (i * 37) % 101, first: n[i]! }));

const PIPELINE = `import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder({ alias: 'p' });
const w = G.add(function wave() { return Array.from({ length: 100_000 }, (_, i) => Math.sin(i / 100) * 10); })();
const r = G.add(function rows(n: number[]) { return Array.from({ length: 300 }, (_, i) => ({ id: i, name: \`row \${i}\`, score: (i * 37) % 101, first: n[i]! })); })(w);
G.add(function label(x: unknown[]) { return 'rows: ' + x.length; })(r);
`;

describe('runner: data previews', () => {
  it("each op output's preview is sent, built from its value before the value is released", async () => {
    const file = script(PIPELINE);
    const { outcome, messages, events } = await run(file, { kind: 'graph' }, { dataPreviews: true });
    assert.equal(outcome.status, 'done');
    const outputs = outputsOf(messages);
    const expected = wave();
    assert.deepEqual(previewsOf(messages), [
      { graph: 'p', uid: outputs.get('wave')!, preview: buildPreview(expected) },
      { graph: 'p', uid: outputs.get('rows')!, preview: buildPreview(rows(expected)) },
      { graph: 'p', uid: outputs.get('label')!, preview: buildPreview('rows: 300') },
    ]);
    // The intermediate values were released by the run: their previews outlive them.
    const released = events.filter((e) => e.kind === 'released').map((e) => e.uid);
    assert.ok(released.includes(outputs.get('wave')!) && released.includes(outputs.get('rows')!), released.join(', '));
  });

  it('a run without dataPreviews (pyflow run) sends none', async () => {
    const { outcome, messages } = await run(script(PIPELINE), { kind: 'graph' });
    assert.equal(outcome.status, 'done');
    assert.deepEqual(
      messages.filter((m) => m.type === 'data/previews'),
      [],
    );
  });

  it("values read past the run's budget get an omitted preview that says so; the budget holds", async () => {
    const file = script(`import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder({ alias: 'big' });
let prev = G.add(function start() { return 'x'.repeat(60_000); })();
for (let i = 0; i < 150; i++) prev = G.add(function grow(s: string) { return s.slice(1) + String(i % 10); })(prev);
`);
    const { outcome, messages } = await run(file, { kind: 'graph' }, { dataPreviews: true });
    assert.equal(outcome.status, 'done');
    const previews = previewsOf(messages);
    assert.equal(previews.length, 151);
    const built = previews.filter((p) => p.preview.kind === 'text');
    const omitted = previews.filter((p) => p.preview.kind === 'omitted');
    assert.equal(built.length + omitted.length, 151);
    assert.ok(omitted.length > 0 && built.length > 100, `${built.length} built, ${omitted.length} omitted`);
    assert.deepEqual(previews.slice(built.length), omitted, 'every value after the budget is omitted');
    assert.deepEqual(omitted[0]!.preview, {
      kind: 'omitted',
      type: 'string(60000)',
      reason: `the run's previews reached their budget (${RUN_PREVIEW_BYTES / 2 ** 20} MB) before this value`,
    });
    const bytes = built.reduce((n, p) => n + JSON.stringify(p.preview).length, 0);
    assert.ok(bytes <= RUN_PREVIEW_BYTES + 64 * 1024, `${bytes} bytes`);
  });

  it('a value that throws when read gets an omitted preview naming the error; the run goes on', async () => {
    const file = script(`import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder({ alias: 'h' });
const bad = G.add(function hostile() { return [{ get boom(): number { throw new Error('getter says no'); } }]; })();
const trap = G.add(function trapped() { return new Proxy({}, { ownKeys() { throw new Error('trap says no'); } }); })();
G.add(function count(a: unknown[], b: object) { return a.length + (typeof b === 'object' ? 1 : 0); })(bad, trap);
`);
    const { outcome, messages } = await run(file, { kind: 'graph' }, { dataPreviews: true });
    assert.equal(outcome.status, 'done');
    const outputs = outputsOf(messages);
    assert.deepEqual(previewsOf(messages), [
      { graph: 'h', uid: outputs.get('hostile')!, preview: { kind: 'omitted', type: 'Array(1)', reason: 'reading the value threw: getter says no' } },
      { graph: 'h', uid: outputs.get('trapped')!, preview: { kind: 'omitted', type: 'Object', reason: 'reading the value threw: trap says no' } },
      { graph: 'h', uid: outputs.get('count')!, preview: buildPreview(2) },
    ]);
  });

  it('an op that fails or exits the process: the previews of the values made before it still arrive', async () => {
    for (const [ending, status] of [
      ["throw new Error('late failure')", 'failed'],
      ['process.exit(4)', 'failed'],
    ] as const) {
      const file = script(`import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder({ alias: 'f' });
const a = G.add(function made() { return new Float64Array([1, 2, 3]); })();
G.add(function ends(x: Float64Array) { ${ending}; return x; })(a);
`);
      const { outcome, messages } = await run(file, { kind: 'graph' }, { dataPreviews: true });
      assert.equal(outcome.status, status, ending);
      const previews = previewsOf(messages);
      assert.deepEqual(previews, [{ graph: 'f', uid: previews[0]?.uid ?? '?', preview: buildPreview(new Float64Array([1, 2, 3])) }], ending);
      assert.ok(isDataPreview(previews[0]!.preview));
    }
  });
});
