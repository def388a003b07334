import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../waitFor.js';

/* Real `pyflow worker` processes (the CLI from source, through tsx) for the cluster tests and benchmarks. */

export const REPO = resolve(__dirname, '..', '..');
export const OPS_ROOT = join(REPO, 'test', 'fixtures', 'cluster');
const CLI = join(REPO, 'src', 'cli', 'main.ts');

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** The name it reports in traces (host:pid). */
  readonly name: string;
  /** Everything it printed on stderr so far. */
  output(): string;
  /** SIGTERM (or `signal`), then waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `pyflow worker` (code root `root`) and waits until it says it is ready. */
export async function startWorkerProcess(redis: string, extra: string[] = [], root = OPS_ROOT): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'worker', '--redis', redis, '--root', root, ...extra], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.resume();
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await waitFor('the worker to be ready', () => {
    if (child.exitCode !== null) throw new Error(`pyflow worker exited with code ${child.exitCode}: ${stderr}`);
    return stderr.includes(' ready: ');
  });
  return {
    child,
    name: `${hostname()}:${child.pid}`,
    output: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs `pyflow ARGS` to its end. */
export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}
