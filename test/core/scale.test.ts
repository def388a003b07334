import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, detachBuffers, type DataNode } from '../../src/core/index.js';

describe('scale and memory', () => {
  it('a 1,000,000-op chain evaluates with default Node settings (no recursion)', () => {
    const G = new GraphBuilder();
    const inc = (x: number) => x + 1;
    let node: DataNode<number> = G.add(inc)(0);
    for (let i = 1; i < 1_000_000; i++) node = G.add(inc)(node);
    assert.equal(node.get(), 1_000_000);
    assert.equal(G.toJSON().nodes.length, 2_000_001);
  });

  it('long evaluations one after another, and one nested in the op of another, each get their own values (the large stacks kept between them)', () => {
    const n = 100_000; // more entries than the evaluator keeps for good
    const inc = (x: number) => x + 1;
    const chain = (G: GraphBuilder, from: DataNode<number> | number, length: number): DataNode<number> => {
      let node = G.add(inc)(from);
      for (let i = 1; i < length; i++) node = G.add(inc)(node);
      return node;
    };
    const G = new GraphBuilder();
    const first = chain(G, 0, n);
    const second = chain(G, 1, n);
    // An op of a third long chain evaluates a fourth (untraced, on the same stacks) from its function.
    const inner = chain(new GraphBuilder(), 10, n);
    const nested = G.add((x: number) => x + (inner.get() as number))(chain(G, 2, n));
    const third = chain(G, nested, 10);
    assert.equal(first.get(), n);
    assert.equal(second.get(), n + 1);
    assert.equal(third.get(), 2 + n + 10 + n + 10);
    assert.equal(first.get(), n, 'kept');
    first.releaseMemory();
    assert.equal(first.get(), n, 'and computed again');
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });

  it('activation walks each shared ancestor once: a 100x100 lattice evaluates in linear events', () => {
    const G = new GraphBuilder();
    let activated = 0;
    G.subscribe((e) => {
      if (e.kind === 'activated') activated++;
    });
    const src = (x: number) => x;
    const join = (a: number, b: number) => (a + b) % 1_000_003;
    let row: DataNode<number>[] = Array.from({ length: 100 }, (_, i) => G.add(src)(i));
    for (let r = 1; r < 100; r++) {
      row = row.map((node, i) => G.add(join)(node, row[Math.min(i + 1, 99)]!));
    }
    const sink = G.add((...xs: number[]) => xs.length)(...row);
    assert.equal(sink.get(), 100);
    assert.equal(activated, 100 * 100 + 1);
  });

  it('a value passed twice to one op is said to be still needed once, and released once', () => {
    const G = new GraphBuilder();
    const lines: string[] = [];
    G.subscribe((e) => {
      if (e.kind === 'stillNeeded' || e.kind === 'released') lines.push(`${e.kind} ${e.uid}`);
    });
    const add = (a: number, b: number) => a + b;
    const a = G.add((x: number) => x + 1, { alias: 'inc' })(1);
    const b = G.add(add)(a, a);
    const c = G.add(add)(b, a);
    assert.equal(c.get(), 6);
    assert.deepEqual(lines, [`stillNeeded ${a.uid}`, `released ${b.uid}`, `released ${a.uid}`]);
    assert.deepEqual(
      [a, b, c].map((d) => d.hasValue()),
      [false, false, true],
    );
  });

  it('released values are disposed (Symbol.dispose, Symbol.asyncDispose) or handed to onRelease', async () => {
    const disposed: string[] = [];
    const released: unknown[] = [];
    class Tensor {
      constructor(readonly name: string) {}
      [Symbol.dispose]() {
        disposed.push(this.name);
      }
    }
    class Handle {
      constructor(readonly name: string) {}
      async [Symbol.asyncDispose]() {
        disposed.push(this.name);
      }
    }
    const G = new GraphBuilder({ onRelease: (v) => released.push(v) });
    const t = G.add(() => new Tensor('t'))();
    const h = G.add(() => new Handle('h'))();
    const plain = G.add(() => ({ plain: true }))();
    const out = G.add((a: Tensor, b: Handle, c: object) => `${a.name}${b.name}${Object.keys(c)}`)(t, h, plain);
    assert.equal(out.get(), 'thplain');
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(disposed.sort(), ['h', 't']);
    assert.equal(released.length, 3, 'onRelease sees every released value');
    assert.equal(out.hasValue(), true, 'the requested result is kept');
  });

  it('values of any type flow through, symbols and undefined included, traced or not', () => {
    for (const verbose of [false, true]) {
      const G = new GraphBuilder({ verbose, log: () => undefined });
      const tag = Symbol('tag');
      const s = G.add((x: number) => (x > 0 ? tag : Symbol('other')))(1);
      const u = G.add((_: symbol) => undefined, { nOut: 1 })(s);
      const both = G.add((a: symbol, b: undefined) => [a, b] as const)(s, u);
      assert.deepEqual(both.get(), [tag, undefined]);
      assert.equal(s.hasValue(), false, 'released once both consumers ran');
      assert.equal(G.add((a: symbol) => a)(tag).get(), tag, 'a raw symbol input');
    }
  });

  it('released values are disposed in a graph without onRelease, and values that are not disposable are just dropped', async () => {
    const disposed: string[] = [];
    class Tensor {
      constructor(readonly name: string) {}
      [Symbol.dispose]() {
        disposed.push(this.name);
      }
    }
    class Handle {
      constructor(readonly name: string) {}
      async [Symbol.asyncDispose]() {
        disposed.push(this.name);
      }
    }
    const G = new GraphBuilder();
    const t = G.add((n: string) => new Tensor(n))('t');
    const h = G.add((n: string) => new Handle(n))('h');
    const plain = G.add((n: number) => ({ n }))(1);
    const sum = G.add((a: Tensor, b: Handle) => a.name + b.name)(t, h);
    const out = G.add((s: string, p: { n: number }) => `${s}${p.n}`)(sum, plain);
    assert.equal(out.get(), 'th1');
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(disposed.sort(), ['h', 't']);
    assert.deepEqual(
      [t, h, plain, sum].map((d) => d.hasValue()),
      [false, false, false, false],
    );
  });

  it('an output-less op keeps its inputs, as pyflow does: they are "still needed at" the op', () => {
    const lines: string[] = [];
    const G = new GraphBuilder({ verbose: true, log: (line) => lines.push(line) });
    const a = G.add((x: number, y: number) => x + y, { alias: 'adding' })(1, 2);
    const b = G.add((x: number) => x * 2, { alias: 'double' })(a);
    const seen: number[] = [];
    const show = G.add(
      (v: number, w: number) => {
        seen.push(v, w);
      },
      { nOut: 0, alias: 'show' },
    )(a, b);
    show.run();
    assert.deepEqual(seen, [3, 6]);
    assert.deepEqual(
      lines.filter((l) => / still needed at | released!/.test(l)),
      [`${a.uid} still needed at ${show.uid}`, `${a.uid} still needed at ${show.uid}`, `${b.uid} still needed at ${show.uid}`],
    );
    assert.deepEqual([a.hasValue(), b.hasValue()], [true, true]);
  });

  it('onRelease: detachBuffers frees each released array at once, and leaves pooled Buffers and kept values alone', () => {
    const G = new GraphBuilder({ onRelease: detachBuffers });
    const made: Float64Array[] = [];
    const step = (x: Float64Array) => {
      const next = new Float64Array(1 << 16).fill(x[0]! + 1);
      made.push(next);
      return next;
    };
    let node = G.add(step)(new Float64Array(1 << 16));
    for (let i = 1; i < 5; i++) node = G.add(step)(node);
    // A small Buffer is a view on part of Node's shared pool; a plain value has no buffer.
    const pooled = G.add(() => Buffer.from('abc'))();
    const joined = G.add((b: Buffer, n: number) => `${b.toString()}${n}`)(pooled, G.add(() => 7)());
    const result = node.get();
    assert.equal(result[0], 5);
    // ArrayBuffer.prototype.transfer came with Node 21; on Node 20 the hook does nothing.
    const freed = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function' ? 0 : 1 << 16;
    assert.deepEqual(
      made.map((a) => a.length),
      [freed, freed, freed, freed, 1 << 16],
      'the four released arrays are emptied, the result is not',
    );
    assert.equal(joined.get(), 'abc7');
    assert.equal(pooled.hasValue(), false);
    assert.equal(Buffer.from('xyz').toString(), 'xyz', 'the pool still works');
  });

  it('a chain of 8 MB arrays holds at most two at a time (the rest is released)', () => {
    const G = new GraphBuilder();
    let alive = 0;
    let peak = 0;
    const registry = new Set<Float64Array>();
    const step = (x: Float64Array) => {
      const next = new Float64Array(x.length).fill(x[0]! + 1);
      registry.add(next);
      peak = Math.max(peak, registry.size);
      return next;
    };
    const G2 = new GraphBuilder({
      onRelease: (v) => {
        registry.delete(v as Float64Array);
      },
    });
    void G;
    let node: DataNode<Float64Array> = G2.add(step)(new Float64Array(1024 * 1024));
    for (let i = 1; i < 50; i++) node = G2.add(step)(node);
    assert.equal(node.get()[0], 50);
    alive = registry.size;
    assert.equal(alive, 1, 'only the result is held');
    assert.ok(peak <= 2, `peak ${peak} arrays alive`);
  });
});

describe('several targets at once', () => {
  it('runOnly of a whole lattice row runs every op once (shared values are not released between targets)', () => {
    const G = new GraphBuilder();
    let runs = 0;
    const inc = (x: number) => {
      runs++;
      return x + 1;
    };
    const add = (a: number, b: number) => {
      runs++;
      return a + b;
    };
    let row: DataNode<number>[] = Array.from({ length: 12 }, (_, j) => G.add(inc)(j));
    for (let r = 1; r < 12; r++) {
      const prev = row;
      row = prev.map((n, j) => G.add(add)(n, prev[(j + 1) % 12]!));
    }
    const values = G.runOnly(...row) as number[];
    assert.equal(values.length, 12);
    assert.equal(runs, 12 * 12);
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });
});
