import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, isRunnerToHost, unpackTrace, type RunMessage, type RunTarget, type RunnerToHost, type SerializedError } from '../protocol/index.js';
import { RUNNER_ENV, type RunnerConfig } from './config.js';
import { bundleScript, type Esbuild, type SourceTransform } from './bundleScript.js';

/** Everything a run needs; vscode-free, shared by the extension and `pyflow run`. */
export interface RunRequest {
  /** The user's script (TS or JS). */
  file: string;
  /** Unsaved editor text to run instead of the file on disk. */
  text?: string;
  target: RunTarget;
  /** The runner entry (dist/runner.js) and the bundled core that `pyflow` resolves to. */
  runnerPath: string;
  libraryPath: string;
  esbuild: Esbuild;
  /**
   * Rewrites the user's files before bundling: the extension and the CLI pass `instrumentAddCalls`, which
   * writes each `add` call's location into the call so the traced library need not capture stacks.
   */
  transform?: SourceTransform;
  /** The run is stopped after this many milliseconds (default 60 s; 0 = none). */
  timeoutMs?: number;
  /** Heap limit of the child in MB (default 4096). */
  memoryMb?: number;
  /** The Node binary for the child (default: the current one). */
  execPath?: string;
}

export interface RunListener {
  onMessage(message: RunMessage): void;
  onOutput(text: string, stream: 'stdout' | 'stderr'): void;
}

export type RunOutcome =
  | { status: 'done'; message: Extract<RunnerToHost, { type: 'run/done' }> }
  | { status: 'failed'; error: SerializedError }
  | { status: 'cancelled' }
  | { status: 'timeout'; afterMs: number };

export interface RunHandle {
  readonly done: Promise<RunOutcome>;
  /** Stops the run: kills the child's whole process tree. */
  cancel(): void;
}

export function startRun(request: RunRequest, listener: RunListener): RunHandle {
  let child: ChildProcess | undefined;
  let settle!: (outcome: RunOutcome) => void;
  let outcome: RunOutcome | undefined;
  const done = new Promise<RunOutcome>((resolve) => (settle = resolve));
  const finish = (o: RunOutcome): void => {
    if (outcome) return;
    outcome = o;
    killTree(child);
    settle(o);
  };
  const workDir = mkdtempSync(join(tmpdir(), 'pyflow-run-'));
  void done.then(() => rmSync(workDir, { recursive: true, force: true }));

  void (async () => {
    const bundle = await bundleScript(request, workDir);
    if (!bundle.ok) return finish({ status: 'failed', error: bundle.error });
    if (outcome) return;
    const config: RunnerConfig = { bundle: bundle.path, target: request.target, batchSize: 256, flushMs: 16 };
    child = fork(request.runnerPath, [], {
      cwd: dirname(request.file),
      execPath: request.execPath ?? process.execPath,
      execArgv: ['--enable-source-maps', `--max-old-space-size=${request.memoryMb ?? 4096}`],
      env: { ...process.env, [RUNNER_ENV]: JSON.stringify(config), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    watchChild(child, request, listener, finish);
  })().catch((error: unknown) => finish({ status: 'failed', error: { name: 'Error', message: `Could not start the run: ${String(error)}` } }));

  const timeoutMs = request.timeoutMs ?? 60_000;
  if (timeoutMs > 0) {
    const timer = setTimeout(() => finish({ status: 'timeout', afterMs: timeoutMs }), timeoutMs);
    timer.unref();
    void done.then(() => clearTimeout(timer));
  }
  return { done, cancel: () => finish({ status: 'cancelled' }) };
}

function watchChild(child: ChildProcess, request: RunRequest, listener: RunListener, finish: (o: RunOutcome) => void): void {
  let greeted = false;
  let stderrTail = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => listener.onOutput(text, 'stdout'));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-2000);
    listener.onOutput(text, 'stderr');
  });
  child.on('message', (raw: unknown) => {
    if (!isRunnerToHost(raw) || JSON.stringify(raw).length > MAX_MESSAGE_BYTES) {
      finish({ status: 'failed', error: { name: 'ProtocolError', message: `The runner sent a malformed or oversized message (${preview(raw)}); the run was stopped.` } });
      return;
    }
    if (raw.type === 'hello') {
      greeted = true;
      if (raw.protocol !== PROTOCOL_VERSION) {
        finish({ status: 'failed', error: { name: 'ProtocolError', message: `The runner speaks protocol ${raw.protocol} (pyflow ${raw.libraryVersion}) but this host speaks protocol ${PROTOCOL_VERSION}; rebuild or reinstall Pyflow so both match.` } });
      }
      return;
    }
    if (!greeted) return finish({ status: 'failed', error: { name: 'ProtocolError', message: `The runner sent ${raw.type} before hello.` } });
    if (raw.type === 'trace/packed') {
      const events = unpackTrace(raw);
      if (typeof events === 'string') {
        finish({ status: 'failed', error: { name: 'ProtocolError', message: `The runner sent a ${events}; the run was stopped.` } });
        return;
      }
      listener.onMessage({ type: 'trace/append', events });
      return;
    }
    listener.onMessage(raw);
    if (raw.type === 'run/done') finish({ status: 'done', message: raw });
    else if (raw.type === 'run/failed') finish({ status: 'failed', error: raw.error });
  });
  child.on('error', (error) => finish({ status: 'failed', error: { name: 'Error', message: `The runner process failed: ${error.message}` } }));
  child.on('exit', (code, signal) => {
    const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const oom = /heap out of memory|Allocation failed/i.test(stderrTail) ? ` (out of memory: the limit is ${request.memoryMb ?? 4096} MB, setting pyflow.run.memoryLimitMb)` : '';
    finish({ status: 'failed', error: { name: 'Error', message: `The script's process ${why} before finishing${oom}.` } });
  });
}

function killTree(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function preview(value: unknown): string {
  const text = typeof value === 'object' ? JSON.stringify(value)?.slice(0, 80) ?? String(value) : String(value);
  return text.length >= 80 ? `${text}…` : text;
}
