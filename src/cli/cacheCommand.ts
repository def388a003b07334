import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { CacheStore } from '../cache/store.js';
import { defaultCacheDir } from '../cache/defaultDir.js';

export const CACHE_USAGE = `pyflow cache stats|clear [--cache=DIR]
    the result cache of \`pyflow run --cache\`: its size, or delete every entry (default ./.pyflow/cache)`;

/** `pyflow cache stats|clear`: prints what the store holds, or empties it. */
export function cacheCommand(argv: string[], fail: (message: string, code?: number) => never): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { cache: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return fail(`${(error as Error).message}\nusage: ${CACHE_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`usage: ${CACHE_USAGE}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if ((action !== 'stats' && action !== 'clear') || rest.length > 0) return fail(`${action === undefined ? 'missing stats or clear' : `unknown cache command "${positionals.join(' ')}"`}\nusage: ${CACHE_USAGE}`);
  const store = new CacheStore({ dir: resolve(values.cache || defaultCacheDir(process.cwd())) });
  if (action === 'clear') {
    const n = store.clear();
    process.stdout.write(`cleared ${n} ${n === 1 ? 'entry' : 'entries'} from ${store.dir}\n`);
  } else {
    const stats = store.stats();
    process.stdout.write(`${stats.dir}: ${stats.entries} ${stats.entries === 1 ? 'entry' : 'entries'}, ${megabytes(stats.bytes)} MB (limit ${megabytes(stats.maxBytes)} MB)\n`);
  }
  return 0;
}

function megabytes(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}
