import * as vscode from 'vscode';
import { join } from 'node:path';
import { loadAnalysis } from '../analysis/lazy.js';
import { TypeRefiner } from './typeRefiner.js';
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
  private readonly refiner = new TypeRefiner(join(__dirname, 'refineWorker.js'));
  private readonly waiting = new Map<string, () => Promise<void>>();
  private isRefining = false;

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

  /**
   * Type-checker work runs after the quick graph is drawn, in a worker thread, and is kept only if the document
   * has not changed since. Where the worker cannot run, it runs here.
   */
  private refineLater(document: vscode.TextDocument, text: string, quick: ExtractResult): void {
    const key = document.uri.toString();
    const version = document.version;
    const fileName = document.uri.fsPath;
    this.waiting.set(key, async () => {
      if (this.entries.get(key)?.version !== version) return;
      const refined = await this.refiner.refine(text, fileName).catch(() => loadAnalysis().refineWithTypes(text, fileName, quick));
      if (!refined || this.entries.get(key)?.version !== version) return;
      refined.typesPending = false;
      this.entries.set(key, { version, result: refined });
      this.changed.fire(document.uri);
    });
    void this.refineWaiting();
  }

  /** One refinement at a time, the latest of each document: versions typed meanwhile replace the waiting one. */
  private async refineWaiting(): Promise<void> {
    if (this.isRefining) return;
    this.isRefining = true;
    try {
      for (const [key, refine] of this.waiting) {
        this.waiting.delete(key);
        await refine();
      }
    } finally {
      this.isRefining = false;
    }
  }

  dispose(): void {
    this.refiner.dispose();
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
