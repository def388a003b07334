import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/*
 * Process trees, portably. On POSIX the runner child leads its own process group (`detached`), so one
 * signal to the group reaches every descendant that did not leave it; descendants that did (setsid, a
 * detached spawn) are found by walking parent ids while the child is alive. On Windows `detached` would
 * open a console window, so the child is spawned normally and `taskkill /T` kills the tree.
 */

const isWindows = process.platform === 'win32';

/** The spawn options that make `killTree` reach the child's whole tree. */
export const treeSpawnOptions = { detached: !isWindows, windowsHide: true } as const;

/** A process, with its start time where known (Linux), so that a pid reused by another process is not mistaken for it. */
export interface ProcessId {
  pid: number;
  start?: string;
}

interface ProcessEntry extends ProcessId {
  parent: number;
}

/** Every live descendant of `pid` (empty on Windows, where taskkill walks the tree itself). */
export function descendantsOf(pid: number): ProcessId[] {
  if (isWindows) return [];
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of processList()) {
    const list = children.get(entry.parent);
    if (list) list.push(entry);
    else children.set(entry.parent, [entry]);
  }
  const found: ProcessId[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop()!) ?? []) {
      found.push({ pid: child.pid, start: child.start });
      queue.push(child.pid);
    }
  }
  return found;
}

/** Every process: /proc on Linux, `ps` elsewhere. */
function processList(): ProcessEntry[] {
  if (process.platform === 'linux') {
    const entries: ProcessEntry[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const fields = statFields(Number(name));
      if (fields) entries.push({ pid: Number(name), parent: Number(fields[1]), start: fields[19] });
    }
    return entries;
  }
  try {
    return execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => {
        const [pid, parent] = line.trim().split(/\s+/).map(Number);
        return { pid: pid!, parent: parent! };
      });
  } catch {
    return [];
  }
}

/** The fields of /proc/PID/stat after the command name (state, ppid, …, starttime at index 19), if it still runs. */
function statFields(pid: number): string[] | undefined {
  try {
    // The command name in parentheses may contain spaces and parentheses: the fields follow the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process has ended
  }
}

/** Adds the processes of `more` not yet in `known`. */
export function mergeProcesses(known: readonly ProcessId[], more: readonly ProcessId[]): ProcessId[] {
  const seen = new Set(known.map((p) => `${p.pid}/${p.start}`));
  return [...known, ...more.filter((p) => !seen.has(`${p.pid}/${p.start}`))];
}

/**
 * Kills `pid` and every process under it with SIGKILL: its process group, the descendants found now, and
 * `known` (descendants found earlier, which may have been orphaned since).
 */
export function killTree(pid: number, known: readonly ProcessId[] = []): void {
  if (isWindows) {
    try {
      execFileSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    } catch {
      // taskkill fails when the process has already ended: nothing is left to kill.
    }
    return;
  }
  const live = descendantsOf(pid);
  signal(-pid);
  signal(pid);
  for (const p of live) signal(p.pid);
  for (const p of known) {
    // A known process that has ended may have left its pid to an unrelated one: only the same start time counts.
    if (p.start !== undefined && statFields(p.pid)?.[19] === p.start) signal(p.pid);
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone.
  }
}

/** Resident memory of a process in MB (Linux /proc, `ps` on other POSIX), or undefined when unknown (Windows). */
export function residentMb(pid: number): number | undefined {
  if (process.platform === 'linux') {
    try {
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? undefined : Number(kb) / 1024;
    } catch {
      return undefined;
    }
  }
  if (isWindows) return undefined;
  try {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return Number.isFinite(kb) && kb > 0 ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}
