import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatTraceEvent, type TraceEvent } from '../core/index.js';
import { startRun } from '../runner/startRun.js';
import { loadEsbuild } from '../runner/esbuildApi.js';
import type { RunTarget } from '../protocol/index.js';
import type * as GraphCommand from './graphCommand.js';

const USAGE = `usage:
  pyflow graph FILE [--full] [--format json|dot|svg|html] [-o OUT]   print the graph of FILE (static, nothing runs)
  pyflow run FILE [--node LINE|UID] [--verbose] [--json]             run FILE and evaluate a node (default: the whole script)`;

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

function readSource(file: string | undefined): { file: string; text: string } {
  if (!file) fail(`missing FILE\n${USAGE}`);
  const path = resolve(file);
  try {
    return { file: path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function graphCommand(args: string[]): Promise<void> {
  const full = flag(args, '--full');
  const format = option(args, '--format') ?? 'json';
  const out = option(args, '-o', '--out');
  if (format !== 'json' && format !== 'dot' && format !== 'svg' && format !== 'html') fail(`unknown format "${format}" (json, dot, svg or html)`);
  const { file, text } = readSource(args[0]);
  // The extractor and the drawing code are loaded for this command only (dist/cli-graph.js, dist/extractor.js).
  const bundle = __filename.endsWith('.ts') ? './graphCommand.js' : './cli-graph.js';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeGraph } = require(bundle) as typeof GraphCommand;
  await writeGraph({ file, text, full, format, out }, fail);
}

async function runCommand(args: string[]): Promise<void> {
  const verbose = flag(args, '--verbose');
  const json = flag(args, '--json');
  const node = option(args, '--node');
  const { file } = readSource(args[0]);
  const target: RunTarget = node === undefined ? { kind: 'script' } : /^\d+$/.test(node) ? { kind: 'line', file, line: Number(node) } : { kind: 'uid', uid: node };
  const dist = __dirname;
  const { esbuild } = await loadEsbuild(dist).catch((error: unknown) => fail((error as Error).message, 1));
  const events: TraceEvent[] = [];
  const graphs: unknown[] = [];
  // No `instrumentAddCalls` here: it needs the TypeScript compiler, whose loading costs more than the stacks
  // `add` captures without it, in all but very large scripts (same results either way).
  const handle = startRun({ file, target, runnerPath: `${dist}/runner.js`, libraryPath: `${dist}/lib/index.mjs`, esbuild, timeoutMs: 0 }, {
    onMessage(message) {
      if (message.type === 'graph/snapshot') graphs.push(message.graph);
      if (message.type !== 'trace/append') return;
      if (json) events.push(...message.events);
      else if (verbose) for (const e of message.events) { const line = formatTraceEvent(e); if (line !== undefined) process.stdout.write(`${line}\n`); }
    },
    onOutput(text, stream) {
      (stream === 'stdout' && !json ? process.stdout : process.stderr).write(text);
    },
  });
  process.on('SIGINT', () => handle.cancel());
  const outcome = await handle.done;
  if (json) process.stdout.write(`${JSON.stringify({ graphs, events, outcome }, null, 2)}\n`);
  if (outcome.status === 'done') {
    if (!json && outcome.message.preview !== undefined) process.stdout.write(`${outcome.message.target} = ${outcome.message.preview}\n`);
    return;
  }
  if (outcome.status === 'failed') fail(outcome.error.stack ?? outcome.error.message, 1);
  fail(outcome.status === 'timeout' ? 'timed out' : 'cancelled', 1);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'graph') return graphCommand(args);
  if (command === 'run') return runCommand(args);
  if (command === '--help' || command === '-h' || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  fail(`unknown command "${command}"\n${USAGE}`);
}

void main(process.argv.slice(2));
