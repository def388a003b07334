import { parseArgs } from 'node:util';
import type { TraceEvent } from '../core/index.js';
import { resolve } from 'node:path';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, describeOp, startRun, type RunOutcome, type RunRequest } from '../runner/startRun.js';
import { loadAnalysis } from '../analysis/lazy.js';
import { defaultCacheDir } from '../cache/defaultDir.js';
import { DEFAULT_MAX_BYTES } from '../cache/store.js';
import { nodeFingerprintHost } from '../cache/fingerprintHost.js';
import { loadEsbuild } from '../runner/esbuildApi.js';
import type { RunTarget, SerializedError } from '../protocol/index.js';
import { readSource } from './readSource.js';
import { libraryFor } from '../runner/library.js';

export const RUN_USAGE = `pyflow run FILE [--node LINE|UID] [--verbose] [--json] [--timeout SECONDS] [--memory MB] [--cache[=DIR] | --no-cache]
    run FILE and evaluate a node (default: the whole script); --timeout (default ${DEFAULT_TIMEOUT_MS / 1000}, 0: none),
    --memory: the limit of the script's process (default ${DEFAULT_MEMORY_MB} MB); --cache: reuse op results of earlier
    runs whose code and inputs are unchanged (in DIR, default ./.pyflow/cache)`;

/** Exit codes of `pyflow run` besides 0 (done): 1 the run failed or timed out, 2 bad usage, 128 + n ended by signal n. */
const SIGNAL_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, SIGPIPE: 141 } as const;

/** `pyflow run`: runs a script in the runner child, its output and trace on stdout, and exits with the outcome. */
export async function runCommand(argv: string[], fail: (message: string, code?: number) => never): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      // `--cache` alone means the default directory (parseArgs wants a value for a string option).
      args: argv.map((arg) => (arg === '--cache' ? '--cache=' : arg)),
      allowPositionals: true,
      options: {
        node: { type: 'string' }, verbose: { type: 'boolean' }, json: { type: 'boolean' }, timeout: { type: 'string' }, memory: { type: 'string' },
        cache: { type: 'string' }, 'no-cache': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\nusage: ${RUN_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`usage: ${RUN_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) fail(`${positionals.length === 0 ? 'missing FILE' : `one FILE, got ${positionals.join(' ')}`}\nusage: ${RUN_USAGE}`);
  const timeoutSeconds = numberOption('--timeout', values.timeout, DEFAULT_TIMEOUT_MS / 1000, 0, fail);
  const memoryMb = numberOption('--memory', values.memory, DEFAULT_MEMORY_MB, 64, fail);
  const source = readSource(positionals[0]!);
  if ('error' in source) return fail(source.error);
  const { file } = source;
  const node = values.node;
  const target: RunTarget = node === undefined ? { kind: 'script' } : /^\d+$/.test(node) ? { kind: 'line', file, line: Number(node) } : { kind: 'uid', uid: node };
  const json = values.json === true;
  const dist = __dirname;
  const { esbuild } = await loadEsbuild(dist).catch((error: unknown) => fail((error as Error).message, 1));
  const events: TraceEvent[] = [];
  const graphs: unknown[] = [];
  // No `transform` (instrumentAddCalls): it needs the TypeScript compiler, whose loading costs more than the stacks
  // `add` captures without it, in all but very large scripts (same locations either way).
  const library = libraryFor(file, dist);
  if (library.note) process.stderr.write(`${library.note}\n`);
  const caching = values.cache !== undefined && values['no-cache'] !== true ? cachingRun(values.cache) : undefined;
  const handle = startRun({
    file, target, runnerPath: `${dist}/runner.js`, libraryPath: library.path, esbuild,
    timeoutMs: timeoutSeconds * 1000, memoryMb, printTrace: values.verbose === true && !json, ...caching,
  }, {
    onMessage(message) {
      if (message.type === 'graph/snapshot') graphs.push(message.graph);
      if (message.type === 'trace/append' && json) events.push(...message.events);
    },
    onOutput(text, stream) {
      (stream === 'stdout' && !json ? process.stdout : process.stderr).write(text);
    },
  });
  let stoppedBy: keyof typeof SIGNAL_CODES | undefined;
  const stop = (signal: keyof typeof SIGNAL_CODES): void => {
    stoppedBy ??= signal;
    handle.cancel();
  };
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
  // The reader of our output went away (`pyflow run … | head`): stop the run as a shell's SIGPIPE would.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stop('SIGPIPE');
  });
  const outcome = await handle.done;
  if (json) process.stdout.write(`${JSON.stringify({ graphs, events, outcome }, null, 2)}\n`);
  else if (outcome.status === 'done' && outcome.message.preview !== undefined) process.stdout.write(`${outcome.message.target} = ${outcome.message.preview}\n`);
  else if (outcome.status !== 'done' && stoppedBy !== 'SIGPIPE') process.stderr.write(`pyflow: ${describeOutcome(outcome, timeoutSeconds, stoppedBy)}\n`);
  return outcome.status === 'done' ? 0 : stoppedBy ? SIGNAL_CODES[stoppedBy] : 1;
}

/**
 * What a run with the result cache adds: the bundler reads each op's code (the TypeScript compiler, loaded for this
 * only) and writes `add` locations into the calls, and the runner opens the store.
 */
function cachingRun(dir: string): Pick<RunRequest, 'transform' | 'cache'> {
  const { transform, fingerprints } = loadAnalysis().fingerprintingTransform(nodeFingerprintHost);
  return { transform, cache: { dir: resolve(dir === '' ? defaultCacheDir(process.cwd()) : dir), maxBytes: DEFAULT_MAX_BYTES, fingerprints } };
}

function describeOutcome(outcome: Exclude<RunOutcome, { status: 'done' }>, timeoutSeconds: number, signal: string | undefined): string {
  switch (outcome.status) {
    case 'failed': return describeError(outcome.error);
    case 'timeout': return `the run timed out after ${timeoutSeconds} s${outcome.running ? ` while ${describeOp(outcome.running)} was running` : ''} (--timeout SECONDS, 0: none)`;
    case 'cancelled': return `stopped${signal ? ` by ${signal}` : ''}${outcome.running ? ` while ${describeOp(outcome.running)} was running` : ''}`;
  }
}

/** The message once, then where the user's code threw. */
export function describeError(error: SerializedError): string {
  return error.stack ? `${error.message}\n${error.stack}` : error.message;
}

function numberOption(name: string, text: string | undefined, fallback: number, min: number, fail: (message: string) => never): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min) fail(`${name} needs a number >= ${min}, got "${text}"`);
  return value;
}
