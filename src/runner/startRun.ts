import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  isRunnerToHost,
  unpackTrace,
  type RunMessage,
  type RunTarget,
  type RunnerToHost,
  type RunningOp,
  type SerializedError,
  type SourceRange,
  type CodeFingerprint,
} from '../protocol/index.js';
import { RUNNER_ENV, type RunnerConfig } from './config.js';
import { bundleScript, type Esbuild, type SourceTransform } from './bundleScript.js';
import { descendantsOf, killTree, mergeProcesses, residentMb, treeSpawnOptions, type ProcessId } from './processTree.js';
import { RunningOps } from './runningOps.js';

/** Defaults of a run's limits (the extension's settings `pyflow.run.timeoutSeconds` and `pyflow.run.memoryLimitMb`). */
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MEMORY_MB = 4096;

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
   * Rewrites the user's files before bundling: the extension passes `instrumentAddCalls`, which writes each `add`
   * call's location into the call so the traced library need not capture stacks. The CLI passes none: loading the
   * TypeScript compiler costs more than the stacks, and the locations are the same.
   */
  transform?: SourceTransform;
  /** The run is stopped after this many milliseconds (default 60 s; 0 = none). */
  timeoutMs?: number;
  /** Memory limit of the script's process in MB, its resident memory as a whole (default 4096). */
  memoryMb?: number;
  /** Print pyflow's verbose trace lines in the script's stdout, in order with its output (`pyflow run --verbose`). */
  printTrace?: boolean;
  /** Send a preview of each op output's value (`data/previews`), for the graph view's details panel. */
  dataPreviews?: boolean;
  /**
   * Cache op results across runs in this directory. `fingerprints` is filled while the script is bundled (by
   * `transform`: see the analysis's `fingerprintingTransform`) and handed to the runner.
   */
  cache?: { dir: string; maxBytes: number; fingerprints: ReadonlyMap<string, CodeFingerprint> };
  /** The Node binary for the child (default: the current one). */
  execPath?: string;
}

export interface RunListener {
  onMessage(message: RunMessage): void;
  onOutput(text: string, stream: 'stdout' | 'stderr'): void;
}

/** How a run ended; `running` names the op whose function was running when it was stopped. */
export type RunOutcome =
  | { status: 'done'; message: Extract<RunnerToHost, { type: 'run/done' }> }
  | { status: 'failed'; error: SerializedError }
  | { status: 'cancelled'; running?: RunningOp }
  | { status: 'timeout'; afterMs: number; running?: RunningOp };

export interface RunHandle {
  /** Settles once the process tree is gone and all of its output has been passed to the listener. */
  readonly done: Promise<RunOutcome>;
  /** Stops the run: kills the child's whole process tree. */
  cancel(): void;
}

/** How often the child's resident memory is checked (its tree every TREE_POLLS checks), and how long its output may lag its end. */
const POLL_MS = process.platform === 'linux' ? 100 : 1000; // elsewhere each check runs `ps`
const TREE_POLLS = 5;
const OUTPUT_GRACE_MS = 2000;
/** How long a stopped run (timeout, cancel) may take to close what the script left open before its tree is killed. */
const STOP_GRACE_MS = 6000;

export function startRun(request: RunRequest, listener: RunListener): RunHandle {
  const memoryMb = request.memoryMb ?? DEFAULT_MEMORY_MB;
  const run = new RunState(listener, memoryMb, request.target);
  const workDir = mkdtempSync(join(tmpdir(), 'pyflow-run-'));
  void run.done.then(() => rmSync(workDir, { recursive: true, force: true }));

  void (async () => {
    const bundle = await bundleScript(request, workDir);
    if (!bundle.ok) return run.end({ status: 'failed', error: bundle.error });
    if (run.isEnding) return;
    run.sources = new Set(bundle.sources);
    const config: RunnerConfig = {
      bundle: bundle.path,
      target: request.target,
      batchSize: 256,
      flushMs: 16,
      printTrace: request.printTrace ?? false,
      dataPreviews: request.dataPreviews ?? false,
      libraryDist: resolve(request.libraryPath, '..', '..'),
      workerModules: bundle.workerModules,
      workerFingerprints: bundle.workerFingerprints,
    };
    if (request.cache) {
      const fingerprints = join(workDir, 'fingerprints.json');
      writeFileSync(fingerprints, JSON.stringify(Object.fromEntries(request.cache.fingerprints)));
      config.cache = { dir: request.cache.dir, maxBytes: request.cache.maxBytes, fingerprints };
    }
    run.attach(
      fork(request.runnerPath, [], {
        cwd: dirname(request.file),
        execPath: request.execPath ?? process.execPath,
        execArgv: ['--enable-source-maps', `--max-old-space-size=${memoryMb}`],
        env: { ...process.env, [RUNNER_ENV]: JSON.stringify(config), ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        ...treeSpawnOptions,
      }),
    );
  })().catch((error: unknown) => run.end({ status: 'failed', error: { name: 'Error', message: `Could not start the run: ${String(error)}` } }));

  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (timeoutMs > 0) {
    const timer = setTimeout(() => run.end({ status: 'timeout', afterMs: timeoutMs, running: run.running }), timeoutMs);
    timer.unref();
    void run.done.then(() => clearTimeout(timer));
  }
  return { done: run.done, cancel: () => run.end({ status: 'cancelled', running: run.running }) };
}

/**
 * One run's child process. The first ending decides the outcome (the runner's report, an exit, a timeout, a
 * cancel, the memory cap); every ending kills the whole tree, and the outcome settles once the child's output
 * has been read to its end.
 */
class RunState {
  readonly done: Promise<RunOutcome>;
  /** The ops whose functions run now (the runner sends each one's `running` event before calling it). */
  private readonly runningOps = new RunningOps();
  /** The user's source files in the bundle: the only files a location from the child may name. */
  sources = new Set<string>();
  private settle!: (outcome: RunOutcome) => void;
  private outcome: RunOutcome | undefined;
  private child: ChildProcess | undefined;
  private descendants: ProcessId[] = [];
  private greeted = false;
  private stderrTail = '';
  private memoryTimer: ReturnType<typeof setInterval> | undefined;
  private polls = 0;

  constructor(
    private readonly listener: RunListener,
    private readonly memoryMb: number,
    private readonly target: RunTarget,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }

  get isEnding(): boolean {
    return this.outcome !== undefined;
  }

  attach(child: ChildProcess): void {
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.listener.onOutput(text, 'stdout'));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      this.listener.onOutput(text, 'stderr');
    });
    child.on('message', (raw: unknown) => this.receive(raw));
    child.on('error', (error) => this.end({ status: 'failed', error: { name: 'Error', message: `The runner process failed: ${error.message}` } }));
    child.on('exit', (code, signal) => this.end(this.exitOutcome(code, signal)));
    child.on('close', () => this.finishOutput());
    this.memoryTimer = setInterval(() => this.poll(), POLL_MS);
    this.memoryTimer.unref();
  }

  /** Decides the outcome (the first call wins) and kills the tree; `done` settles when the output has ended. */
  end(outcome: RunOutcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    clearInterval(this.memoryTimer);
    const child = this.child;
    if (!child?.pid) return this.settle(outcome);
    const isStop = outcome.status === 'timeout' || outcome.status === 'cancelled';
    if (isStop && process.platform !== 'win32' && child.exitCode === null && child.signalCode === null) {
      // The runner closes the executors the script left open (a cluster deletes its values from Redis) and exits; a
      // runner whose event loop is blocked is killed after the grace. The tree is recorded first: once the runner has
      // exited, the processes it started are no longer found under it.
      this.descendants = mergeProcesses(this.descendants, descendantsOf(child.pid));
      const pid = child.pid;
      const timer = setTimeout(() => this.killAll(pid), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        this.killAll(pid);
      });
      child.kill('SIGTERM');
      return;
    }
    this.killAll(child.pid);
  }

  private killAll(pid: number): void {
    const child = this.child!;
    killTree(pid, this.descendants);
    // A process that left the tree (setsid) may still hold the output pipes open: stop waiting for it after a while.
    setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      this.finishOutput();
    }, OUTPUT_GRACE_MS).unref();
  }

  private finishOutput(): void {
    if (this.outcome) this.settle(this.outcome);
  }

  private receive(raw: unknown): void {
    if (!isRunnerToHost(raw) || JSON.stringify(raw).length > MAX_MESSAGE_BYTES) {
      return this.end(failure('ProtocolError', `The runner sent a malformed or oversized message (${preview(raw)}); the run was stopped.`));
    }
    if (raw.type === 'hello') {
      this.greeted = true;
      if (raw.protocol !== PROTOCOL_VERSION) {
        this.end(
          failure(
            'ProtocolError',
            `The runner speaks protocol ${raw.protocol} (pyflow ${raw.libraryVersion}) but this host speaks protocol ${PROTOCOL_VERSION}; rebuild or reinstall Pyflow so both match.`,
          ),
        );
      }
      return;
    }
    if (!this.greeted) return this.end(failure('ProtocolError', `The runner sent ${raw.type} before hello.`));
    if (raw.type === 'trace/packed') return this.receiveTrace(raw);
    if (raw.type === 'run/failed') raw.error = withOwnSource(raw.error, this.sources);
    this.listener.onMessage(raw);
    if (raw.type === 'run/done') this.end({ status: 'done', message: raw });
    else if (raw.type === 'run/failed') this.end({ status: 'failed', error: raw.error });
  }

  private receiveTrace(batch: Extract<RunnerToHost, { type: 'trace/packed' }>): void {
    const events = unpackTrace(batch);
    if (typeof events === 'string') return this.end(failure('ProtocolError', `The runner sent a ${events}; the run was stopped.`));
    this.runningOps.onEvents(events);
    const running = batch.running ? withOwnSource(batch.running, this.sources) : undefined;
    if (running) this.runningOps.locate(running);
    this.listener.onMessage(running ? { type: 'trace/append', events, running } : { type: 'trace/append', events });
  }

  /** The innermost op running now, if any. */
  get running(): RunningOp | undefined {
    return this.runningOps.innermost;
  }

  /** The child ended before reporting: only a script that called `process.exit(0)` outside any op has finished. */
  private exitOutcome(code: number | null, signal: NodeJS.Signals | null): RunOutcome {
    if (code === 0 && !this.running && this.target.kind === 'script') return { status: 'done', message: { type: 'run/done' } };
    const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const oom = /heap out of memory|Allocation failed/i.test(this.stderrTail)
      ? ` (out of memory: the limit is ${this.memoryMb} MB, setting pyflow.run.memoryLimitMb or pyflow run --memory)`
      : '';
    return { status: 'failed', error: withOp(`The script's process ${why}${this.whileRunning()} before finishing${oom}.`, this.running) };
  }

  /** Checks the memory cap, and every few polls records the tree (to reach processes orphaned by an early exit). */
  private poll(): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.outcome) return;
    if (++this.polls % TREE_POLLS === 0) this.descendants = mergeProcesses(this.descendants, descendantsOf(pid));
    const mb = residentMb(pid);
    if (mb === undefined || mb <= this.memoryMb) return;
    this.end({
      status: 'failed',
      error: {
        ...withOp(
          `The script's process used ${Math.round(mb)} MB of memory${this.whileRunning()}, over the limit of ${this.memoryMb} MB (setting pyflow.run.memoryLimitMb or pyflow run --memory); the run was stopped.`,
          this.running,
        ),
        code: 'MEMORY_LIMIT',
      },
    });
  }

  private whileRunning(): string {
    return this.running ? ` while ${describeOp(this.running)} was running` : '';
  }
}

/** `item` with its location only if that is in the user's own sources: a script cannot point the editor at other files. */
function withOwnSource<T extends { source?: SourceRange }>(item: T, sources: ReadonlySet<string>): T {
  if (!item.source || sources.has(item.source.file)) return item;
  const { source: _dropped, ...rest } = item;
  return rest as T;
}

/** `adding_0 (added at /path/script.ts:12:13)`. */
export function describeOp(op: RunningOp): string {
  return op.source ? `${op.uid} (added at ${op.source.file}:${op.source.line}:${op.source.column})` : op.uid;
}

function withOp(message: string, op: RunningOp | undefined): SerializedError {
  const error: SerializedError = { name: 'PyflowError', message };
  if (op) error.uid = op.uid;
  if (op?.source) error.source = op.source;
  return error;
}

function failure(name: string, message: string): RunOutcome {
  return { status: 'failed', error: { name, message } };
}

function preview(value: unknown): string {
  const text = typeof value === 'object' ? (JSON.stringify(value)?.slice(0, 80) ?? String(value)) : String(value);
  return text.length >= 80 ? `${text}…` : text;
}
