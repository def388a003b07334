/** What an option must be: a test, and the words an error uses for it. */
type Rules = Record<string, [check: (v: unknown) => boolean, expected: string]>;

const ADD_OPTIONS: Rules = {
  nOut: [(v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number >= 0'],
  persist: [(v) => typeof v === 'boolean', 'true or false'],
  rank: [(v) => Number.isInteger(v), 'a whole number (equal ranks share a row)'],
  shape: [(v) => typeof v === 'string' && v !== '', 'a Graphviz shape name such as "box" or "cylinder"'],
  color: [(v) => typeof v === 'string' && v !== '', 'a colour name or "#rrggbb"'],
  fontsize: [(v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a number > 0'],
  alias: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  outputAlias: [
    (v) => (typeof v === 'string' && v !== '') || (Array.isArray(v) && v.length > 0 && v.every((name) => typeof name === 'string' && name !== '')),
    'a non-empty string, or an array of them (one per output)',
  ],
  cache: [(v) => v === false || v === 'refresh', "false (never cached) or 'refresh' (called, and its result stored again)"],
  version: [(v) => typeof v === 'string', 'a string (change it to invalidate the cached results of this op)'],
  group: [(v) => typeof v === 'string' && isGroupPath(v), 'a group name, nested with "/" ("cleaning" or "cleaning/outliers"; no empty part)'],
};

/** A group path: names separated by `/`, none of them empty. */
export function isGroupPath(v: string): boolean {
  return v !== '' && v.split('/').every((part) => part !== '');
}

const GRAPH_OPTIONS: Rules = {
  alias: ADD_OPTIONS.alias!,
  persist: ADD_OPTIONS.persist!,
  verbose: [(v) => typeof v === 'boolean', 'true or false'],
  log: [(v) => typeof v === 'function', 'a function receiving each line'],
  onRelease: [(v) => typeof v === 'function', 'a function (value, node) => void'],
  callSites: [(v) => typeof v === 'boolean', 'true or false'],
  concurrency: [(v) => Number.isInteger(v) && (v as number) >= 1, 'a whole number >= 1'],
  executor: [
    (v) =>
      hasMethods(v, ['owns', 'run', 'close']) &&
      Number.isInteger((v as { concurrency?: unknown }).concurrency) &&
      (v as { concurrency: number }).concurrency >= 1,
    'an Executor (such as workerPool()): owns, run and close methods, concurrency >= 1',
  ],
  cache: [
    (v) => v === false || hasMethods(v, ['keyOfValue', 'keyOfOp', 'has', 'read', 'write']),
    "a ResultCache (keyOfValue, keyOfOp, has, read and write methods), or false (not even the runner's)",
  ],
};

/** Every option name of `G.add(fn, options)` and `new GraphBuilder(options)` (the static extractor warns of others). */
export const OPTION_NAMES: ReadonlySet<string> = new Set([...Object.keys(ADD_OPTIONS), ...Object.keys(GRAPH_OPTIONS)]);

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** What is wrong with the options of `G.add(fn, options)`, as the end of a sentence; undefined when nothing is. */
export function addOptionsProblem(options: unknown): string | undefined {
  return optionsProblem(options, ADD_OPTIONS);
}

/** What is wrong with the options of `new GraphBuilder(options)`; undefined when nothing is. */
export function graphOptionsProblem(options: unknown): string | undefined {
  return optionsProblem(options, GRAPH_OPTIONS);
}

/**
 * What is wrong with one option's value, by the rule of `add` or `new GraphBuilder` that has that name (the static
 * extractor checks literal options with it); undefined when nothing is, or when no option has that name.
 */
export function optionValueProblem(key: string, value: unknown): string | undefined {
  const rule = Object.hasOwn(ADD_OPTIONS, key) ? ADD_OPTIONS[key] : Object.hasOwn(GRAPH_OPTIONS, key) ? GRAPH_OPTIONS[key] : undefined;
  return rule === undefined || value === undefined || rule[0](value) ? undefined : `option "${key}" must be ${rule[1]}, got ${describe(value)}`;
}

function optionsProblem(options: unknown, known: Rules): string | undefined {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return `options must be an object such as { ${Object.keys(known)[0]}: … }, got ${describe(options)}`;
  }
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key];
    const rule = Object.hasOwn(known, key) ? known[key] : undefined;
    if (rule === undefined) {
      const guess = closest(key, Object.keys(known));
      return `unknown option "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; the options are ${Object.keys(known).join(', ')}`;
    }
    // An option left undefined is an option not given (`{ rank: maybeRank }`).
    if (value !== undefined && !rule[0](value)) return `option "${key}" must be ${rule[1]}, got ${describe(value)}`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return `${String(value)} (${value === null ? 'null' : typeof value})`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}

/** The known name nearest to a misspelt one (at most 2 edits, or the same letters in any case), if any. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
