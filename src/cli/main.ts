import { CliError, commandHelp, parseCommandArgs, parseStrict, usageLine, type Command } from './command.js';
import { graphCommand } from './graph.js';
import { runCommand } from './runCommand.js';
import { cacheCommand } from './cacheCommand.js';
import { clusterCommand, workerCommand } from './cluster.js';

/** Every subcommand, in the order `pyflow --help` lists them. */
const COMMANDS: Command[] = [graphCommand, runCommand, cacheCommand, workerCommand, clusterCommand];

const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h', help: 'print the commands' },
  version: { type: 'boolean', short: 'v', help: "print pyflow's version" },
} as const;

declare const PYFLOW_VERSION: string;

/** The package's version: set by esbuild in dist/, read from package.json when run from source. */
function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return typeof PYFLOW_VERSION === 'string' ? PYFLOW_VERSION : (require('../../package.json') as { version: string }).version;
}

function globalHelp(): string {
  const rows: [string, string][] = COMMANDS.map((c) => [`${['pyflow', c.name, c.args].filter(Boolean).join(' ')} [options]`, c.summary]);
  rows.push(['pyflow COMMAND --help', "a command's options"], ['pyflow --version', "print pyflow's version"]);
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return `usage:\n${rows.map(([usage, summary]) => `  ${usage.padEnd(width)}   ${summary}`).join('\n')}\n`;
}

/** The command being run, whose usage follows a usage error. */
let current: Command | undefined;

/** Runs the CLI on its arguments; resolves to the exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name.startsWith('-')) {
    const { values } = parseStrict('pyflow', argv, GLOBAL_OPTIONS, false);
    process.stdout.write(values.version === true && values.help !== true ? `${version()}\n` : globalHelp());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command "${name}" (${COMMANDS.map((c) => c.name).join(', ')}; pyflow --help)`);
  current = command;
  const parsed = parseCommandArgs(command, args);
  if (!parsed) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  return command.run(parsed.values, parsed.positionals);
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  if (!(error instanceof CliError)) throw error;
  process.stderr.write(`pyflow: ${error.message}\n${error.showUsage && current ? `usage: ${usageLine(current)}\n` : ''}`);
  exit(error.exitCode);
});

/** Exits once stdout has drained: nothing a run left behind (an escaped process, a signal handler) keeps the CLI alive. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}
