import * as vscode from 'vscode';
import type { formatTraceEvent, GraphModel } from '../core/index.js';
import type { NodePreview, RunEndOutcome, RunTarget } from '../protocol/index.js';
import { startRun, type RunHandle, type RunOutcome } from '../runner/startRun.js';
import { loadEsbuild } from '../runner/esbuildApi.js';
import type { Esbuild } from '../runner/bundleScript.js';
import { loadAnalysis } from '../analysis/lazy.js';
import { libraryFor } from '../runner/library.js';
import { RunProgress } from './runProgress.js';
import { cacheDirFor } from './cacheDir.js';
import { nodeFingerprintHost } from '../cache/fingerprintHost.js';

/** A run that takes longer than this gets a progress notification (with Cancel = Stop); shorter ones only the status bar's. */
const NOTIFY_AFTER_MS = 1000;

export interface RunSinks {
  channel: vscode.OutputChannel;
  onStart(title: string, document: vscode.TextDocument): void;
  /** The runtime graph of the run (replaces the static one while the run is shown). */
  onGraph(graph: GraphModel, document: vscode.TextDocument, view?: { full?: boolean; highlight?: string[] }): void;
  onTrace(events: Parameters<typeof formatTraceEvent>[0][]): void;
  /** With the result cache: an op is computed, not read from the cache, and why. */
  onCacheMissed(graph: string, uid: string, reason: string): void;
  /** Previews of data nodes' values, as their ops finished (the graph view's details panel). */
  onPreviews(previews: NodePreview[]): void;
  /** The run ended (after its last trace events); `summary` names the op that was running when it was stopped. */
  onEnd(outcome: RunEndOutcome, summary: string): void;
  reportError(summary: string, error: unknown): void;
}

/** Starts and stops runs of workspace scripts; one at a time. */
export class Runs implements vscode.Disposable {
  private current: RunHandle | undefined;
  /** The run the graph view shows: the last one started (a run stopped by a newer one ends unseen). */
  private latest: RunHandle | undefined;
  private esbuild: Promise<Esbuild | undefined> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sinks: RunSinks,
  ) {}

  async run(document: vscode.TextDocument, target: RunTarget, label: string): Promise<RunOutcome | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'Pyflow does not run scripts in an untrusted workspace. Trust the workspace (Workspaces: Manage Workspace Trust) to use Evaluate here and Run Graph; the graph view works without it.',
      );
      return undefined;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist').fsPath;
    const esbuild = await this.loadEsbuild(dist);
    if (!esbuild) return undefined;
    this.stop();
    const { channel } = this.sinks;
    const config = vscode.workspace.getConfiguration('pyflow');
    const file = document.uri.fsPath;
    const title = `${label} — ${vscode.workspace.asRelativePath(document.uri)}`;
    channel.appendLine(`=== ${title} (${new Date().toLocaleString()}) ===`);
    this.sinks.onStart(title, document);
    const progress = new RunProgress((f) => vscode.workspace.asRelativePath(f));
    const library = libraryFor(file, dist);
    if (library.note) channel.appendLine(library.note);
    // With the cache (on by default), the bundler also reads each op's code for its key (see docs/cache.md).
    const caching = config.get<boolean>('cache.enabled', true) ? loadAnalysis().fingerprintingTransform(nodeFingerprintHost) : undefined;
    const handle = startRun(
      {
        file,
        text: document.isDirty ? document.getText() : undefined,
        target,
        runnerPath: `${dist}/runner.js`,
        libraryPath: library.path,
        esbuild,
        transform: caching ? caching.transform : (path, text) => loadAnalysis().instrumentAddCalls(path, text),
        ...(caching
          ? { cache: { dir: cacheDirFor(document.uri), maxBytes: config.get<number>('cache.maxSizeMb', 1024) * 1024 ** 2, fingerprints: caching.fingerprints } }
          : {}),
        timeoutMs: config.get<number>('run.timeoutSeconds', 60) * 1000,
        memoryMb: config.get<number>('run.memoryLimitMb', 4096),
        // The runner prints the trace in the script's output, in order with it (once, also for verbose graphs).
        printTrace: true,
        dataPreviews: true,
      },
      {
        onMessage: (message) => {
          if (message.type === 'graph/snapshot' || message.type === 'graph/view') progress.onGraph(message.graph);
          if (message.type === 'trace/append') progress.onEvents(message.events);
          // A run stopped by a newer one may still deliver a last batch: the view shows the newer run only.
          if (handle !== this.latest) return;
          if (message.type === 'graph/snapshot') this.sinks.onGraph(message.graph, document);
          else if (message.type === 'graph/view') this.sinks.onGraph(message.graph, document, { full: message.full, highlight: message.highlight });
          else if (message.type === 'trace/append') this.sinks.onTrace(message.events);
          else if (message.type === 'cache/missed') this.sinks.onCacheMissed(message.graph, message.uid, message.reason);
          else if (message.type === 'data/previews') this.sinks.onPreviews(message.previews);
        },
        onOutput: (text) => channel.append(text),
      },
    );
    this.current = handle;
    this.latest = handle;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Pyflow: ${label}` }, () => handle.done);
    const notify = setTimeout(() => void this.notifyProgress(label, handle, progress), NOTIFY_AFTER_MS);
    const outcome = await handle.done;
    clearTimeout(notify);
    if (this.current === handle) this.current = undefined;
    this.describe(outcome, progress, handle);
    return outcome;
  }

  /** A cancellable progress notification (Cancel = Stop) naming the op that runs now. */
  private notifyProgress(label: string, handle: RunHandle, progress: RunProgress): Thenable<void> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pyflow: ${label}`, cancellable: true },
      async (report, token) => {
        token.onCancellationRequested(() => {
          if (this.current === handle) this.stop();
        });
        let shown: string | undefined;
        const update = (): void => {
          const op = progress.current();
          if (op === shown) return;
          shown = op;
          report.report({ message: op ? `running ${op}` : 'running' });
        };
        update();
        const timer = setInterval(update, 250);
        await handle.done;
        clearInterval(timer);
      },
    );
  }

  private describe(outcome: RunOutcome, progress: RunProgress, handle: RunHandle): void {
    const { channel } = this.sinks;
    const end = progress.describe(outcome);
    if (handle === this.latest) this.sinks.onEnd(end.outcome, end.summary);
    switch (outcome.status) {
      case 'done':
        if (outcome.message.note) channel.appendLine(`note: ${outcome.message.note}`);
        channel.appendLine(
          outcome.message.preview !== undefined
            ? `${outcome.message.target} = ${outcome.message.preview}`
            : `done${outcome.message.target ? `: ${outcome.message.target}` : ''}`,
        );
        break;
      case 'failed': {
        const source = outcome.error.source;
        const where = source && !outcome.error.message.includes(source.file) ? ` (${source.file}:${source.line})` : '';
        // The message once, then where the user's code threw (the runner keeps only the user's frames).
        const detail = `${outcome.error.message}${where}${outcome.error.stack ? `\n${outcome.error.stack}` : ''}`;
        this.sinks.reportError(`Pyflow: ${outcome.error.message.split('\n')[0]}`, `error: ${detail}`);
        break;
      }
      case 'cancelled':
        channel.appendLine(end.summary);
        if (handle === this.latest) void vscode.window.showInformationMessage(`Pyflow: ${end.summary}`);
        break;
      case 'timeout':
        this.sinks.reportError(`Pyflow: ${end.summary}`, end.summary);
        break;
    }
  }

  stop(): void {
    this.current?.cancel();
    this.current = undefined;
  }

  /** The native esbuild, or the portable one where no native binary runs (said once in the output channel). */
  private loadEsbuild(dist: string): Promise<Esbuild | undefined> {
    this.esbuild ??= loadEsbuild(dist).then(
      (choice) => {
        if (choice.kind === 'wasm')
          this.sinks.channel.appendLine(
            `Pyflow bundles scripts with the portable (WebAssembly) esbuild${choice.nativeError ? `; the native one failed: ${choice.nativeError}` : ''}.`,
          );
        return choice.esbuild;
      },
      (error: unknown) => {
        this.esbuild = undefined;
        this.sinks.reportError('Pyflow: cannot bundle scripts on this platform', String(error));
        return undefined;
      },
    );
    return this.esbuild;
  }

  dispose(): void {
    this.stop();
  }
}
