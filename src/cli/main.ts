import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { extractGraph } from '../analysis/extractGraph.js';
import { refineWithTypes } from '../analysis/refineWithTypes.js';
import { instrumentAddCalls } from '../analysis/instrument.js';
import { formatTraceEvent, toDot, type GraphModel, type TraceEvent } from '../core/index.js';
import { renderGraphHtml, renderGraphSvg } from '../view/index.js';
import { startRun } from '../runner/startRun.js';
import { libraryFor } from '../runner/library.js';
import type { Esbuild } from '../runner/bundleScript.js';
import type { RunTarget } from '../protocol/index.js';

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
  if (!['json', 'dot', 'svg', 'html'].includes(format)) fail(`unknown format "${format}" (json, dot, svg or html)`);
  const { file, text } = readSource(args[0]);
  const quick = extractGraph(text, file);
  const result = refineWithTypes(text, file, quick) ?? quick;
  delete result.typesPending;
  if (format !== 'json') {
    for (const d of result.diagnostics) process.stderr.write(`${d.range.file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}\n`);
    if (result.graphs.length === 0) fail(`no pyflow graph in ${file}`, 1);
  }
  let body: string;
  if (format === 'json') body = `${JSON.stringify(result, null, 2)}\n`;
  else if (format === 'dot') body = result.graphs.map((g) => toDot(g, { full })).join('\n');
  else if (format === 'html') body = await renderGraphHtml(result.graphs, { full, title: basename(file) });
  else if (result.graphs.length === 1) body = await renderGraphSvg(result.graphs[0]!, { full });
  else return writeSvgs(result.graphs, full, out);
  if (out) writeFileSync(out, body);
  else process.stdout.write(body);
}

/** Several graphs as SVG: one file each, OUT with the graph alias before the extension. */
async function writeSvgs(graphs: GraphModel[], full: boolean, out: string | undefined): Promise<void> {
  if (!out) fail(`${graphs.length} graphs in this file: an SVG holds one; use --format html, or -o OUT.svg to write one file per graph`);
  for (const g of graphs) {
    const path = out.replace(/(\.svg)?$/, `.${g.alias.replace(/[^A-Za-z0-9_.-]+/g, '_')}.svg`);
    writeFileSync(path, await renderGraphSvg(g, { full }));
    process.stderr.write(`wrote ${path}\n`);
  }
}

async function runCommand(args: string[]): Promise<void> {
  const verbose = flag(args, '--verbose');
  const json = flag(args, '--json');
  const node = option(args, '--node');
  const { file } = readSource(args[0]);
  const target: RunTarget = node === undefined ? { kind: 'script' } : /^\d+$/.test(node) ? { kind: 'line', file, line: Number(node) } : { kind: 'uid', uid: node };
  const dist = __dirname;
  const esbuild = require(`${dist}/esbuild`) as Esbuild;
  const events: TraceEvent[] = [];
  const graphs: unknown[] = [];
  const library = libraryFor(file, dist);
  if (library.note) process.stderr.write(`${library.note}\n`);
  const handle = startRun({ file, target, runnerPath: `${dist}/runner.js`, libraryPath: library.path, esbuild, transform: instrumentAddCalls, timeoutMs: 0 }, {
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
