import { resolve } from 'node:path';
import { CacheStore } from '../cache/store.js';
import { defaultCacheDir } from '../cache/defaultDir.js';
import { CliError, defineCommand } from './command.js';

/** `pyflow cache stats|clear`: what the result cache of `pyflow run --cache` holds, or empties it. */
export const cacheCommand = defineCommand({
  name: 'cache',
  args: 'stats|clear',
  summary: 'show the size of the result cache of `pyflow run --cache`, or delete its entries',
  description: `stats: how many entries (results) and op records (what each op's last key was made of, to say why
it was recomputed) the cache holds, and their size; clear: deletes them all. The cache is the directory
\`pyflow run --cache\` uses (default ./.pyflow/cache).`,
  options: {
    cache: { type: 'string', value: 'DIR', help: 'the cache directory (default ./.pyflow/cache)' },
  },
  run: async (values, positionals) => {
    const [action, ...rest] = positionals;
    if ((action !== 'stats' && action !== 'clear') || rest.length > 0) {
      throw new CliError(action === undefined ? 'missing stats or clear' : `unknown cache command "${positionals.join(' ')}" (stats or clear)`, 2, true);
    }
    const store = new CacheStore({ dir: resolve(values.cache || defaultCacheDir(process.cwd())) });
    if (action === 'clear') {
      const { entries, records } = store.clear();
      process.stdout.write(`cleared ${count(entries, 'entry', 'entries')} and ${count(records, 'op record', 'op records')} from ${store.dir}\n`);
    } else {
      const stats = store.stats();
      process.stdout.write(
        `${stats.dir}: ${count(stats.entries, 'entry', 'entries')}, ${count(stats.records, 'op record', 'op records')}, ${megabytes(stats.bytes)} MB\n`,
      );
    }
    return 0;
  },
});

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function megabytes(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}
