import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GraphBuilder, PyflowError, type TraceEvent } from '../../src/core/index.js';
import { clusterExecutor, type ClusterExecutor } from '../../src/executors/cluster/index.js';
import * as ops from '../fixtures/cluster/ops.js';
import { startRedis, type RedisServer } from './redisServer.js';
import { OPS_ROOT, startWorkerProcess, type WorkerProcess } from './workers.js';
import { keys } from './helpers.js';
import { waitFor } from '../waitFor.js';

/* Graphs whose executor is the cluster, evaluated by the engine (getAsync), compared with the same graphs run inline. */

const OPS = join(OPS_ROOT, 'ops.ts');

let redis: RedisServer;
let workers: WorkerProcess[] = [];
let cluster: ClusterExecutor;

type Functions = Pick<typeof ops, 'add' | 'pair' | 'squareSum' | 'ramp' | 'total' | 'explode'>;

/** A graph using every kind of argument: a value, a handle, a list with handles, two outputs, an inline consumer. */
function pipeline(f: Functions, options: ConstructorParameters<typeof GraphBuilder>[0]) {
  const G = new GraphBuilder({ alias: 'pipeline', ...options });
  const events: TraceEvent[] = [];
  const released: [string, unknown][] = [];
  G.subscribe((e) => events.push(e));
  const a = G.add(f.add)(1, 2);
  const [doubled, label] = G.add(f.pair, { nOut: 2 })(a);
  const sum = G.add(f.squareSum)([a, doubled, 4]);
  const big = G.add(f.ramp)(100_000, 0.5);
  const result = G.add((s: number, l: string, t: number) => `${l}: ${s}, ${t}`)(sum, label, G.add(f.total)(big));
  return { G, result, events, released };
}

/**
 * What an inline and a cluster run must share: every node's own events in the same order, without what only a cluster
 * has (workers, timings). Independent ops run at once on the cluster, one after the other inline: their events interleave.
 */
function comparable(events: TraceEvent[]): Record<string, string[]> {
  const byNode: Record<string, string[]> = {};
  for (const e of events) (byNode[e.uid] ??= []).push(e.kind === 'stillNeeded' ? `stillNeeded by ${e.neededBy}` : e.kind);
  return byNode;
}

describe('a graph on the cluster (engine dispatch, real redis-server and workers)', () => {
  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorkerProcess(redis.url), startWorkerProcess(redis.url)]);
    cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
  });

  after(async () => {
    await cluster?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  it('gives the same value and the same trace (releases included) as inline; finished events name the worker', async () => {
    const released: unknown[] = [];
    const remote = {
      add: cluster.fn<typeof ops.add>(OPS, 'add'),
      pair: cluster.fn<typeof ops.pair>(OPS, 'pair'),
      squareSum: cluster.fn<typeof ops.squareSum>(OPS, 'squareSum'),
      ramp: cluster.fn<typeof ops.ramp>(OPS, 'ramp'),
      total: cluster.fn<typeof ops.total>(OPS, 'total'),
      explode: cluster.fn<typeof ops.explode>(OPS, 'explode'),
    };
    const inline = pipeline(ops, {});
    const onCluster = pipeline(remote, { executor: cluster, onRelease: (value) => released.push(value) });
    const expected = await inline.result.getAsync();
    assert.equal(expected, `x=3: ${3 * 3 + 6 * 6 + 16}, ${(0.5 * 100_000 * 99_999) / 2}`);
    assert.equal(await onCluster.result.getAsync(), expected);
    assert.deepEqual(comparable(onCluster.events), comparable(inline.events));
    const finished = onCluster.events.filter((e) => e.kind === 'finished');
    const names = new Set(workers.map((w) => w.name));
    assert.deepEqual(
      finished.map((e) => (e.uid.startsWith('anonymous') ? e.worker === undefined : names.has(e.worker ?? ''))),
      finished.map(() => true),
    );
    // Every value the cluster made was released: none is left in the store, the blob neither.
    await waitFor(
      'the store to be empty',
      async () => (await keys(redis.url, 'pyflow:run:*:value:*')).length === 0 && (await keys(redis.url, 'pyflow:blob:*')).length === 0,
    );
  });

  it('keeps a persisted value in the store until it is released', async () => {
    const G = new GraphBuilder({ executor: cluster });
    const a = G.add(cluster.fn<typeof ops.add>(OPS, 'add'))(20, 1);
    a.persist();
    const b = G.add(cluster.fn<typeof ops.add>(OPS, 'add'))(a, a);
    assert.equal(await b.getAsync(), 42);
    assert.equal((await keys(redis.url, `pyflow:run:${cluster.runId}:value:*`)).length, 1, 'the persisted value stays');
    a.releaseMemory();
    await waitFor('the persisted value to go', async () => (await keys(redis.url, `pyflow:run:${cluster.runId}:value:*`)).length === 0);
  });

  it('getAsync() of a computed node whose value the cluster holds gives the value', async () => {
    const G = new GraphBuilder({ executor: cluster });
    const a = G.add(cluster.fn<typeof ops.add>(OPS, 'add'))(20, 1);
    a.persist();
    assert.equal(await G.add(cluster.fn<typeof ops.add>(OPS, 'add'))(a, a).getAsync(), 42);
    assert.equal(await a.getAsync(), 21);
    a.releaseMemory();
  });

  it('an op that throws on a worker fails the evaluation like an inline op', async () => {
    const run = async (explode: typeof ops.explode, executor?: ClusterExecutor) => {
      const G = new GraphBuilder({ callSites: true, ...(executor ? { executor } : {}) });
      const failing = G.add(explode)(-1);
      return G.add((x: number) => x)(failing)
        .getAsync()
        .then(
          () => assert.fail('it should throw'),
          (error: unknown) => error as PyflowError,
        );
    };
    const inline = await run(ops.explode);
    const remote = await run(cluster.fn<typeof ops.explode>(OPS, 'explode'), cluster);
    assert.ok(remote instanceof PyflowError);
    assert.deepEqual(
      [remote.code, remote.uid, (remote.cause as Error).name, (remote.cause as Error).message],
      [inline.code, inline.uid, 'RangeError', 'no square root of -1'],
    );
    // The same message but for the add line, which differs by construction (two add calls above, one per graph).
    assert.equal(remote.message.replace(/added at [^)]*/, ''), inline.message.replace(/added at [^)]*/, ''));
    assert.match(remote.message, /added at .*test\/cluster\/graph\.test\.ts:\d+:\d+\) threw: no square root of -1$/);
  });
  it('an argument that cannot cross (a function) fails the op that would receive it, naming its add line', async () => {
    const G = new GraphBuilder({ executor: cluster, callSites: true });
    const callback = G.add(() => () => 1)();
    const summed = G.add(cluster.fn<typeof ops.squareSum>(OPS, 'squareSum'))(callback as never);
    await assert.rejects(summed.getAsync(), (error: unknown) => {
      assert.ok(error instanceof PyflowError);
      assert.match(
        error.message,
        /^squareSum_\d+ \(squareSum, added at .*graph\.test\.ts:\d+:\d+\) cannot be sent to the cluster: argument \[0\]: .*could not be cloned/,
      );
      return true;
    });
  });
});
