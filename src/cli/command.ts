import { parseArgs } from 'node:util';

/** One flag of a command: what `parseArgs` needs, plus the words its help shows. */
export interface Option {
  type: 'string' | 'boolean';
  short?: string;
  /** The placeholder of a string option's value in the usage line, e.g. `SECONDS` or `json|dot`. */
  value?: string;
  /** One line for `--help`. */
  help: string;
  /**
   * A string option that may also be given alone (`--cache` means `--cache=`, an empty value). Its value is
   * `--name=VALUE`, or the next argument unless that is a flag or a script (see `takesNextAsValue`).
   */
  valueOptional?: boolean;
  /** A string option the command cannot run without: shown unbracketed in the usage, its absence a usage error. */
  required?: true;
}

export type Options = Record<string, Option>;

/** What `parseArgs` gives a command: strings for string options, `true` for the boolean ones present. */
export type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean };

/** A `pyflow` subcommand: its name, arguments and flags (for parsing and for `--help`), and what it does. */
export interface Command<O extends Options = Options> {
  name: string;
  /** The positional arguments in the usage line, e.g. `FILE`. */
  args: string;
  /** One line for `pyflow --help`. */
  summary: string;
  /** A paragraph under the usage in `pyflow NAME --help`. */
  description: string;
  options: O;
  /** Runs the command; resolves to the exit code. Bad usage throws a `CliError`. */
  run(values: Values<O>, positionals: string[]): Promise<number>;
}

/** Types a command's values after its options. `-h, --help` is added to every command. */
export function defineCommand<const O extends Options>(command: Command<O>): Command<O> {
  return command;
}

/** A failure the CLI reports as `pyflow: MESSAGE` and exits with `exitCode` (2: bad usage), then the usage if `showUsage`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** Throws a `CliError`: the `fail` callback the commands pass down. */
export function fail(message: string, exitCode = 2): never {
  throw new CliError(message, exitCode);
}

const HELP: Option = { type: 'boolean', short: 'h', help: 'print this help' };

/** `pyflow NAME FILE [--flag] [--option VALUE] …`: the flags in their declared order, a short name where there is one. */
export function usageLine(command: Command): string {
  const flags = Object.entries(command.options).map(([name, option]) => {
    const flag = option.short ? `-${option.short}` : `--${name}`;
    if (option.valueOptional) return `[${flag} [${option.value ?? 'VALUE'}]]`;
    if (option.required) return `${flag} ${option.value ?? 'VALUE'}`;
    return `[${option.type === 'string' ? `${flag} ${option.value ?? 'VALUE'}` : flag}]`;
  });
  return [`pyflow ${command.name}`, command.args, ...flags].filter(Boolean).join(' ');
}

/** `pyflow NAME --help`: the usage line, the description, and one line per flag. */
export function commandHelp(command: Command): string {
  const rows = Object.entries({ ...command.options, help: HELP }).map(([name, option]) => {
    const value = option.type !== 'string' ? '' : option.valueOptional ? ` [${option.value ?? 'VALUE'}]` : ` ${option.value ?? 'VALUE'}`;
    const names = `${option.short ? `-${option.short}, ` : ''}--${name}${value}`;
    return [names, option.help] as const;
  });
  const width = Math.max(...rows.map(([names]) => names.length));
  return `usage: ${usageLine(command)}\n\n${command.description}\n\noptions:\n${rows.map(([names, help]) => `  ${names.padEnd(width)}  ${help}`).join('\n')}\n`;
}

/**
 * Parses a command's arguments strictly: an unknown flag, a missing value or a value given to a boolean flag is a
 * `CliError` (exit code 2) followed by the usage. Returns `undefined` when `--help` was asked for.
 */
export function parseCommandArgs<O extends Options>(command: Command<O>, args: string[]): { values: Values<O>; positionals: string[] } | undefined {
  const parsed = parseStrict(`pyflow ${command.name}`, args, { ...command.options, help: HELP }, true);
  if (parsed.values.help === true) return undefined;
  for (const [name, option] of Object.entries(command.options)) {
    if (option.required && !parsed.values[name]) throw new CliError(`--${name} ${option.value ?? 'VALUE'} is needed`, 2, true);
  }
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/**
 * `parseArgs` in strict mode, positionals allowed for a subcommand; its errors become a `CliError` whose message says
 * what to do, followed by the subcommand's usage.
 */
export function parseStrict(
  command: string,
  args: string[],
  options: Options,
  isSubcommand: boolean,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const config = Object.fromEntries(Object.entries(options).map(([name, { type, short }]) => [name, short ? { type, short } : { type }]));
  const alone = new Set(
    Object.entries(options)
      .filter(([, option]) => option.valueOptional)
      .map(([name]) => `--${name}`),
  );
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!alone.has(arg)) joined.push(arg);
    else if (takesNextAsValue(args[i + 1])) joined.push(`${arg}=${args[++i]}`);
    else joined.push(`${arg}=`);
  }
  try {
    return parseArgs({ args: joined, options: config, allowPositionals: isSubcommand, strict: true });
  } catch (error) {
    throw new CliError(parseErrorMessage(error as Error & { code?: string }, command), 2, isSubcommand);
  }
}

/** A script FILE's extensions: such an argument after an option whose value is optional is the FILE, not the value. */
const SCRIPT = /\.[cm]?[jt]sx?$/i;

/**
 * Whether the argument after an option whose value is optional (`--cache DIR`) is its value: yes unless it is a
 * flag, `--` or a script (`pyflow run --cache main.ts` caches in the default directory). A directory whose name
 * ends like a script is given as `--cache=DIR`.
 */
export function takesNextAsValue(next: string | undefined): boolean {
  return next !== undefined && !next.startsWith('-') && !SCRIPT.test(next);
}

/** Node's parseArgs messages on one line; an unknown flag also says where the valid ones are listed. */
function parseErrorMessage(error: Error & { code?: string }, command: string): string {
  const unknown = error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /^Unknown option '(.*?)'/.exec(error.message);
  if (unknown) return `Unknown option '${unknown[1]}' (${command} --help lists the options)`;
  return error.message.replace(/\s*\n\s*/g, ' ');
}

/** The one FILE a command takes, or a `CliError` with the usage. */
export function oneFile(positionals: string[]): string {
  if (positionals.length === 1) return positionals[0]!;
  throw new CliError(positionals.length === 0 ? 'missing FILE' : `one FILE, got ${positionals.join(' ')}`, 2, true);
}

/** A number option's value, at least `min`, or its default when absent; anything else is a `CliError`. */
export function numberOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min) fail(`--${name} needs a number >= ${min}, got "${text}"`);
  return value;
}
