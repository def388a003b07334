import * as vscode from 'vscode';
import { createRequire } from 'node:module';
import { formatTraceEvent, type GraphModel } from '../core/index.js';
import type { RunTarget } from '../protocol/index.js';
import { describeOp, startRun, type RunHandle, type RunOutcome } from '../runner/startRun.js';
import type { Esbuild } from '../runner/bundleScript.js';
import { instrumentAddCalls } from '../analysis/instrument.js';

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
  private esbuild: Esbuild | undefined;

  constructor(private readonly extensionUri: vscode.Uri, private readonly sinks: RunSinks) {}

  async run(document: vscode.TextDocument, target: RunTarget, label: string): Promise<RunOutcome | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Pyflow does not run scripts in an untrusted workspace. Trust the workspace (Workspaces: Manage Workspace Trust) to use Evaluate here and Run Graph; the graph view works without it.');
      return undefined;
    }
    this.stop();
    const { channel } = this.sinks;
    const config = vscode.workspace.getConfiguration('pyflow');
    const file = document.uri.fsPath;
    const title = `${label} — ${vscode.workspace.asRelativePath(document.uri)}`;
    channel.appendLine(`=== ${title} (${new Date().toLocaleString()}) ===`);
    this.sinks.onStart(title, document);
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist').fsPath;
    const handle = startRun({
      file,
      text: document.isDirty ? document.getText() : undefined,
      target,
      runnerPath: `${dist}/runner.js`,
      libraryPath: `${dist}/lib/index.mjs`,
      esbuild: this.loadEsbuild(dist),
      transform: instrumentAddCalls,
      timeoutMs: (config.get<number>('run.timeoutSeconds', 60)) * 1000,
      memoryMb: config.get<number>('run.memoryLimitMb', 4096),
      // The runner prints the trace in the script's output, in order with it (once, also for verbose graphs).
      printTrace: true,
    }, {
      onMessage: (message) => {
        if (message.type === 'graph/snapshot') this.sinks.onGraph(message.graph, document);
        else if (message.type === 'graph/view') this.sinks.onGraph(message.graph, document, { full: message.full, highlight: message.highlight });
        if (message.type === 'trace/append') this.sinks.onTrace(message.events);
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
        const source = outcome.error.source;
        const where = source && !outcome.error.message.includes(source.file) ? ` (${source.file}:${source.line})` : '';
        // The message once, then where the user's code threw (the runner keeps only the user's frames).
        const detail = `${outcome.error.message}${where}${outcome.error.stack ? `\n${outcome.error.stack}` : ''}`;
        channel.appendLine(`error: ${detail}`);
        this.sinks.reportError(`Pyflow: ${outcome.error.message.split('\n')[0]}`, detail);
        break;
      }
      case 'cancelled':
        channel.appendLine(`stopped${outcome.running ? ` while ${describeOp(outcome.running)} was running` : ''}`);
        break;
      case 'timeout': {
        const message = `the run was stopped after ${outcome.afterMs / 1000} s${outcome.running ? ` while ${describeOp(outcome.running)} was running` : ''}`;
        channel.appendLine(`${message} (setting pyflow.run.timeoutSeconds)`);
        this.sinks.reportError(`Pyflow: ${message}`, 'timeout');
        break;
      }
    }
  }

  stop(): void {
    this.current?.cancel();
    this.current = undefined;
  }

  private loadEsbuild(dist: string): Esbuild {
    this.esbuild ??= createRequire(`${dist}/`)('./esbuild') as Esbuild;
    return this.esbuild;
  }

  dispose(): void {
    this.stop();
  }
}
