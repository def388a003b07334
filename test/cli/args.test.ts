import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/* The argument parsing of the built `pyflow` binary (dist/cli.js): help, version, and every kind of bad usage. */

const REPO = resolve(__dirname, '..', '..');
const QUICKSTART = join(REPO, 'examples', 'quickstart.ts');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

function pyflow(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), ...args], { encoding: 'utf8', cwd: REPO });
  return { code: status, stdout, stderr };
}

const HELP = `usage:
  pyflow graph FILE [options]          print the graph of FILE (static analysis: nothing runs)
  pyflow run FILE [options]            run FILE, or evaluate one of its nodes, as the extension does
  pyflow cache stats|clear [options]   show the size of the result cache of \`pyflow run --cache\`, or delete its entries
  pyflow worker [options]              run ops of cluster executors (docs/cluster.md)
  pyflow cluster status [options]      list a cluster's workers and its queue depth
  pyflow COMMAND --help                a command's options
  pyflow --version                     print pyflow's version
`;

const GRAPH_USAGE = 'usage: pyflow graph FILE [--full] [--format json|dot|svg|html] [-o OUT]';
const RUN_USAGE = 'usage: pyflow run FILE [--node LINE|UID] [--verbose] [--json] [--timeout SECONDS] [--memory MB] [--cache [DIR]] [--no-cache]';

describe('pyflow arguments (the built CLI)', () => {
  it('--help, -h and no arguments list the commands', () => {
    for (const args of [['--help'], ['-h'], []]) assert.deepEqual(pyflow(...args), { code: 0, stdout: HELP, stderr: '' }, args.join(' '));
  });

  it("--version and -v print the package's version", () => {
    assert.deepEqual(pyflow('--version'), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    assert.deepEqual(pyflow('-v'), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('graph --help prints the usage, a description and every flag', () => {
    assert.deepEqual(pyflow('graph', '--help'), {
      code: 0,
      stderr: '',
      stdout: `${GRAPH_USAGE}

Prints the graphs FILE builds, found by reading its source (nothing runs): JSON (the default), Graphviz DOT,
or drawn as SVG or HTML with the extension's layout. Problems in the source go to stderr as file:line:col.

options:
  --full                      draw the data nodes too (dot, svg, html)
  --format json|dot|svg|html  the output format (default json)
  -o, --out OUT               write to OUT instead of stdout (svg with several graphs: one file each)
  -h, --help                  print this help
`,
    });
  });

  it('run -h prints the usage, a description and every flag, also after a FILE', () => {
    const help = pyflow('run', '-h');
    assert.deepEqual(help, {
      code: 0,
      stderr: '',
      stdout: `${RUN_USAGE}

Runs FILE (TypeScript or JavaScript) in a child process, bundled with esbuild, and evaluates a node (default:
the whole script). Exit code 0: done; 1: failed or timed out; 2: bad usage; 128 + n: stopped by signal n.
The argument after --cache is its DIR unless it starts with - or is a script (ends in .ts, .js, .mts, .cts,
.tsx, .jsx, .mjs or .cjs); --cache=DIR always names DIR.

options:
  --node LINE|UID    evaluate the node added on line LINE, or with that uid or name
  --verbose          print pyflow's verbose trace
  --json             print { graphs, events, outcome } as JSON; the script's own output goes to stderr
  --timeout SECONDS  stop the run after SECONDS (default 60, 0: no limit)
  --memory MB        the memory limit of the script's process (default 4096, at least 64)
  --cache [DIR]      reuse the results of ops whose code and inputs are unchanged since an earlier run (in DIR, default ./.pyflow/cache)
  --no-cache         do not use the cache (wins over --cache)
  -h, --help         print this help
`,
    });
    assert.deepEqual(pyflow('run', QUICKSTART, '--help'), help, 'nothing runs');
  });

  it('an unknown flag is an error naming it and where the flags are listed, with exit code 2', () => {
    assert.deepEqual(pyflow('--bogus'), { code: 2, stdout: '', stderr: "pyflow: Unknown option '--bogus' (pyflow --help lists the options)\n" });
    assert.deepEqual(pyflow('graph', QUICKSTART, '-x'), {
      code: 2,
      stdout: '',
      stderr: `pyflow: Unknown option '-x' (pyflow graph --help lists the options)\n${GRAPH_USAGE}\n`,
    });
    assert.deepEqual(pyflow('run', QUICKSTART, '--verbos'), {
      code: 2,
      stdout: '',
      stderr: `pyflow: Unknown option '--verbos' (pyflow run --help lists the options)\n${RUN_USAGE}\n`,
    });
  });

  it('a flag without its value, or a value for a flag that takes none, is an error with exit code 2', () => {
    assert.deepEqual(pyflow('run', QUICKSTART, '--timeout'), {
      code: 2,
      stdout: '',
      stderr: `pyflow: Option '--timeout <value>' argument missing\n${RUN_USAGE}\n`,
    });
    assert.deepEqual(pyflow('graph', QUICKSTART, '--full=yes'), {
      code: 2,
      stdout: '',
      stderr: `pyflow: Option '--full' does not take an argument\n${GRAPH_USAGE}\n`,
    });
    assert.deepEqual(pyflow('run', QUICKSTART, '--node', '-3'), {
      code: 2,
      stdout: '',
      stderr: `pyflow: Option '--node' argument is ambiguous. Did you forget to specify the option argument for '--node'? To specify an option argument starting with a dash use '--node=-XYZ'.\n${RUN_USAGE}\n`,
    });
  });

  it('a missing FILE, two FILEs, an unknown format or command are errors with exit code 2', () => {
    assert.deepEqual(pyflow('graph'), { code: 2, stdout: '', stderr: `pyflow: missing FILE\n${GRAPH_USAGE}\n` });
    assert.deepEqual(pyflow('run', 'a.ts', 'b.ts'), { code: 2, stdout: '', stderr: `pyflow: one FILE, got a.ts b.ts\n${RUN_USAGE}\n` });
    // The argument after --cache that is not a script is its DIR (then FILE is missing); one that is, is FILE.
    assert.deepEqual(pyflow('run', '--cache', 'build'), { code: 2, stdout: '', stderr: `pyflow: missing FILE\n${RUN_USAGE}\n` });
    assert.deepEqual(pyflow('run', '--cache', 'a.mts', 'b.ts'), { code: 2, stdout: '', stderr: `pyflow: one FILE, got a.mts b.ts\n${RUN_USAGE}\n` });
    assert.deepEqual(pyflow('graph', QUICKSTART, '--format', 'png'), {
      code: 2,
      stdout: '',
      stderr: 'pyflow: unknown format "png" (json, dot, svg or html)\n',
    });
    assert.deepEqual(pyflow('draw', QUICKSTART), {
      code: 2,
      stdout: '',
      stderr: 'pyflow: unknown command "draw" (graph, run, cache, worker, cluster; pyflow --help)\n',
    });
    assert.deepEqual(pyflow('--help', 'run'), {
      code: 2,
      stdout: '',
      stderr: "pyflow: Unexpected argument 'run'. This command does not take positional arguments\n",
    });
  });

  it('a required flag left out (the cluster commands without --redis) is an error with the usage, exit code 2', () => {
    assert.deepEqual(pyflow('worker', '--concurrency', '2'), {
      code: 2,
      stdout: '',
      stderr: 'pyflow: --redis URL is needed\nusage: pyflow worker --redis URL [--concurrency N] [--root DIR] [--queue NAME] [--lock-ms MS]\n',
    });
    assert.deepEqual(pyflow('cluster', 'status'), {
      code: 2,
      stdout: '',
      stderr: 'pyflow: --redis URL is needed\nusage: pyflow cluster status --redis URL [--queue NAME] [--json]\n',
    });
  });

  it('flags may come before FILE, and -o is --out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pyflow-args-')), 'quickstart.dot');
    const printed = pyflow('graph', '--format', 'dot', QUICKSTART);
    assert.equal(printed.code, 0, printed.stderr);
    assert.deepEqual(pyflow('graph', '--format=dot', '-o', out, QUICKSTART), { code: 0, stdout: '', stderr: '' });
    assert.equal(readFileSync(out, 'utf8'), printed.stdout);
    assert.match(printed.stdout, /^digraph /);
  });
});
