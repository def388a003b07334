import { startRedis } from './redisServer';
import { startWorkerProcess, OPS_ROOT } from './workers';
import { clusterExecutor } from '../../src/executors/cluster/index';
import { join } from 'node:path';
void (async () => {
const redis = await startRedis();
const w = await startWorkerProcess(redis.url);
try {
const cluster = clusterExecutor({ redis: redis.url, root: OPS_ROOT });
const add = cluster.fn(join(OPS_ROOT, 'ops.ts'), 'add');
const op = (uid: string, nOut = 1) => ({ uid, graph: 'g', fnName: 'add', site: undefined, nOut });
const sig = new AbortController().signal;
let t = performance.now();
const r = await cluster.run({ op: op('adding_0'), fn: add, args: [2, 3], movable: [], signal: sig });
console.log(r, await cluster.resolve!(r.value), performance.now() - t);
t = performance.now();
for (let i = 0; i < 100; i++) await cluster.run({ op: op('adding_0'), fn: add, args: [2, i], movable: [], signal: sig });
console.log('per op', (performance.now() - t) / 100);
await cluster.close();
} finally {
await w.stop();
console.log(w.output());
await redis.stop();
}
})();
