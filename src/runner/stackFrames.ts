import { fileURLToPath } from 'node:url';

/**
 * The frames of a stack that belong to the user's code: `stack` is an Error's stack as Node prints it
 * (source-mapped under --enable-source-maps); frames in `internalDirs` (pyflow's library and runner, the
 * bundle) and Node's own are left out. Returns the `    at …` lines, innermost first, or undefined if none is left.
 */
export function userFrames(stack: string | undefined, internalDirs: readonly string[]): string | undefined {
  if (stack === undefined) return undefined;
  const frames = stack.split(/\r?\n/).filter((line) => /^\s+at /.test(line) && isUserFrame(line, internalDirs));
  return frames.length > 0 ? frames.map((line) => `    ${line.trim()}`).join('\n') : undefined;
}

function isUserFrame(line: string, internalDirs: readonly string[]): boolean {
  const file = frameFile(line);
  if (file === undefined || file.startsWith('node:') || file === 'native' || file.startsWith('<')) return false;
  return !internalDirs.some((dir) => isInside(file, dir));
}

/** The file of an `at fn (file:line:col)` or `at file:line:col` frame. */
function frameFile(line: string): string | undefined {
  const location = /\(([^()]*)\)\s*$/.exec(line)?.[1] ?? line.trim().replace(/^at\s+(async\s+)?/, '');
  const file = location.replace(/:\d+:\d+$/, '').replace(/:\d+$/, '');
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return file;
    }
  }
  return file;
}

function isInside(file: string, dir: string): boolean {
  const norm = (p: string): string => (process.platform === 'win32' ? p.replace(/\//g, '\\').toLowerCase() : p);
  const f = norm(file);
  const d = norm(dir).replace(/[\\/]+$/, '');
  return f === d || f.startsWith(`${d}/`) || f.startsWith(`${d}\\`);
}
