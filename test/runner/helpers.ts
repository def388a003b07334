import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { startRun, type RunOutcome } from '../../src/runner/startRun.js';
import { formatTraceEvent, type GraphModel, type TraceEvent } from '../../src/core/index.js';
import { instrumentAddCalls } from '../../src/analysis/instrument.js';
import type { RunMessage, RunTarget } from '../../src/protocol/index.js';
import { waitFor } from '../waitFor.js';

export { waitFor };

export const REPO = resolve(__dirname, '..', '..');
export const DIST = join(REPO, 'dist');

export interface RunExtra {
  timeoutMs?: number;
  text?: string;
  memoryMb?: number;
  stackSites?: boolean;
  printTrace?: boolean;
  /** Ask for the graph view's data previews (`data/previews` messages), as the extension does. */
  dataPreviews?: boolean;
  /** Called with each message as it arrives, with the run's handle (e.g. to cancel once an op runs). */
  onMessage?: (message: RunMessage, cancel: () => void) => void;
  /** Called once the run has started, with its cancel. */
  onStart?: (cancel: () => void) => void;
}

/** Runs as the extension does (add call sites written into the code), or with `stackSites`, as a plain bundle. */
export async function run(file: string, target: RunTarget, extra: RunExtra = {}) {
  const events: TraceEvent[] = [];
  const graphs: GraphModel[] = [];
  const views: { graph: GraphModel; full?: boolean; highlight?: string[] }[] = [];
  const messages: RunMessage[] = [];
  let stdout = '';
  let stderr = '';
  const transform = extra.stackSites ? undefined : instrumentAddCalls;
  const handle = startRun(
    {
      file,
      text: extra.text,
      target,
      runnerPath: join(DIST, 'runner.js'),
      libraryPath: join(DIST, 'lib', 'index.mjs'),
      esbuild,
      transform,
      timeoutMs: extra.timeoutMs,
      memoryMb: extra.memoryMb,
      printTrace: extra.printTrace,
      dataPreviews: extra.dataPreviews,
    },
    {
      onMessage: (m) => {
        messages.push(m);
        if (m.type === 'trace/append') events.push(...m.events);
        if (m.type === 'graph/snapshot') graphs.push(m.graph);
        if (m.type === 'graph/view') views.push({ graph: m.graph, full: m.full, highlight: m.highlight });
        extra.onMessage?.(m, () => handle.cancel());
      },
      onOutput: (text, stream) => {
        if (stream === 'stdout') stdout += text;
        else stderr += text;
      },
    },
  );
  extra.onStart?.(() => handle.cancel());
  const outcome: RunOutcome = await handle.done;
  return { outcome, lines: events.map(formatTraceEvent).filter((l) => l !== undefined), events, messages, stdout, stderr, graphs, views };
}

/** Whether a process runs (a zombie waiting for a reaper counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until every pid written (one per line) into `pidFile` is gone. */
export async function allGone(pidFile: string): Promise<number[]> {
  const pids = readFileSync(pidFile, 'utf8').trim().split('\n').filter(Boolean).map(Number);
  await waitFor(`processes ${pids.join(', ')} to be gone`, () => pids.every((pid) => !isAlive(pid)));
  return pids;
}

/** A temporary script file with this text. */
export function script(body: string, name = 'script.ts'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-test-'));
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

/** A temporary file path for pids (the scripts append theirs). */
export function pidFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'pyflow-pid-')), 'pids');
}

/**
 * Script code that starts `sleep 300` grandchildren and appends their pids to `file`: one in the runner's
 * process group, and one `detached` (a group of its own, as setsid makes), which only the tree walk reaches.
 */
export function spawnSleepers(file: string): string {
  return `import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
function spawnSleepers(): void {
  for (const detached of [false, true]) {
    const child = spawn('sleep', ['300'], { stdio: 'ignore', detached });
    child.unref();
    appendFileSync(${JSON.stringify(file)}, child.pid + '\\n');
  }
}
`;
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`${needle} is not in the script`);
  return text.slice(0, index).split('\n').length;
}

/** A script whose op `shout` writes 10 MB (10,240 lines of 1,023 digits) to stdout, then returns 7. */
export const SHOUT_10_MB = `import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder();
function shout(): number {
  for (let i = 0; i < 10 * 1024; i++) process.stdout.write(String(i % 10).repeat(1023) + '\\n');
  return 7;
}
const x = G.add(shout)();
console.log(x.get());
`;

/** What `shout` in SHOUT_10_MB writes, byte for byte. */
export function shout10MbOutput(): string {
  let text = '';
  for (let i = 0; i < 10 * 1024; i++) text += `${String(i % 10).repeat(1023)}\n`;
  return text;
}
