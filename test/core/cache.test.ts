import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, HOST_SYMBOL, type PyflowError, formatTraceEvent, type CacheOp, type DataNode, type ResultCache } from '../../src/core/index.js';

/** A real result cache for the tests, in memory: keys from content and code, entries cloned as a store would. */
class MemoryCache implements ResultCache {
  readonly entries = new Map<string, unknown>();
  readonly log: string[] = [];

  keyOfValue(value: unknown): string | undefined {
    this.log.push(`key ${JSON.stringify(value) ?? typeof value}`);
    // Plain data only: a class instance cannot be keyed.
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) !== Object.prototype && !Array.isArray(value)) return undefined;
    return JSON.stringify(value);
  }

  keyOfOp(op: CacheOp, inputKeys: readonly string[]): string | undefined {
    return `${op.fn.toString()}|${op.executorCode}|${JSON.stringify(op.options)}|${inputKeys.join(',')}`;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  read(key: string, op: CacheOp): { readonly value: unknown } | undefined {
    this.log.push(`read ${op.uid}`);
    return this.entries.has(key) ? { value: structuredClone(this.entries.get(key)) } : undefined;
  }

  write(key: string, op: CacheOp, value: unknown): void {
    this.log.push(`write ${op.uid}`);
    this.entries.set(key, structuredClone(value));
  }
}

const adding = (a: number, b: number) => a + b;
const return2 = (a: number, b: number) => [a + 1, b + 1];

/** The seed's graph (a5 = 12), verbose into `lines`; `calls` counts the functions' calls. */
function seedGraph(cache: ResultCache | undefined, lines: string[], calls: { n: number }) {
  const G = new GraphBuilder({ cache, verbose: true, log: (l) => lines.push(l) });
  const add = (a: number, b: number) => {
    calls.n++;
    return adding(a, b);
  };
  const two = (a: number, b: number) => {
    calls.n++;
    return return2(a, b);
  };
  const a1 = G.add(add, { alias: 'adding' })(1, 2);
  const [, a3] = G.add(two, { nOut: 2, alias: 'return2' })(a1, 3);
  const a4 = G.add(add, { alias: 'adding' })(a1, 5);
  return G.add(add, { alias: 'adding' })(a4, a3!);
}

describe('result cache', () => {
  it('misses change nothing in the trace; a second graph of the same ops reads the target alone (`cached`, no call)', () => {
    const plain: string[] = [];
    seedGraph(undefined, plain, { n: 0 }).get();
    const cache = new MemoryCache();
    const first: string[] = [];
    const firstCalls = { n: 0 };
    assert.equal(seedGraph(cache, first, firstCalls).get(), 12);
    assert.deepEqual(first, plain);
    assert.equal(firstCalls.n, 4);
    assert.equal(cache.entries.size, 4);
    cache.log.length = 0;
    const second: string[] = [];
    const secondCalls = { n: 0 };
    assert.equal(seedGraph(cache, second, secondCalls).get(), 12);
    assert.equal(secondCalls.n, 0);
    // The target's key is made from its inputs' keys, without their values: its result is read, its inputs are not
    // activated, computed or read.
    assert.deepEqual(second, ['computing for data_12', 'adding_11 activated!', 'adding_11 cached', 'adding_11 deactivated!']);
    assert.deepEqual(cache.log, ['key 1', 'key 2', 'key 3', 'key 5', 'read adding_11']);
  });

  it('getAsync reads and writes too (the value a promise resolved to); a raw input is keyed once', async () => {
    const cache = new MemoryCache();
    const build = () => {
      const G = new GraphBuilder({ cache });
      const rows = G.add(async function fetchRows(n: number) {
        await new Promise((r) => setTimeout(r, 1));
        return Array.from({ length: n }, (_, i) => i);
      })(4);
      return {
        G,
        total: G.add(function sum(r: number[]) {
          return r.reduce((a, b) => a + b, 0);
        })(rows),
      };
    };
    const { total } = build();
    assert.equal(await total.getAsync(), 6);
    total.releaseMemory();
    assert.equal(await total.getAsync(), 6);
    // Evaluated again, the target's result is read alone (fetchRows_0 is neither called nor read).
    assert.deepEqual(cache.log, ['key 4', 'read fetchRows_0', 'write fetchRows_0', 'read sum_3', 'write sum_3', 'read sum_3']);
    const again = build();
    assert.equal(await again.total.getAsync(), 6);
    assert.deepEqual(cache.log.slice(6), ['key 4', 'read sum_3']);
  });

  it("cache: false is never cached, nor what depends on it; 'refresh' calls the op again and stores its result", () => {
    const cache = new MemoryCache();
    let stamp = 0;
    const build = (options: { cache?: false | 'refresh' }) => {
      const G = new GraphBuilder({ cache });
      const now = G.add(function now(x: number) {
        return x + ++stamp;
      }, options)(0);
      return G.add(function twice(t: number) {
        return t * 2;
      })(now);
    };
    assert.equal(build({ cache: false }).get(), 2);
    assert.equal(build({ cache: false }).get(), 4);
    assert.deepEqual(cache.log, [], 'no keys, reads or writes');
    assert.equal(build({}).get(), 6);
    assert.equal(build({}).get(), 6, 'both read from the cache');
    assert.equal(build({ cache: 'refresh' }).get(), 8, 'now_0 called again, and twice_2, computed from it');
    assert.equal(build({}).get(), 8, 'the refreshed results');
    assert.equal(stamp, 4);
  });

  it('an op whose input cannot be keyed is called, and nothing downstream is cached', () => {
    const cache = new MemoryCache();
    class Point {
      constructor(readonly x: number) {}
    }
    const G = new GraphBuilder({ cache });
    const x = G.add(function xOf(p: Point) {
      return p.x;
    })(new Point(3));
    const y = G.add(function square(v: number) {
      return v * v;
    })(x);
    assert.equal(y.get(), 9);
    assert.deepEqual(cache.log, ['key {"x":3}']);
  });

  it('several outputs are stored and read as one result', () => {
    const cache = new MemoryCache();
    let calls = 0;
    const build = () => {
      const G = new GraphBuilder({ cache });
      const [lo, hi] = G.add(
        function bounds(xs: number[]) {
          calls++;
          return [Math.min(...xs), Math.max(...xs)];
        },
        { nOut: 2 },
      )([3, 1, 2]) as DataNode<number>[];
      return G.add(function span(a: number, b: number) {
        return b - a;
      })(lo!, hi!);
    };
    assert.equal(build().get(), 2);
    assert.equal(build().get(), 2);
    assert.equal(calls, 1);
  });

  it('a cache that throws fails the op, naming it; `cached` prints as one line', () => {
    const cache = new MemoryCache();
    cache.read = () => {
      throw new Error('disk gone');
    };
    const G = new GraphBuilder({ cache });
    const a = G.add(function one() {
      return 1;
    })();
    assert.throws(
      () => a.get(),
      (e: PyflowError) => e.code === 'OP_FAILED' && /^one_0 \(one, added at .*\) threw: disk gone$/.test(e.message),
    );
    assert.ok(G.operations.every((op) => !op.isActivated()));
    assert.equal(formatTraceEvent({ kind: 'cached', uid: 'one_0', graph: 'g' }), 'one_0 cached');
  });

  it("`version` is part of the key; the host's cache serves graphs that name none, `cache: false` opts out", () => {
    const cache = new MemoryCache();
    let calls = 0;
    const build = (options: { cache?: false }, version?: string) => {
      const G = new GraphBuilder(options);
      return G.add(
        function three() {
          calls++;
          return 3;
        },
        version === undefined ? {} : { version },
      )();
    };
    const host = { graphCreated: () => undefined, captureCallSites: false, previewValues: false, cache };
    (globalThis as Record<symbol, unknown>)[HOST_SYMBOL] = host;
    try {
      assert.equal(build({}).get(), 3);
      assert.equal(build({}).get(), 3);
      assert.equal(build({}, '2').get(), 3);
      assert.equal(build({}, '2').get(), 3);
      assert.equal(build({ cache: false }).get(), 3);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[HOST_SYMBOL];
    }
    assert.equal(calls, 3, 'once without a version, once with version 2, once without the cache');
    assert.equal(cache.entries.size, 2);
  });

  it('a chain whose target is cached reads that one entry; ancestors are neither called nor read', async () => {
    const cache = new MemoryCache();
    const ran: string[] = [];
    const build = () => {
      const G = new GraphBuilder({ cache });
      const src = G.add(function src(n: number) {
        ran.push('src');
        return [n, n + 1];
      })(2);
      const a = G.add(function a(xs: number[]) {
        ran.push('a');
        return xs.map((x) => x * 10);
      })(src);
      return {
        G,
        b: G.add(function b(xs: number[]) {
          ran.push('b');
          return xs.reduce((s, x) => s + x, 0);
        })(a),
      };
    };
    assert.equal(build().b.get(), 50);
    assert.deepEqual(ran, ['src', 'a', 'b']);
    for (const evaluate of [(b: DataNode) => b.get(), (b: DataNode) => b.getAsync()]) {
      cache.log.length = 0;
      ran.length = 0;
      const { G, b } = build();
      const events: string[] = [];
      G.subscribe((e) => events.push(`${e.kind} ${e.uid}`));
      assert.equal(await evaluate(b), 50);
      assert.deepEqual(ran, []);
      assert.deepEqual(cache.log, ['key 2', 'read b_5']);
      assert.deepEqual(events, ['computing data_6', 'activated b_5', 'cached b_5', 'deactivated b_5']);
    }
  });

  it('an edit in the middle of a chain: the ops downstream of it run, the upstream op they need is read, the rest untouched', async () => {
    const cache = new MemoryCache();
    const ran: string[] = [];
    const build = (offset: number) => {
      const G = new GraphBuilder({ cache });
      const src = G.add(function src(n: number) {
        ran.push('src');
        return n + 1;
      })(1);
      const a = G.add(function a(x: number) {
        ran.push('a');
        return x * 10;
      })(src);
      // The edited op: its code text changes with `offset`.
      const b = G.add(new Function('ran', `return function b(x) { ran.push('b'); return x + ${offset}; }`)(ran) as (x: number) => number)(a);
      return G.add(function c(x: number) {
        ran.push('c');
        return -x;
      })(b);
    };
    assert.equal(build(1).get(), -21);
    for (const [offset, evaluate] of [
      [2, (c: DataNode) => c.get()],
      [3, (c: DataNode) => c.getAsync()],
    ] as const) {
      ran.length = 0;
      cache.log.length = 0;
      assert.equal(await evaluate(build(offset)), -(20 + offset));
      assert.deepEqual(ran, ['b', 'c']);
      assert.deepEqual(cache.log, ['key 1', 'read a_3', 'read b_5', 'write b_5', 'read c_7', 'write c_7']);
    }
  });

  it('an entry that is gone when it is read (corrupt, evicted since activation): the op is called, its inputs computed after all', () => {
    const cache = new MemoryCache();
    const build = () => {
      const G = new GraphBuilder({ cache });
      const a = G.add(function a(x: number) {
        return x + 1;
      })(1);
      return {
        G,
        b: G.add(function b(x: number) {
          return x * 3;
        })(a),
      };
    };
    assert.equal(build().b.get(), 6);
    // The store still lists b's entry, and finds it bad when it reads it.
    const read = cache.read.bind(cache);
    cache.read = (key, op) => (op.fnName === 'b' ? (cache.log.push(`read ${op.uid}`), undefined) : read(key, op));
    cache.log.length = 0;
    const lines: string[] = [];
    const { G, b } = build();
    G.subscribe((e) => {
      const line = formatTraceEvent(e);
      if (line !== undefined) lines.push(line);
    });
    assert.equal(b.get(), 6);
    assert.deepEqual(cache.log, ['key 1', 'read b_3', 'read a_0', 'write b_3']);
    assert.deepEqual(lines, [
      'computing for data_4',
      'b_3 activated!',
      // Its inputs are activated when its entry is found gone, before `computing` is reported for them.
      'a_0 activated!',
      'computing for data_2',
      'a_0 cached',
      'a_0 deactivated!',
      'running b_3',
      'data_2 released!',
      'b_3 deactivated!',
    ]);
  });

  it('keys are made without recursion: a 100,000-op chain is cached and read back', () => {
    // Short keys, as a store's hashes are.
    const ids = new Map<string, string>();
    const cache = new MemoryCache();
    cache.keyOfOp = (op, inputKeys) => {
      const text = `${op.fnName}|${inputKeys.join(',')}`;
      let id = ids.get(text);
      if (id === undefined) ids.set(text, (id = `k${ids.size}`));
      return id;
    };
    let calls = 0;
    const inc = (x: number) => {
      calls++;
      return x + 1;
    };
    const chain = () => {
      const G = new GraphBuilder({ cache });
      let node: DataNode<number> = G.add(inc)(0);
      for (let i = 1; i < 100_000; i++) node = G.add(inc)(node);
      return node;
    };
    assert.equal(chain().get(), 100_000);
    assert.equal(calls, 100_000);
    cache.log.length = 0;
    assert.equal(chain().get(), 100_000);
    assert.equal(calls, 100_000);
    assert.deepEqual(cache.log, ['key 0', 'read inc_199999']);
  });

  it('the cache option is checked like the others', () => {
    const G = new GraphBuilder();
    assert.throws(() => G.add(() => 1, { cache: true as never }), /option "cache" must be false \(never cached\) or 'refresh'/);
    assert.throws(() => new GraphBuilder({ cache: {} as never }), /option "cache" must be a ResultCache/);
    assert.throws(() => new GraphBuilder({ executor: { concurrency: 0 } as never }), /option "executor" must be an Executor/);
  });
});
