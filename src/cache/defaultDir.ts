import { join } from 'node:path';

/** Where a workspace's (or the current directory's) cache lives by default. */
export function defaultCacheDir(root: string): string {
  return join(root, '.pyflow', 'cache');
}
