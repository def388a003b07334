import * as vscode from 'vscode';
import { mentionsPyflow, type ModelCache } from './modelCache.js';

/** `Evaluate here` above each `add` call, from the cached model. */
export class EvaluateCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly cache: ModelCache,
    onChange: vscode.Event<unknown>,
  ) {
    this.onDidChangeCodeLenses = (listener, thisArgs, disposables) => onChange(() => listener.call(thisArgs, undefined), undefined, disposables);
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!mentionsPyflow(document.getText())) return [];
    const result = await this.cache.get(document);
    const lenses: vscode.CodeLens[] = [];
    const seenLines = new Set<number>();
    for (const graph of result.graphs) {
      for (const node of graph.nodes) {
        if (node.kind !== 'operation' || !node.source || seenLines.has(node.source.line)) continue;
        seenLines.add(node.source.line);
        const line = node.source.line - 1;
        const range = new vscode.Range(line, 0, line, 0);
        lenses.push(
          new vscode.CodeLens(range, {
            title: vscode.workspace.isTrusted ? 'Evaluate here' : 'Evaluate here (trust this workspace to run)',
            tooltip: `Run ${vscode.workspace.asRelativePath(document.uri)} and evaluate ${node.uid}`,
            command: 'pyflow.evaluateHere',
            arguments: [document.uri, node.source.line],
          }),
        );
      }
    }
    return lenses;
  }
}
