import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HOST_SYMBOL, PyflowError, formatTraceEvent, type CallSite, type PyflowHost, type TraceEvent } from '../core/index.js';
import { PROTOCOL_VERSION, TracePacker, type RunnerToHost, type RunningOp, type SerializedError } from '../protocol/index.js';
import { RUNNER_ENV, type RunnerCacheConfig, type RunnerConfig } from './config.js';
import type { ResultCache } from '../core/executor.js';
import { DiskCache } from '../cache/diskCache.js';
import { readFingerprintTable } from '../cache/fingerprintTable.js';
import { WORKER_HOST_SYMBOL, type WorkerHost } from '../executors/workerHost.js';
import { RunPreviews } from './previews.js';
import { userFrames } from './stackFrames.js';
import { findTarget, type RuntimeGraph } from './targets.js';

declare const PYFLOW_VERSION: string;

/*
 * The child process of a run: installs the pyflow host hook, imports the user's bundled script, and
 * evaluates the requested target as soon as the script has built it (at the script's first evaluation
 * call, or when the script ends). Messages go to the parent over the IPC channel only, through Node's
 * inner `process._send` kept here before the user's code loads; the user's own `process.send` and
 * `process._send` calls are dropped, so only the runner can report how the run ended. After its outcome, the runner
 * waits for the parent to end the process tree (it exits by itself if the parent goes away).
 */

class TargetEvaluated extends Error {
  constructor() {
    super('pyflow: the script stopped here because the requested node was evaluated (Evaluate here)');
  }
}

const config = JSON.parse(process.env[RUNNER_ENV] ?? '{}') as RunnerConfig;
/** The executors the script made (worker pools, clusters), by their close: those still open are closed when the run ends. */
const openExecutors = new Set<() => Promise<void>>();
/** Executors the script closed while the runner's own evaluation needs them: closed once it ended. */
const heldCloses: (() => Promise<void>)[] = [];
/** How long the end of a run waits for executors to close (a cluster whose Redis is gone): its values are then left
 * to the next coordinator's clean-up. */
const EXECUTOR_CLOSE_MS = 5_000;
const workerHost: WorkerHost = {
  // A worker pool's threads import the bundles of the script's op modules (TypeScript, source-mapped) instead.
  moduleUrl: (href) => Promise.resolve(config.workerModules[href] ?? href),
  moduleFingerprint: (href) => config.workerFingerprints?.[href],
  opened(close) {
    openExecutors.add(close);
  },
  close(close) {
    if (!evaluating || finished) {
      openExecutors.delete(close);
      return close();
    }
    return new Promise<void>((resolve, reject) => heldCloses.push(() => close().then(resolve, reject)));
  },
};
(globalThis as Record<symbol, unknown>)[WORKER_HOST_SYMBOL] = workerHost;
/**
 * Node's `process.send` validates its arguments and then calls `process._send`, which writes to the IPC channel.
 * The runner keeps the inner one and replaces both, so a script can reach the channel through neither.
 */
type RawSend = (message: unknown, handle: undefined, options: { swallowErrors: boolean }) => boolean;
const ipc = process as unknown as { _send?: RawSend };
const rawSend = ipc._send;
const sendToHost = rawSend ? (message: unknown): boolean => rawSend.call(process, message, undefined, { swallowErrors: false }) : undefined;
process.send = dropUserMessage;
if (rawSend) ipc._send = dropUserMessage;
process.on('disconnect', () => process.exit(1));
// The host stops a run (timeout, Stop, a signal to `pyflow run`) with SIGTERM, and kills what is left a moment later.
process.once('SIGTERM', () => void stop());
// A script that calls process.exit() still reports the events before it (e.g. its last op's `finished`).
process.on('exit', () => flush());
Error.stackTraceLimit = 50;
/**
 * pyflow's own code, which a user's stack trace leaves out: the runner and the library (each in a dist/ folder, and
 * the sources their maps point to, in src/ beside it) and the bundle's folder.
 */
const internalDirs = [...new Set([__dirname, config.libraryDist])].flatMap((dist) => [dist, resolve(dist, '..', 'src')]).concat(dirname(config.bundle));

const graphs: RuntimeGraph[] = [];
/** Each event is stamped with its time since the runner started (the time view draws ops from start to end). */
const runnerStart = performance.now();
const pending = new TracePacker(() => performance.now() - runnerStart);
/**
 * Batches go out when full, before each op runs, and every `flushMs` while events trickle in: one interval for
 * the whole run (a timer per batch cost more than the batch's own sending), unref'd so it never keeps the script alive.
 */
const flushTimer = setInterval(() => flush(), config.flushMs);
flushTimer.unref();
/** The data previews the graph view shows (Evaluate here, Run Graph; not `pyflow run`). */
const previews = config.dataPreviews ? new RunPreviews() : undefined;
let takeover: Promise<void> | undefined;
let evaluating = false;
let finished = false;
let warnedAboutSend = false;

/**
 * Trace lines to print (`printTrace`), written in one piece with each batch, and before anything else the script
 * writes to stdout, so that they stay in order with its output.
 */
let traceText = '';
const writeStdout = process.stdout.write.bind(process.stdout);
if (config.printTrace) {
  process.stdout.write = ((...args: Parameters<typeof writeStdout>) => {
    printTrace();
    return writeStdout(...args);
  }) as typeof process.stdout.write;
}

function queueTraceLine(event: TraceEvent): void {
  const line = formatTraceEvent(event);
  if (line !== undefined) traceText += `${line}\n`;
}

function printTrace(): void {
  if (traceText === '') return;
  const text = traceText;
  traceText = '';
  writeStdout(text);
}

function dropUserMessage(): boolean {
  if (!warnedAboutSend) {
    warnedAboutSend = true;
    process.stderr.write("pyflow: process.send() is reserved for the Pyflow runner during a run; the script's messages are dropped.\n");
  }
  return false;
}

/** Set by a stop: the host has decided the run's outcome, so what closing the executors causes is not reported. */
let stopping = false;

function send(message: RunnerToHost): void {
  if (process.connected && !stopping) sendToHost?.(message);
}

function flush(running?: RunningOp): void {
  printTrace();
  // Previews wait for a flush that starts no op: the op about to run is announced without delay.
  if (!running && previews && previews.count > 0) send({ type: 'data/previews', previews: previews.take() });
  if (pending.count === 0) return;
  send(running ? { type: 'trace/packed', ...pending.take(), running } : { type: 'trace/packed', ...pending.take() });
}

/** The `add` call sites of each graph's ops, filled from the newest op back as ops start running. */
const sites = new WeakMap<RuntimeGraph, Map<string, CallSite | undefined>>();

function siteOf(graph: RuntimeGraph, uid: string): CallSite | undefined {
  let known = sites.get(graph);
  if (!known) sites.set(graph, (known = new Map()));
  if (!known.has(uid)) {
    for (let op = graph._lastOp; op !== undefined && !known.has(op.uid); op = op._prevOp) known.set(op.uid, op.callSite);
  }
  return known.get(uid);
}

function queue(graph: RuntimeGraph, event: TraceEvent): void {
  pending.add(event);
  if (event.kind === 'value') previews?.onValue(graph, event.uid);
  // The host must know which op runs before its function is called: the function may never return.
  if (event.kind === 'running') {
    const site = siteOf(graph, event.uid);
    flush(site ? { graph: event.graph, uid: event.uid, source: { ...site } } : { graph: event.graph, uid: event.uid });
  } else if (pending.count >= config.batchSize) {
    flush();
  }
}

/** Graphs larger than this are not sent: no view lays them out, and the static graph stays on screen. */
const SNAPSHOT_MAX_OPS = 5000;

function snapshot(): void {
  for (const graph of graphs) {
    if (graph.operations.length <= SNAPSHOT_MAX_OPS) send({ type: 'graph/snapshot', graph: graph.toJSON() });
  }
}

/**
 * The result cache of `--cache` / Evaluate here: every graph the script builds uses it unless its options say
 * otherwise. Ops it cannot cache are reported on stderr, once each.
 */
function openCache(options: RunnerCacheConfig): ResultCache {
  return new DiskCache({
    dir: options.dir,
    maxBytes: options.maxBytes,
    fingerprints: readFingerprintTable(options.fingerprints),
    onDiagnostic: (_op, message) => process.stderr.write(`pyflow: ${message}\n`),
    onMiss: (op, reason) => send({ type: 'cache/missed', graph: op.graph, uid: op.uid, reason }),
  });
}

const host: PyflowHost = {
  ...(config.cache ? { cache: openCache(config.cache) } : {}),
  captureCallSites: true,
  previewValues: true,
  graphCreated(graph) {
    const g = graph as RuntimeGraph;
    graphs.push(g);
    g.subscribe((event) => queue(g, event));
    if (config.printTrace && !g.verbose) g.subscribe(queueTraceLine);
  },
  showGraph(graph, options) {
    // A script in JavaScript may pass anything: the message holds only what the protocol allows.
    const highlight = Array.isArray(options.highlight) ? options.highlight.map(String) : undefined;
    send({ type: 'graph/view', graph: (graph as RuntimeGraph).toJSON(), full: options.full === true, highlight });
  },
  beforeEvaluate() {
    if (evaluating || finished || config.target.kind === 'script') return;
    const target = findTarget(graphs, config.target);
    if (!target) return;
    takeover = evaluate(target);
    throw new TargetEvaluated();
  },
};
(globalThis as Record<symbol, unknown>)[HOST_SYMBOL] = host;

async function evaluate(target: NonNullable<ReturnType<typeof findTarget>>): Promise<void> {
  evaluating = true;
  snapshot();
  try {
    const value = await target.evaluate();
    flush();
    snapshot();
    await finish({ type: 'run/done', target: target.label, preview: value, note: target.note });
  } catch (error) {
    await finish({ type: 'run/failed', error: serializeError(error) });
  }
}

/**
 * Closes the executors the script left open, and those it closed during the runner's evaluation (a cluster cancels
 * its queued ops and deletes its values from Redis). Waits at most EXECUTOR_CLOSE_MS.
 */
async function closeExecutors(): Promise<void> {
  const closes = [...heldCloses.splice(0), ...openExecutors];
  openExecutors.clear();
  if (closes.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, EXECUTOR_CLOSE_MS)));
  await Promise.race([Promise.allSettled(closes.map(async (close) => close())), late]);
  clearTimeout(timer);
}

/** SIGTERM from the host (the outcome is decided there): closes the executors and exits. */
async function stop(): Promise<void> {
  finished = true;
  clearInterval(flushTimer);
  flush();
  stopping = true;
  await closeExecutors();
  process.exit(143);
}

/** Sends the outcome once everything the script wrote has left the process (the parent then ends the tree). */
async function finish(message: RunnerToHost): Promise<void> {
  if (finished) return;
  finished = true;
  await closeExecutors();
  flush();
  clearInterval(flushTimer);
  process.channel?.ref();
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  send(message);
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const out: SerializedError = { name: String(error.name), message: String(error.message) };
  const isPyflowError = error instanceof PyflowError || error.name === 'PyflowError';
  // An op's failure: the PyflowError names the op, its cause is what the user's function threw, and where.
  const thrown = isPyflowError && error.cause instanceof Error ? error.cause : error;
  const stack = userFrames(thrown.stack, internalDirs) ?? userFrames(error.stack, internalDirs);
  if (stack !== undefined) out.stack = stack;
  if (isPyflowError) {
    const e = error as PyflowError;
    out.code = e.code;
    if (e.uid) out.uid = e.uid;
    if (e.callSite) out.source = { ...e.callSite };
  }
  return out;
}

async function main(): Promise<void> {
  send({ type: 'hello', protocol: PROTOCOL_VERSION, libraryVersion: PYFLOW_VERSION });
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  try {
    await import(pathToFileURL(config.bundle).href);
  } catch (error) {
    if (!(error instanceof TargetEvaluated)) return finish({ type: 'run/failed', error: serializeError(error) });
  }
  if (takeover) return takeover;
  flush();
  if (config.target.kind === 'script') {
    // Let the script's pending work (timers, promises) finish; the IPC channel must not keep us alive.
    process.channel?.unref();
    process.once('beforeExit', () => {
      snapshot();
      void finish({ type: 'run/done' });
    });
    return;
  }
  const target = findTarget(graphs, config.target);
  if (!target) return finish({ type: 'run/failed', error: { name: 'PyflowError', code: 'UNKNOWN_NODE', message: describeMissing() } });
  takeover = evaluate(target);
  return takeover;
}

function onStray(error: unknown): void {
  if (error instanceof TargetEvaluated) return;
  void finish({ type: 'run/failed', error: serializeError(error) });
}

function describeMissing(): string {
  const t = config.target;
  const what = t.kind === 'line' ? `at ${t.file}:${t.line}` : t.kind === 'uid' ? `named ${t.uid}` : 'to run';
  if (graphs.length === 0) return `The script created no GraphBuilder, so there is no node ${what}.`;
  const ops = graphs.flatMap((g) => g.operations.map((op) => `${op.uid}${op.callSite ? ` (line ${op.callSite.line})` : ''}`));
  return `No pyflow node ${what} was added when the script ran. Nodes added: ${ops.slice(0, 20).join(', ')}${ops.length > 20 ? ', …' : ''}.`;
}

void main();
