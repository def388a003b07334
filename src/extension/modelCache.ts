import * as vscode from 'vscode';
import { loadAnalysis } from '../analysis/lazy.js';
import type { ExtractResult } from '../protocol/index.js';

/**
 * Extraction results by document, recomputed only when the document's version changes. The extractor (and
 * the TypeScript compiler in it) is loaded by the first `get`: callers check `mentionsPyflow` first, so a
 * user who never opens a pyflow script never loads it.
 */
export class ModelCache implements vscode.Disposable {
  private readonly entries = new Map<string, { version: number; result: ExtractResult }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Only scripts: output channels are documents too, and a run appends to one many times a second.
        if (isScript(e.document)) this.changed.fire(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.entries.delete(d.uri.toString())),
      this.changed,
    );
  }

  get(document: vscode.TextDocument): ExtractResult {
    const key = document.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === document.version) return hit.result;
    const text = document.getText();
    const result = loadAnalysis().extractGraph(text, document.uri.fsPath);
    this.entries.set(key, { version: document.version, result });
    if (result.typesPending) this.refineLater(document, text, result);
    return result;
  }

  /** Type-checker work runs after the quick graph is drawn, and only if the document has not changed since. */
  private refineLater(document: vscode.TextDocument, text: string, quick: ExtractResult): void {
    const version = document.version;
    setTimeout(() => {
      const key = document.uri.toString();
      if (this.entries.get(key)?.version !== version) return;
      const refined = loadAnalysis().refineWithTypes(text, document.uri.fsPath, quick);
      if (!refined || this.entries.get(key)?.version !== version) return;
      refined.typesPending = false;
      this.entries.set(key, { version, result: refined });
      this.changed.fire(document.uri);
    }, 50);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}

const SCRIPT_LANGUAGES = new Set(['typescript', 'javascript', 'typescriptreact', 'javascriptreact']);

export function isScript(document: vscode.TextDocument): boolean {
  return (document.uri.scheme === 'file' || document.uri.scheme === 'untitled') && SCRIPT_LANGUAGES.has(document.languageId);
}

/** Cheap test before parsing: does the text mention pyflow's GraphBuilder at all? */
export function mentionsPyflow(text: string): boolean {
  return text.includes('GraphBuilder') && text.includes('pyflow');
}
