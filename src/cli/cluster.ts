import { defineCommand, fail, numberOption } from './command.js';
import type * as ClusterCommands from './clusterCommands.js';

/** The cluster's code and its libraries (BullMQ, ioredis) load for these commands only (dist/cli-cluster.js). */
function clusterCommands(): typeof ClusterCommands {
  const bundle = __filename.endsWith('.ts') ? './clusterCommands.js' : './cli-cluster.js';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(bundle) as typeof ClusterCommands;
}

const REDIS = { type: 'string', value: 'URL', required: true, help: 'redis://[:password@]host:port[/db] (rediss:// for TLS)' } as const;
const QUEUE = { type: 'string', value: 'NAME', help: 'the BullMQ queue (default pyflow; the coordinator must use the same)' } as const;

/** `pyflow worker`: runs cluster ops until stopped (SIGINT, SIGTERM). */
export const workerCommand = defineCommand({
  name: 'worker',
  args: '',
  summary: 'run ops of cluster executors (docs/cluster.md)',
  description: `Takes ops from the Redis queue of clusterExecutor() coordinators and runs them: only exports of modules under
the code root (--root), bundled with esbuild as pyflow run does. Runs until SIGINT or SIGTERM, which let running ops finish.`,
  options: {
    redis: REDIS,
    concurrency: { type: 'string', value: 'N', help: 'ops run at once (default 1; ops that use the CPU: one per core)' },
    root: { type: 'string', value: 'DIR', help: "the code root: a copy of the coordinator's (default: the current directory)" },
    queue: QUEUE,
    'lock-ms': { type: 'string', value: 'MS', help: "after this long a dead worker's op is run again by another (default 30000)" },
  },
  async run(values) {
    return clusterCommands().runWorker(
      {
        redis: values.redis!, // required: checked by parseCommandArgs
        concurrency: numberOption('concurrency', values.concurrency, 1, 1),
        root: values.root ?? process.cwd(),
        lockMs: numberOption('lock-ms', values['lock-ms'], 30_000, 100),
        ...(values.queue ? { queue: values.queue } : {}),
      },
      fail,
    );
  },
});

/** `pyflow cluster status`: the workers and the queue depth. */
export const clusterCommand = defineCommand({
  name: 'cluster',
  args: 'status',
  summary: "list a cluster's workers and its queue depth",
  description: 'Prints the live workers of a Redis queue (name, ops running, ops done, code root), its jobs by state and the runs with values in the store.',
  options: { redis: REDIS, queue: QUEUE, json: { type: 'boolean', help: 'print JSON' } },
  async run(values, positionals) {
    if (positionals.length !== 1 || positionals[0] !== 'status') fail(`unknown cluster command "${positionals.join(' ')}" (pyflow cluster status)`);
    return clusterCommands().printStatus({ redis: values.redis!, queue: values.queue, json: values.json === true }, fail);
  },
});
