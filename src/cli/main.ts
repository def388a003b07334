import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { extractGraph } from '../analysis/extractGraph.js';
import { refineWithTypes } from '../analysis/refineWithTypes.js';
import { toDot, type GraphModel } from '../core/index.js';
import { renderGraphHtml, renderGraphSvg } from '../view/index.js';
import { RUN_USAGE, runCommand } from './runCommand.js';
import { readSource } from './readSource.js';

const USAGE = `usage:
  pyflow graph FILE [--full] [--format json|dot|svg|html] [-o OUT]   print the graph of FILE (static, nothing runs)
  ${RUN_USAGE}`;

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
  if (!['json', 'dot', 'svg', 'html'].includes(format)) fail(`unknown format "${format}" (json, dot, svg or html)`);
  const { file, text } = readSourceOrFail(args[0]);
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

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'graph') return graphCommand(args);
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
