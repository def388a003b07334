import { defineCommand, fail, oneFile } from './command.js';
import { readSource } from './readSource.js';
import type * as GraphCommand from './graphCommand.js';

const FORMATS = ['json', 'dot', 'svg', 'html'] as const;

/** `pyflow graph`: its flags and help; the work is in graphCommand.ts (dist/cli-graph.js), loaded only when it runs. */
export const graphCommand = defineCommand({
  name: 'graph',
  args: 'FILE',
  summary: 'print the graph of FILE (static analysis: nothing runs)',
  description: `Prints the graphs FILE builds, found by reading its source (nothing runs): JSON (the default), Graphviz DOT,
or drawn as SVG or HTML with the extension's layout. Problems in the source go to stderr as file:line:col.`,
  options: {
    full: { type: 'boolean', help: 'draw the data nodes too (dot, svg, html)' },
    format: { type: 'string', value: FORMATS.join('|'), help: 'the output format (default json)' },
    out: { type: 'string', short: 'o', value: 'OUT', help: 'write to OUT instead of stdout (svg with several graphs: one file each)' },
  },
  async run(values, positionals) {
    const format = values.format ?? 'json';
    if (!isFormat(format)) fail(`unknown format "${format}" (json, dot, svg or html)`);
    const source = readSource(oneFile(positionals));
    if ('error' in source) fail(source.error);
    // dist/cli-graph.js holds the drawing code and loads dist/extractor.js: only this command pays for them.
    const bundle = __filename.endsWith('.ts') ? './graphCommand.js' : './cli-graph.js';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeGraph } = require(bundle) as typeof GraphCommand;
    await writeGraph({ ...source, full: values.full === true, format, out: values.out }, fail);
    return 0;
  },
});

function isFormat(format: string): format is (typeof FORMATS)[number] {
  return (FORMATS as readonly string[]).includes(format);
}
