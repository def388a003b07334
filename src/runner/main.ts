import { pathToFileURL } from 'node:url';
import { HOST_SYMBOL, PyflowError, type PyflowHost, type TraceEvent } from '../core/index.js';
import { PROTOCOL_VERSION, TracePacker, type RunnerToHost, type SerializedError } from '../protocol/index.js';
import { RUNNER_ENV, type RunnerConfig } from './config.js';
import { findTarget, type RuntimeGraph } from './targets.js';

declare const PYFLOW_VERSION: string;

/*
 * The child process of a run: installs the pyflow host hook, imports the user's bundled script, and
 * evaluates the requested target as soon as the script has built it (at the script's first evaluation
 * call, or when the script ends). Messages go to the parent over the IPC channel only.
 */

class TargetEvaluated extends Error {
  constructor() {
    super('pyflow: the script stopped here because the requested node was evaluated (Evaluate here)');
  }
}

const config = JSON.parse(process.env[RUNNER_ENV] ?? '{}') as RunnerConfig;
const graphs: RuntimeGraph[] = [];
const pending = new TracePacker();
/**
 * Batches go out when full, and every `flushMs` while events trickle in: one interval for the whole run (a timer
 * per batch cost more than the batch's own sending), unref'd so it never keeps the script alive.
 */
const flushTimer = setInterval(() => flush(), config.flushMs);
flushTimer.unref();
let takeover: Promise<void> | undefined;
let evaluating = false;
let finished = false;

function send(message: RunnerToHost): void {
  process.send?.(message);
}

function flush(): void {
  if (pending.count === 0) return;
  send({ type: 'trace/packed', ...pending.take() });
}

function queue(event: TraceEvent): void {
  pending.add(event);
  if (pending.count >= config.batchSize) flush();
}

/** Graphs larger than this are not sent: no view lays them out, and the static graph stays on screen. */
const SNAPSHOT_MAX_OPS = 5000;

function snapshot(): void {
  for (const graph of graphs) {
    if (graph.operations.length <= SNAPSHOT_MAX_OPS) send({ type: 'graph/snapshot', graph: graph.toJSON() });
  }
}

const host: PyflowHost = {
  captureCallSites: true,
  previewValues: true,
  graphCreated(graph) {
    const g = graph as RuntimeGraph;
    graphs.push(g);
    g.subscribe(queue);
  },
  showGraph(graph, options) {
    send({ type: 'graph/view', graph: (graph as RuntimeGraph).toJSON(), full: options.full, highlight: options.highlight });
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
    finish({ type: 'run/done', target: target.label, preview: value, note: target.note });
  } catch (error) {
    flush();
    finish({ type: 'run/failed', error: serializeError(error) });
  }
}

function finish(message: RunnerToHost): void {
  if (finished) return;
  finished = true;
  flush();
  clearInterval(flushTimer);
  process.send?.(message, () => process.exit(message.type === 'run/done' ? 0 : 1));
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
    if (error instanceof PyflowError || (error as { name?: string }).name === 'PyflowError') {
      const e = error as PyflowError;
      out.code = e.code;
      if (e.uid) out.uid = e.uid;
      if (e.callSite) out.source = { ...e.callSite };
    }
    return out;
  }
  return { name: 'Error', message: String(error) };
}

async function main(): Promise<void> {
  send({ type: 'hello', protocol: PROTOCOL_VERSION, libraryVersion: PYFLOW_VERSION });
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  try {
    await import(pathToFileURL(config.bundle).href);
  } catch (error) {
    if (!(error instanceof TargetEvaluated)) {
      finish({ type: 'run/failed', error: serializeError(error) });
      return;
    }
  }
  if (takeover) return takeover;
  flush();
  if (config.target.kind === 'script') {
    // Let the script's pending work (timers, promises) finish; the IPC channel must not keep us alive.
    process.channel?.unref();
    process.once('beforeExit', () => {
      process.channel?.ref();
      snapshot();
      finish({ type: 'run/done' });
    });
    return;
  }
  const target = findTarget(graphs, config.target);
  if (!target) {
    finish({ type: 'run/failed', error: { name: 'PyflowError', code: 'UNKNOWN_NODE', message: describeMissing() } });
    return;
  }
  takeover = evaluate(target);
  return takeover;
}

function onStray(error: unknown): void {
  if (error instanceof TargetEvaluated) return;
  finish({ type: 'run/failed', error: serializeError(error) });
}

function describeMissing(): string {
  const t = config.target;
  const what = t.kind === 'line' ? `at ${t.file}:${t.line}` : t.kind === 'uid' ? `named ${t.uid}` : 'to run';
  if (graphs.length === 0) return `The script created no GraphBuilder, so there is no node ${what}.`;
  const ops = graphs.flatMap((g) => g.operations.map((op) => `${op.uid}${op.callSite ? ` (line ${op.callSite.line})` : ''}`));
  return `No pyflow node ${what} was added when the script ran. Nodes added: ${ops.slice(0, 20).join(', ')}${ops.length > 20 ? ', …' : ''}.`;
}

void main();
