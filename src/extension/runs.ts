import * as vscode from 'vscode';
import { formatTraceEvent, type GraphModel } from '../core/index.js';
import type { RunTarget } from '../protocol/index.js';
import { startRun, type RunHandle, type RunOutcome } from '../runner/startRun.js';
import { loadEsbuild } from '../runner/esbuildApi.js';
import type { Esbuild } from '../runner/bundleScript.js';
import { loadAnalysis } from '../analysis/lazy.js';

export interface RunSinks {
  channel: vscode.OutputChannel;
  onStart(title: string, document: vscode.TextDocument): void;
  /** The runtime graph of the run (replaces the static one while the run is shown). */
  onGraph(graph: GraphModel, document: vscode.TextDocument, view?: { full?: boolean; highlight?: string[] }): void;
  onTrace(events: Parameters<typeof formatTraceEvent>[0][]): void;
  reportError(summary: string, detail: string): void;
}

/** Starts and stops runs of workspace scripts; one at a time. */
export class Runs implements vscode.Disposable {
  private current: RunHandle | undefined;
  private esbuild: Promise<Esbuild | undefined> | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly sinks: RunSinks) {}

  async run(document: vscode.TextDocument, target: RunTarget, label: string): Promise<RunOutcome | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Pyflow does not run scripts in an untrusted workspace. Trust the workspace (Workspaces: Manage Workspace Trust) to use Evaluate here and Run Graph; the graph view works without it.');
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
    const handle = startRun({
      file,
      text: document.isDirty ? document.getText() : undefined,
      target,
      runnerPath: `${dist}/runner.js`,
      libraryPath: `${dist}/lib/index.mjs`,
      esbuild,
      transform: (path, text) => loadAnalysis().instrumentAddCalls(path, text),
      timeoutMs: (config.get<number>('run.timeoutSeconds', 60)) * 1000,
      memoryMb: config.get<number>('run.memoryLimitMb', 4096),
    }, {
      onMessage: (message) => {
        if (message.type === 'graph/snapshot') this.sinks.onGraph(message.graph, document);
        else if (message.type === 'graph/view') this.sinks.onGraph(message.graph, document, { full: message.full, highlight: message.highlight });
        if (message.type !== 'trace/append') return;
        const lines: string[] = [];
        for (const event of message.events) {
          const line = formatTraceEvent(event);
          if (line !== undefined) lines.push(line);
        }
        if (lines.length > 0) channel.appendLine(lines.join('\n'));
        this.sinks.onTrace(message.events);
      },
      onOutput: (text) => channel.append(text),
    });
    this.current = handle;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Pyflow: ${label}`, cancellable: false },
      () => handle.done,
    );
    if (this.current === handle) this.current = undefined;
    this.describe(outcome);
    return outcome;
  }

  private describe(outcome: RunOutcome): void {
    const { channel } = this.sinks;
    switch (outcome.status) {
      case 'done':
        if (outcome.message.note) channel.appendLine(`note: ${outcome.message.note}`);
        channel.appendLine(outcome.message.preview !== undefined ? `${outcome.message.target} = ${outcome.message.preview}` : `done${outcome.message.target ? `: ${outcome.message.target}` : ''}`);
        break;
      case 'failed': {
        const where = outcome.error.source ? ` (${outcome.error.source.file}:${outcome.error.source.line})` : '';
        channel.appendLine(`error: ${outcome.error.message}${where}`);
        if (outcome.error.stack) channel.appendLine(outcome.error.stack);
        this.sinks.reportError(`Pyflow: ${outcome.error.message.split('\n')[0]}`, outcome.error.stack ?? outcome.error.message);
        break;
      }
      case 'cancelled':
        channel.appendLine('stopped');
        break;
      case 'timeout':
        channel.appendLine(`stopped after ${outcome.afterMs / 1000} s (setting pyflow.run.timeoutSeconds)`);
        this.sinks.reportError(`Pyflow: the run was stopped after ${outcome.afterMs / 1000} s`, 'timeout');
        break;
    }
  }

  stop(): void {
    this.current?.cancel();
    this.current = undefined;
  }

  /** The native esbuild, or the portable one where no native binary runs (said once in the output channel). */
  private loadEsbuild(dist: string): Promise<Esbuild | undefined> {
    this.esbuild ??= loadEsbuild(dist).then((choice) => {
      if (choice.kind === 'wasm') this.sinks.channel.appendLine(`Pyflow bundles scripts with the portable (WebAssembly) esbuild${choice.nativeError ? `; the native one failed: ${choice.nativeError}` : ''}.`);
      return choice.esbuild;
    }, (error: unknown) => {
      this.esbuild = undefined;
      this.sinks.reportError('Pyflow: cannot bundle scripts on this platform', String(error));
      return undefined;
    });
    return this.esbuild;
  }

  dispose(): void {
    this.stop();
  }
}
