import { RUN_USAGE, runCommand } from './runCommand.js';
import { readSource } from './readSource.js';
import type * as GraphCommand from './graphCommand.js';
import type * as ClusterCommands from './clusterCommands.js';

const USAGE = `usage:
  pyflow graph FILE [--full] [--format json|dot|svg|html] [-o OUT]   print the graph of FILE (static, nothing runs)
  ${RUN_USAGE}
  pyflow worker --redis URL [--concurrency N] [--root DIR] [--queue NAME] [--lock-ms MS]   run cluster ops (exports of modules under DIR, default cwd)
  pyflow cluster status --redis URL [--queue NAME] [--json]   list the cluster's workers and queue depth`;

function fail(message: string, code = 2): never {
  process.stderr.write(`pyflow: ${message}\n`);
  process.exit(code);
}

function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function option(args: string[], ...names: string[]): string | undefined {
  for (const name of names) {
    const i = args.indexOf(name);
    if (i < 0) continue;
    const value = args[i + 1];
    if (value === undefined || value.startsWith('-')) fail(`${name} needs a value\n${USAGE}`);
    args.splice(i, 2);
    return value;
  }
  return undefined;
}

function readSourceOrFail(file: string | undefined): { file: string; text: string } {
  if (!file) fail(`missing FILE\n${USAGE}`);
  const source = readSource(file);
  return 'error' in source ? fail(source.error) : source;
}

async function graphCommand(args: string[]): Promise<void> {
  const full = flag(args, '--full');
  const format = option(args, '--format') ?? 'json';
  const out = option(args, '-o', '--out');
  if (format !== 'json' && format !== 'dot' && format !== 'svg' && format !== 'html') fail(`unknown format "${format}" (json, dot, svg or html)`);
  const { file, text } = readSourceOrFail(args[0]);
  // The extractor and the drawing code are loaded for this command only (dist/cli-graph.js, dist/extractor.js).
  const bundle = __filename.endsWith('.ts') ? './graphCommand.js' : './cli-graph.js';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeGraph } = require(bundle) as typeof GraphCommand;
  await writeGraph({ file, text, full, format, out }, fail);
}

/** The cluster commands and their libraries (BullMQ, ioredis) are loaded for these commands only (dist/cli-cluster.js). */
function clusterCommands(): typeof ClusterCommands {
  const bundle = __filename.endsWith('.ts') ? './clusterCommands.js' : './cli-cluster.js';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(bundle) as typeof ClusterCommands;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'graph') return graphCommand(args);
  if (command === 'worker') return clusterCommands().workerCommand(args, fail);
  if (command === 'cluster') return clusterCommands().clusterCommand(args, fail);
  if (command === 'run') {
    const code = await runCommand(args, fail);
    // Exit now: nothing of the run may keep the CLI alive (a process that escaped the tree, a signal handler).
    process.stdout.write('', () => process.exit(code));
    return;
  }
  if (command === '--help' || command === '-h' || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  fail(`unknown command "${command}"\n${USAGE}`);
}

void main(process.argv.slice(2));
