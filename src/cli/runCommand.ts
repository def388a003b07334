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
import { defineCommand, fail, numberOption, oneFile } from './command.js';
import { libraryFor } from '../runner/library.js';

/** Exit codes of `pyflow run` besides 0 (done): 1 the run failed or timed out, 2 bad usage, 128 + n ended by signal n. */
const SIGNAL_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143, SIGPIPE: 141 } as const;

/** `pyflow run`: runs a script in the runner child, its output and trace on stdout, and exits with the outcome. */
export const runCommand = defineCommand({
  name: 'run',
  args: 'FILE',
  summary: 'run FILE, or evaluate one of its nodes, as the extension does',
  description: `Runs FILE (TypeScript or JavaScript) in a child process, bundled with esbuild, and evaluates a node (default:
the whole script). Exit code 0: done; 1: failed or timed out; 2: bad usage; 128 + n: stopped by signal n.
The argument after --cache is its DIR unless it starts with - or is a script (ends in .ts, .js, .mts, .cts,
.tsx, .jsx, .mjs or .cjs); --cache=DIR always names DIR.`,
  options: {
    node: { type: 'string', value: 'LINE|UID', help: 'evaluate the node added on line LINE, or with that uid or name' },
    verbose: { type: 'boolean', help: "print pyflow's verbose trace" },
    json: { type: 'boolean', help: "print { graphs, events, outcome } as JSON; the script's own output goes to stderr" },
    timeout: { type: 'string', value: 'SECONDS', help: `stop the run after SECONDS (default ${DEFAULT_TIMEOUT_MS / 1000}, 0: no limit)` },
    memory: { type: 'string', value: 'MB', help: `the memory limit of the script's process (default ${DEFAULT_MEMORY_MB}, at least 64)` },
    cache: {
      type: 'string',
      value: 'DIR',
      valueOptional: true,
      help: 'reuse the results of ops whose code and inputs are unchanged since an earlier run (in DIR, default ./.pyflow/cache)',
    },
    'no-cache': { type: 'boolean', help: 'do not use the cache (wins over --cache)' },
  },
  run: (values, positionals) => runScript(values, oneFile(positionals)),
});

async function runScript(
  values: { node?: string; verbose?: boolean; json?: boolean; timeout?: string; memory?: string; cache?: string; 'no-cache'?: boolean },
  fileArg: string,
): Promise<number> {
  const timeoutSeconds = numberOption('timeout', values.timeout, DEFAULT_TIMEOUT_MS / 1000, 0);
  const memoryMb = numberOption('memory', values.memory, DEFAULT_MEMORY_MB, 64);
  const source = readSource(fileArg);
  if ('error' in source) return fail(source.error);
  const { file } = source;
  const node = values.node;
  const target: RunTarget =
    node === undefined ? { kind: 'script' } : /^\d+$/.test(node) ? { kind: 'line', file, line: Number(node) } : { kind: 'uid', uid: node };
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
  const handle = startRun(
    {
      file,
      target,
      runnerPath: `${dist}/runner.js`,
      libraryPath: library.path,
      esbuild,
      timeoutMs: timeoutSeconds * 1000,
      memoryMb,
      printTrace: values.verbose === true && !json,
      ...caching,
    },
    {
      onMessage(message) {
        if (message.type === 'graph/snapshot') graphs.push(message.graph);
        if (message.type === 'trace/append' && json) events.push(...message.events);
      },
      onOutput(text, stream) {
        (stream === 'stdout' && !json ? process.stdout : process.stderr).write(text);
      },
    },
  );
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
    case 'failed':
      return describeError(outcome.error);
    case 'timeout':
      return `the run timed out after ${timeoutSeconds} s${outcome.running ? ` while ${describeOp(outcome.running)} was running` : ''} (--timeout SECONDS, 0: none)`;
    case 'cancelled':
      return `stopped${signal ? ` by ${signal}` : ''}${outcome.running ? ` while ${describeOp(outcome.running)} was running` : ''}`;
  }
}

/** The message once, then where the user's code threw. */
export function describeError(error: SerializedError): string {
  return error.stack ? `${error.message}\n${error.stack}` : error.message;
}
