import * as vscode from 'vscode';
import { CacheStore } from '../cache/store.js';
import { workspaceCacheDirs } from './cacheDir.js';
import type { ErrorReporter } from './errorReporter.js';
import { SCRIPT_SELECTOR, type GraphView } from './graphView.js';
import type { Runs } from './runs.js';

export interface CommandOptions {
  reporter: ErrorReporter;
  channel: vscode.OutputChannel;
  graphView: GraphView;
  runs: Runs;
}

/** The palette's and CodeLens's commands (package.json `contributes.commands`); a failure in any is reported. */
export function registerCommands({ reporter, channel, graphView, runs }: CommandOptions): vscode.Disposable[] {
  return [
    reporter.command('pyflow.showGraph', (uri?: vscode.Uri) => {
      // Without an active editor (focus in a panel, or the window just opened), a visible script will do.
      const document = uri
        ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())
        : (vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors.find((e) => vscode.languages.match(SCRIPT_SELECTOR, e.document) > 0))?.document;
      graphView.show(document);
    }),
    reporter.command('pyflow.evaluateHere', async (uri: vscode.Uri, line: number) => {
      const document = await vscode.workspace.openTextDocument(uri);
      await runs.run(document, { kind: 'line', file: document.uri.fsPath, line }, `Evaluate here: line ${line}`);
    }),
    reporter.command('pyflow.runGraph', async () => {
      const document = vscode.window.activeTextEditor?.document;
      if (document) await runs.run(document, { kind: 'graph' }, 'Run Graph');
    }),
    reporter.command('pyflow.stop', () => runs.stop()),
    reporter.command('pyflow.showLog', () => channel.show(true)),
    reporter.command('pyflow.clearCache', () => {
      const cleared = workspaceCacheDirs().reduce((n, dir) => n + new CacheStore({ dir }).clear().entries, 0);
      void vscode.window.showInformationMessage(`Pyflow: cleared ${cleared} cached ${cleared === 1 ? 'result' : 'results'}.`);
    }),
    reporter.command('pyflow.graph.find', () => graphView.focusFind()),
  ];
}
