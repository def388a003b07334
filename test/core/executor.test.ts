import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GraphBuilder, PyflowError, formatTraceEvent,
  type Executor, type ExecutorCall, type ExecutorResult, type ResultCache, type TraceEvent,
} from '../../src/core/index.js';

type Fn = (...args: never[]) => unknown;

/**
 * A real executor for the tests: it runs the functions made by its `fn()` on a later timer turn (as a worker would,
 * elsewhere and later), honours the abort signal, and records what it received and how many calls ran at once.
 */
const SOURCE_LINES = readFileSync(__filename, 'utf8').split('\n');

class TimerExecutor implements Executor {
  readonly name = 'timers';
  readonly calls: { uid: string; args: unknown[]; movable: unknown[]; nOut: number; line: number | undefined }[] = [];
  readonly aborted: string[] = [];
  running = 0;
  peak = 0;
  private readonly fns = new WeakSet<object>();
  private next = 0;

  /** `ticks`: how many timer turns a call of the op takes. */
  constructor(readonly concurrency: number, private readonly ticks: (uid: string) => number = () => 1) {}

  fn<F extends Fn>(f: F): F {
    this.fns.add(f);
    return f;
  }

  owns(f: Fn): boolean {
    return this.fns.has(f);
  }

  run(call: ExecutorCall): Promise<ExecutorResult> {
    this.calls.push({ uid: call.op.uid, args: [...call.args], movable: [...call.movable], nOut: call.op.nOut, line: call.op.site?.line });
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    const worker = `timer ${this.next++ % this.concurrency}`;
    return new Promise<ExecutorResult>((resolve, reject) => {
      let ticks = this.ticks(call.op.uid);
      const onAbort = (): void => {
        clearTimeout(timer);
        this.aborted.push(call.op.uid);
        finish();
        reject(new Error(`aborted ${call.op.uid}`));
      };
      const finish = (): void => {
        this.running--;
        call.signal.removeEventListener('abort', onAbort);
      };
      const tick = (): void => {
        if (--ticks > 0) {
          timer = setTimeout(tick, 1);
          return;
        }
        finish();
        try {
          resolve({ value: (call.fn as (...a: unknown[]) => unknown)(...call.args), worker });
        } catch (error) {
          reject(error);
        }
      };
      let timer = setTimeout(tick, 1);
      call.signal.addEventListener('abort', onAbort);
    });
  }

  async close(): Promise<void> {}
}

/**
 * An executor that leaves values where they were made, as a cluster's store does: `run` returns a handle, `resolve`
 * gives the value behind it, `release` deletes it.
 */
class StoreExecutor implements Executor {
  readonly name = 'store';
  readonly concurrency = 2;
  readonly store = new Map<number, unknown>();
  readonly released: number[] = [];
  readonly received: unknown[][] = [];
  resolved = 0;
  private readonly fns = new WeakSet<object>();
  private id = 0;

  fn<F extends Fn>(f: F): F {
    this.fns.add(f);
    return f;
  }

  owns(f: Fn): boolean {
    return this.fns.has(f);
  }

  async run(call: ExecutorCall): Promise<ExecutorResult> {
    this.received.push([...call.args]);
    await new Promise((r) => setTimeout(r, 1));
    const args = call.args.map((a) => (isHandle(a) ? this.store.get(a.handle) : a));
    const id = ++this.id;
    this.store.set(id, (call.fn as (...a: unknown[]) => unknown)(...args));
    return { value: { handle: id }, worker: 'store 1' };
  }

  async resolve(value: unknown): Promise<unknown> {
    this.resolved++;
    await new Promise((r) => setTimeout(r, 1));
    return this.store.get((value as { handle: number }).handle);
  }

  release(value: unknown): void {
    const id = (value as { handle: number }).handle;
    this.released.push(id);
    this.store.delete(id);
  }

  async close(): Promise<void> {}
}

function isHandle(value: unknown): value is { handle: number } {
  return typeof value === 'object' && value !== null && 'handle' in value;
}

function lineOf(error: Error): number {
  return Number(error.stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1]);
}

describe('executors', () => {
  it('getAsync runs the ops an executor owns on it and the others inline; a chain\'s trace is the inline one, with workers', async () => {
    const build = (executor?: TimerExecutor) => {
      const events: TraceEvent[] = [];
      const G = new GraphBuilder({ executor, callSites: true });
      G.subscribe((e) => events.push(e));
      const square = (x: number) => x * x;
      const heavy = executor ? executor.fn(square) : square;
      const a = G.add(heavy)(3);
      const b = G.add((x: number) => x + 1, { alias: 'inc' })(a);
      const c = G.add(heavy)(b);
      return { events, c };
    };
    const inline = build();
    assert.equal(await inline.c.getAsync(), 100);
    const executor = new TimerExecutor(4);
    const offloaded = build(executor);
    assert.equal(await offloaded.c.getAsync(), 100);
    assert.deepEqual(executor.calls.map((c) => [c.uid, c.args]), [['square_0', [3]], ['square_5', [10]]]);
    const lines = (events: TraceEvent[]) => events.map(formatTraceEvent).filter((l) => l !== undefined);
    assert.deepEqual(lines(offloaded.events), lines(inline.events));
    const finished = (events: TraceEvent[]) => events.filter((e) => e.kind === 'finished').map((e) => `${e.uid} ${e.kind === 'finished' ? e.worker ?? 'inline' : ''}`);
    assert.deepEqual(finished(offloaded.events), ['square_0 timer 0', 'inc_3 inline', 'square_5 timer 1']);
    assert.equal(executor.running, 0);
  });

  it('independent ready ops run at once, up to the executor\'s concurrency, also across evaluations running at once', async () => {
    const executor = new TimerExecutor(3, () => 3);
    const G = new GraphBuilder({ executor });
    const slow = executor.fn(function slow(x: number) { return x * 2; });
    const sum = (...xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const left = G.add(sum)(...[1, 2, 3, 4, 5].map((i) => G.add(slow)(i)));
    const right = G.add(sum)(...[6, 7, 8, 9].map((i) => G.add(slow)(i)));
    assert.deepEqual(await Promise.all([left.getAsync(), right.getAsync()]), [30, 60]);
    assert.equal(executor.calls.length, 9);
    assert.equal(executor.peak, 3);
    assert.equal(executor.running, 0);
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });

  it('movable: the parents\' values this call is the last activated reader of, and not kept, persisted or raw', async () => {
    const executor = new TimerExecutor(2);
    const G = new GraphBuilder({ executor });
    const make = (n: number) => new Float64Array(n);
    const use = executor.fn(function use(...xs: (Float64Array | number)[]) { return xs.reduce<number>((a, x) => a + (typeof x === 'number' ? x : x.length), 0); });
    const once = G.add(make)(1); // read by `use` only
    const kept = G.add(make, { persist: true })(2); // persisted
    const twice = G.add(make)(3); // read by `use`, then by `after`
    const first = G.add(use)(once, kept, twice, 4);
    const after = G.add(use)(twice, first);
    assert.equal(await after.getAsync(), 13);
    const [firstCall, afterCall] = executor.calls;
    assert.deepEqual(firstCall!.movable, [firstCall!.args[0]], 'only `once`');
    assert.deepEqual(afterCall!.movable, afterCall!.args, '`twice` and the output of `first`');
    assert.equal((afterCall!.args[0] as Float64Array).length, 3);
    assert.equal(kept.hasValue(), true);
  });

  it('a synchronous get() that reaches an executor op fails naming the op and its add line; the graph stays usable', async () => {
    const executor = new TimerExecutor(2);
    const G = new GraphBuilder({ executor, callSites: true });
    const heavy = executor.fn(function heavy(x: number) { return x + 1; });
    const a = G.add(heavy)(1); const line = lineOf(new Error());
    const b = G.add((x: number) => x * 2, { alias: 'double' })(a);
    assert.throws(() => b.get(), (e: unknown) => {
      assert.ok(e instanceof PyflowError);
      assert.equal(e.code, 'ASYNC_IN_GET');
      assert.equal(e.uid, 'heavy_0');
      assert.equal(e.callSite?.line, line);
      assert.match(e.message, new RegExp(`^heavy_0 \\(heavy, added at .*executor\\.test\\.ts:${line}:\\d+\\) runs on the executor "timers": .*use getAsync\\(\\)`));
      return true;
    });
    assert.ok(G.operations.every((op) => !op.isActivated()));
    assert.equal(executor.calls.length, 0);
    assert.equal(await b.getAsync(), 4);
  });

  it('a rejection fails like an inline throw, aborts the other calls in flight, and leaves the graph consistent', async () => {
    let broken = true;
    const failing = (executor?: TimerExecutor) => {
      const events: TraceEvent[] = [];
      const G = new GraphBuilder({ executor, callSites: true });
      G.subscribe((e) => events.push(e));
      const parse = function parse(x: string): number {
        if (broken) throw new TypeError(`cannot parse ${x}`);
        return Number(x);
      };
      const wait = function wait(x: number): number { return x; };
      const slow = executor ? executor.fn(wait) : wait;
      const run = executor ? executor.fn(parse) : parse;
      const s = G.add(slow)(1);
      const p = G.add(run)('12');
      const total = G.add((a: number, b: number) => a + b, { alias: 'total' })(s, p);
      return { G, events, total };
    };
    const outcome = async (p: Promise<unknown>) => { try { await p; return undefined; } catch (e) { return e as PyflowError; } };
    const inline = failing();
    const inlineError = (await outcome(inline.total.getAsync()))!;
    // The slow call takes 1000 timer turns: still in flight when parse fails.
    const executor = new TimerExecutor(2, (uid) => (uid.startsWith('wait') && broken ? 1000 : 1));
    const offloaded = failing(executor);
    const error = (await outcome(offloaded.total.getAsync()))!;
    assert.ok(error instanceof PyflowError);
    assert.equal(error.code, 'OP_FAILED');
    assert.equal(error.uid, 'parse_3');
    assert.equal(inlineError.uid, 'parse_3');
    assert.equal(error.callSite?.line, inlineError.callSite!.line);
    assert.equal(error.message, inlineError.message);
    assert.ok(error.cause instanceof TypeError && error.cause.message === 'cannot parse 12');
    assert.deepEqual(executor.aborted, ['wait_0'], 'the other call in flight was aborted');
    assert.equal(executor.running, 0, 'nothing is left running when getAsync rejects');
    assert.deepEqual(offloaded.events.filter((e) => e.kind === 'error').map((e) => e.uid), ['parse_3']);
    assert.ok(offloaded.G.operations.every((op) => !op.isActivated()));
    broken = false;
    assert.equal(await offloaded.total.getAsync(), 13);
    assert.equal(executor.running, 0);
  });

  it("the executor's own failures name the op, its function and add line, with the original as cause", async () => {
    const line = (text: string) => SOURCE_LINES.findIndex((l) => l.includes(text)) + 1;
    /** Where V8 places a call `G.add(…)`: at `add`. */
    const at = (text: string) => `${line(text)}:${SOURCE_LINES.find((l) => l.includes(text))!.indexOf('add(') + 1}`;
    // run() throws instead of rejecting: the executor failed, not the function.
    const throwing = new TimerExecutor(1);
    const noWorker = new Error('no worker');
    throwing.run = () => { throw noWorker; };
    const G = new GraphBuilder({ executor: throwing, callSites: true });
    const a = G.add(throwing.fn(function heavy() { return 1; }))(); // add: heavy
    await assert.rejects(a.getAsync(), (e: PyflowError) => {
      assert.equal(e.code, 'EXECUTOR_FAILED');
      assert.equal(e.message, `heavy_0 (heavy, added at ${__filename}:${at('// add: heavy')}) could not be run on the executor "timers": no worker`);
      assert.equal(e.cause, noWorker);
      return true;
    });
    assert.ok(G.operations.every((op) => !op.isActivated()));
    // A PyflowError about something else (here one naming no op, as a module that cannot be loaded may be reported).
    const unloadable = new TimerExecutor(1);
    const notLoaded = new PyflowError('BAD_ARGUMENT', 'cannot load module ops.ts');
    unloadable.run = () => Promise.reject(notLoaded);
    const H = new GraphBuilder({ executor: unloadable, callSites: true });
    const b = H.add(unloadable.fn(function load() { return 1; }))(); // add: load
    await assert.rejects(b.getAsync(), (e: PyflowError) => {
      assert.equal(e.code, 'EXECUTOR_FAILED');
      assert.equal(e.uid, 'load_0');
      assert.equal(e.message, `load_0 (load, added at ${__filename}:${at('// add: load')}) failed on the executor "timers": cannot load module ops.ts`);
      assert.equal(e.cause, notLoaded);
      return true;
    });
    // resolve() fails: the op that returned the handle is named, the evaluation fails with it (not the bare error).
    const store = new StoreExecutor();
    const lost = new Error('store lost');
    store.resolve = () => Promise.reject(lost);
    const K = new GraphBuilder({ executor: store, callSites: true });
    const events: string[] = [];
    K.subscribe((e) => void (e.kind === 'error' && events.push(`${e.kind} ${e.uid}`)));
    const c = K.add(store.fn(function made() { return 2; }))(); // add: made
    const d = K.add((x: number) => x + 1, { alias: 'inc' })(c);
    for (const target of [c, d]) {
      await assert.rejects(target.getAsync(), (e: PyflowError) => {
        assert.equal(e.code, 'EXECUTOR_FAILED');
        assert.equal(
          e.message,
          `made_0 (made, added at ${__filename}:${at('// add: made')}) returned data_1, whose value could not be fetched from the executor "store": store lost`,
        );
        assert.equal(e.cause, lost);
        return true;
      });
    }
    assert.deepEqual(events, ['error made_0', 'error made_0']);
    assert.ok(K.operations.every((op) => !op.isActivated()));
  });

  it('handles: resolved when an inline op or a target needs the value, released when the engine releases them', async () => {
    const executor = new StoreExecutor();
    const G = new GraphBuilder({ executor });
    const double = executor.fn(function double(x: number) { return x * 2; });
    const a = G.add(double)(1);
    const b = G.add(double)(a);
    const c = G.add((x: number) => x + 1, { alias: 'inc' })(b);
    const d = G.add(double)(c);
    assert.equal(await d.getAsync(), 10);
    assert.deepEqual(executor.received, [[1], [{ handle: 1 }], [5]], 'an executor op gets its executor\'s handles; an inline op got the value');
    assert.deepEqual(executor.released.sort(), [1, 2, 3]);
    assert.equal(executor.store.size, 0, 'nothing is left in the store');
  });

  it('runAsync dispatches too; with a result cache, ops of an executor without `fingerprint` are not cached (their function is a stand-in), nor what they feed', async () => {
    const entries = new Map<string, unknown>();
    const cache: ResultCache = {
      keyOfValue: (value) => JSON.stringify(value),
      keyOfOp: (op, inputKeys) => `${op.fn.toString()}(${inputKeys.join(',')})`,
      has: (key) => entries.has(key),
      read: (key) => (entries.has(key) ? { value: entries.get(key) } : undefined),
      write: (key, _op, value) => void entries.set(key, value),
    };
    const executor = new TimerExecutor(2);
    const square = executor.fn(function square(x: number) { return x * x; });
    const build = () => {
      const events: TraceEvent[] = [];
      const G = new GraphBuilder({ executor, cache });
      G.subscribe((e) => events.push(e));
      const total = G.add((a: number, b: number) => a + b, { alias: 'total' })(G.add(square)(3), G.add(square)(4));
      return { G, events, total };
    };
    const first = build();
    assert.equal(await first.G.runAsync(first.total), 25);
    assert.equal(executor.calls.length, 2);
    const second = build();
    assert.equal(await second.G.runAsync(second.total), 25);
    assert.equal(executor.calls.length, 4, 'dispatched again: the stand-in square() says nothing of the code that runs');
    assert.deepEqual(second.events.filter((e) => e.kind === 'cached' || e.kind === 'running').map((e) => `${e.kind} ${e.uid}`),
      ['running square_0', 'running square_3', 'running total_6']);
    assert.equal(entries.size, 0, 'nothing was written');
  });

  it('with a result cache, ops of an executor that keeps its values (resolve) are keyed but never read nor written; what they feed is cached', async () => {
    const entries = new Map<string, unknown>();
    const log: string[] = [];
    const cache: ResultCache = {
      keyOfValue: (value) => JSON.stringify(value),
      keyOfOp: (op, inputKeys) => `${op.fn.toString()}|${op.executorCode}(${inputKeys.join(',')})`,
      has: (key) => entries.has(key),
      read: (key, op) => {
        log.push(`read ${op.uid}`);
        return entries.has(key) ? { value: entries.get(key) } : undefined;
      },
      write: (key, op, value) => {
        log.push(`write ${op.uid}`);
        entries.set(key, value);
      },
    };
    const executor = Object.assign(new StoreExecutor(), { fingerprint: () => 'square v1' });
    const square = executor.fn(function square(x: number) { return x * x; });
    const build = () => {
      const G = new GraphBuilder({ executor, cache });
      return G.add((a: number) => a + 1, { alias: 'total' })(G.add(square)(3));
    };
    assert.equal(await build().getAsync(), 10);
    assert.deepEqual(log, ['read total_3', 'write total_3']);
    assert.equal(executor.received.length, 1);
    log.length = 0;
    assert.equal(await build().getAsync(), 10);
    assert.deepEqual(log, ['read total_3'], 'the target is read alone');
    assert.equal(executor.received.length, 1, 'square did not run again');
  });

  it('a kept value an executor holds is fetched by getAsync(); get() and run() say to use getAsync()', async () => {
    const executor = new StoreExecutor();
    const G = new GraphBuilder({ executor });
    const double = executor.fn(function double(x: number) { return x * 2; });
    const a = G.add(double, { persist: true })(1);
    const b = G.add(double)(a);
    assert.equal(await b.getAsync(), 4);
    assert.deepEqual([...executor.store.values()], [2], 'a is kept, in the store');
    const heldError = (e: PyflowError) => e.code === 'ASYNC_IN_GET' && e.message === 'data_2\'s value is held by the executor "store": get() cannot fetch it; use getAsync()';
    assert.throws(() => a.get(), heldError);
    assert.throws(() => G.run(a), heldError);
    assert.equal(await a.getAsync(), 2);
    assert.equal(a.get(), 2, 'fetched: a holds the value now');
    assert.equal(executor.store.size, 0);
  });

  it('a handle two inline ops need is resolved once', async () => {
    const executor = new StoreExecutor();
    const G = new GraphBuilder({ executor });
    const a = G.add(executor.fn(function ten() { return 10; }))();
    const b = G.add(async (x: number) => x + 1, { alias: 'inc' })(a);
    const c = G.add(async (x: number) => x * 2, { alias: 'twice' })(a);
    const total = G.add((x: number, y: number) => x + y, { alias: 'total' })(b, c);
    assert.equal(await total.getAsync(), 31);
    assert.equal(executor.resolved, 1);
    assert.equal(executor.store.size, 0);
  });

  it('runAsync starts independent executor ops at once too, in the order they were added', async () => {
    const executor = new TimerExecutor(3, () => 3);
    const G = new GraphBuilder({ executor });
    const slow = executor.fn(function slow(x: number) { return x * 2; });
    const parts = [1, 2, 3, 4].map((i) => G.add(slow)(i));
    const total = G.add((...xs: number[]) => xs.reduce((a, b) => a + b, 0), { alias: 'total' })(...parts);
    assert.equal(await G.runAsync(total), 20);
    assert.deepEqual(executor.calls.map((c) => c.uid), ['slow_0', 'slow_3', 'slow_6', 'slow_9']);
    assert.equal(executor.peak, 3);
    assert.ok(G.operations.every((op) => !op.isActivated()));
  });
});
