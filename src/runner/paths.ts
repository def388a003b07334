import { resolve } from 'node:path';
import { realpathSync } from 'node:fs';

/** Whether two paths name the same file (resolving symlinks where they exist). */
export function sameFile(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function canonical(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}
