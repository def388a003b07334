import * as vscode from 'vscode';
import { join } from 'node:path';
import { AnalysisWorker } from './analysisWorker.js';
import { Extraction } from './extraction.js';
import type { ErrorReporter } from './errorReporter.js';
import type { ExtractResult } from '../protocol/index.js';

interface Entry {
  version: number;
  result: Promise<ExtractResult>;
  /** The result once extracted (what `peek` gives). */
  settled?: ExtractResult;
}

/**
 * Extraction results by document, recomputed only when the document's version changes. The extractor (and
 * the TypeScript compiler in it) is loaded by the first `get`: callers check `mentionsPyflow` first, so a
 * user who never opens a pyflow script never loads it. Large scripts are extracted off this thread (extraction.ts).
 */
export class ModelCache implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly worker = new AnalysisWorker(join(__dirname, 'refineWorker.js'));
  private readonly extraction: Extraction;
  private readonly waiting = new Map<string, () => Promise<void>>();
  private isRefining = false;

  constructor(private readonly reporter: ErrorReporter) {
    this.extraction = new Extraction(this.worker, (summary, error) => reporter.note(summary, error));
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Only scripts: output channels are documents too, and a run appends to one many times a second.
        if (isScript(e.document)) this.changed.fire(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.entries.delete(d.uri.toString())),
      this.changed,
    );
  }

  /** The graphs of the document's current version. A failure is reported and gives no graphs. */
  get(document: vscode.TextDocument): Promise<ExtractResult> {
    const key = document.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === document.version) return hit.result;
    const text = document.getText();
    const fileName = document.uri.fsPath;
    const entry: Entry = {
      version: document.version,
      result: this.extraction
        .extract(text, fileName)
        .then(
          (result) => {
            if (result.typesPending) this.refineLater(document, text, result);
            return result;
          },
          (error: unknown) => {
            this.reporter.report(`Pyflow: could not read the graphs of ${vscode.workspace.asRelativePath(document.uri)}`, error);
            return { file: fileName, graphs: [], diagnostics: [] };
          },
        )
        .then((result) => (entry.settled = result)),
    };
    this.entries.set(key, entry);
    return entry.result;
  }

  /** The graphs of the document's current version if they are extracted already (no waiting). */
  peek(document: vscode.TextDocument): ExtractResult | undefined {
    const hit = this.entries.get(document.uri.toString());
    return hit && hit.version === document.version ? hit.settled : undefined;
  }

  /**
   * Type-checker work runs after the quick graph is drawn, in the worker, and is kept only if the document has not
   * changed since.
   */
  private refineLater(document: vscode.TextDocument, text: string, quick: ExtractResult): void {
    const key = document.uri.toString();
    const version = document.version;
    const fileName = document.uri.fsPath;
    this.waiting.set(key, async () => {
      if (this.entries.get(key)?.version !== version) return;
      const refined = await this.extraction.refine(text, fileName, quick);
      if (!refined || this.entries.get(key)?.version !== version) return;
      refined.typesPending = false;
      this.entries.set(key, { version, result: Promise.resolve(refined), settled: refined });
      this.changed.fire(document.uri);
    });
    this.reporter.background(`Pyflow: could not type-check ${vscode.workspace.asRelativePath(document.uri)}`, this.refineWaiting());
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
    this.worker.dispose();
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
