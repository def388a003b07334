import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GraphBuilder } from '../../src/core/index.js';
import { SEED_A5_TRACE } from './seedTraces.js';

function adding(a: number, b: number): number {
  return a + b;
}
function return2(a: number, b: number): [number, number] {
  return [a + 1, b + 1];
}

/** The seed's verbose graph; `lines` collects what it prints. */
function seedGraph() {
  const lines: string[] = [];
  const G = new GraphBuilder({ verbose: true, log: (line) => lines.push(line) });
  const a1 = G.add(adding)(1, 2);
  const [a2, a3] = G.add(return2, { nOut: 2 })(a1, 3);
  const a4 = G.add(adding)(a1, 5);
  const a5 = G.add(adding)(a4, a3!);
  return { G, lines, a1, a2: a2!, a3: a3!, a4, a5 };
}

/** The trace that follows `heading` in docs/guide.md (the first fenced block after it). */
function guideTrace(heading: string): string {
  const guide = readFileSync('docs/guide.md', 'utf8');
  const after = guide.slice(guide.indexOf(heading));
  return /```\n([\s\S]*?)\n```/.exec(after)![1]!;
}

describe('get, runOnly and run, as docs/guide.md shows them', () => {
  it("get() prints the seed's trace, as the guide says", () => {
    const { lines, a5 } = seedGraph();
    assert.equal(a5.get(), 12);
    assert.equal(lines.join('\n'), SEED_A5_TRACE);
    assert.equal(guideTrace('### `node.get()`'), SEED_A5_TRACE);
  });

  it("runOnly(a4, a5): the guide's trace, both values returned and kept", () => {
    const { G, lines, a4, a5 } = seedGraph();
    assert.deepEqual(G.runOnly(a4, a5), [8, 12]);
    assert.equal(lines.join('\n'), guideTrace('### `G.runOnly(...targets)`'));
    assert.deepEqual([a4.hasValue(), a5.hasValue()], [true, true]);
  });

  it("runOnly keeps only the data targets it had to compute (pyflow 0.43's shallow persist)", () => {
    const { G, a1, a4 } = seedGraph();
    const after = G.add(adding)(a4, 1);
    assert.equal(a4.get(), 8);
    // a4 had its value: runOnly returns it and does not keep it, so the next consumer releases it.
    assert.deepEqual(G.runOnly(a4, 'return2_4'), [8, undefined]);
    assert.equal(after.get(), 9);
    assert.equal(a4.hasValue(), false, 'a4 was not kept');
    // computed by runOnly: kept after its consumer ran.
    assert.equal(G.runOnly(a4), 8);
    assert.equal(G.add(adding)(a4, 2).get(), 10);
    assert.equal(a4.hasValue(), true, 'a4 was kept');
    void a1;
  });

  it("run(): the guide's trace; what run and runOnly return, as the guide's table says", () => {
    const { G, lines, a2, a5 } = seedGraph();
    assert.equal(G.run(), undefined);
    assert.equal(lines.join('\n'), guideTrace('### `G.run(...targets)`'));
    assert.equal(G.runOnly(), undefined);
    assert.equal(G.run(a5), 12);
    assert.equal(G.runOnly('adding_0'), undefined);
    assert.deepEqual(G.runOnly(a5, 'adding_0', a2), [12, undefined, 4]);
  });
});
