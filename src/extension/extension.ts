import * as vscode from 'vscode';
import { ModelCache } from './modelCache.js';
import { EvaluateCodeLensProvider } from './codeLens.js';
import { ErrorReporter } from './errorReporter.js';
import { GraphView, SCRIPT_SELECTOR } from './graphView.js';
import { Runs } from './runs.js';
import { registerCommands } from './commands.js';

/**
 * Registers everything and returns. Every listener, timer owner and worker is in `context.subscriptions`, which
 * VS Code disposes on deactivation: nothing of the extension keeps running after it.
 */
export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('Pyflow');
  const reporter = new ErrorReporter(channel);
  const cache = new ModelCache(reporter);
  const graphView = new GraphView({ extensionUri: context.extensionUri, cache, reporter, channel, stopRun: () => runs.stop(), memory: context.workspaceState });
  const runs = new Runs(context.extensionUri, { channel, reportError: (summary, error) => reporter.report(summary, error), ...graphView.runSinks() });
  context.subscriptions.push(
    cache,
    runs,
    graphView,
    ...registerCommands({ reporter, channel, graphView, runs }),
    vscode.languages.registerCodeLensProvider(SCRIPT_SELECTOR, new EvaluateCodeLensProvider(cache, cache.onDidChange)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void vscode.commands.executeCommand('editor.action.codeLens.refresh')),
    channel, // last: what is disposed before it may still write to it
  );
}

export function deactivate(): void {}
