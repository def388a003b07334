import { readFileSync, readdirSync } from 'node:fs';

/* Which processes are still running, read from /proc (Linux). A zombie waiting for its reaper counts as gone. */

export interface ProcessInfo {
  pid: number;
  pgid: number;
  command: string;
}

export function livingProcesses(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The fields after "(comm)": state ppid pgrp ...; comm itself may hold spaces and parentheses.
      const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(name), pgid: Number(pgid), command });
    } catch {}
  }
  return found;
}

/** The living processes of a process group. */
export function processGroup(pgid: number): ProcessInfo[] {
  return livingProcesses().filter((p) => p.pgid === pgid);
}

/** The living processes whose command line contains `text` (a run directory, say). */
export function processesMentioning(text: string): ProcessInfo[] {
  return livingProcesses().filter((p) => p.command.includes(text) && p.pid !== process.pid);
}
