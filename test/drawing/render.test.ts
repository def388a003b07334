import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutGraph } from '../../src/drawing/layout.js';
import { viewGraph } from '../../src/drawing/viewGraph.js';
import { renderSvg } from '../../src/drawing/render.js';
import { toMarkup } from '../../src/drawing/vnode.js';
import { GraphBuilder } from '../../src/core/index.js';

const elk = new ELK();

function quickstart() {
  const G = new GraphBuilder({ alias: 'quickstart' });
  const adding = (a: number, b: number) => a + b;
  Object.defineProperty(adding, 'name', { value: 'adding' });
  const a1 = G.add(adding)(2, 2);
  const a2 = G.add(adding)(3, a1);
  G.add(adding)(a1, a2);
  return G.toJSON();
}

describe('webview layout and SVG (plain Node, real ELK)', () => {
  it('summary view: ops only, edges from op to consuming op, top to bottom', async () => {
    const placed = await layoutGraph(elk, viewGraph(quickstart(), false), { direction: 'DOWN' });
    assert.deepEqual(
      placed.nodes.map((n) => n.node.uid),
      ['adding_0', 'adding_4', 'adding_7'],
    );
    assert.deepEqual(
      placed.edges.map((e) => `${e.from}>${e.to}`),
      ['adding_0>adding_4', 'adding_0>adding_7', 'adding_4>adding_7'],
    );
    const y = Object.fromEntries(placed.nodes.map((n) => [n.node.uid, n.y]));
    assert.ok(y.adding_0! < y.adding_4! && y.adding_4! < y.adding_7!);
    for (const e of placed.edges) assert.ok(e.points.length >= 2);
  });

  it('full view: data nodes too, raw inputs labelled by their value', async () => {
    const placed = await layoutGraph(elk, viewGraph(quickstart(), true), { direction: 'DOWN' });
    assert.equal(placed.nodes.length, 9);
    const svg = toMarkup(renderSvg(placed));
    assert.match(svg, /<text class="label"[^>]*>3<\/text>/);
    assert.equal((svg.match(/class="node kind-operation/g) ?? []).length, 3);
  });

  it('labels and values are text, never markup', async () => {
    const G = new GraphBuilder({ alias: '<script>alert(1)</script>' });
    const evil = (x: string) => x;
    Object.defineProperty(evil, 'name', { value: '<img src=x onerror=alert(1)>' });
    G.add(evil)('<b>bold</b>');
    const placed = await layoutGraph(elk, viewGraph(G.toJSON(), true), { direction: 'DOWN' });
    const svg = toMarkup(renderSvg(placed));
    assert.ok(!svg.includes('<img'), svg);
    assert.ok(!svg.includes('<b>'));
    assert.ok(!svg.includes('<script'));
    assert.match(svg, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });
});
