import * as vscode from 'vscode';
import type { SourceRange } from '../protocol/index.js';

/**
 * Shows a node's `add` call in the editor. A reveal (click, Enter in the graph view) scrolls to it and
 * highlights it, leaving the keyboard focus in the view and the editor's selection as it was, so typing never
 * replaces code. Go to source (double-click, F12) puts the cursor at the call, with nothing selected, and
 * focuses the editor.
 */
export class SourceReveal implements vscode.Disposable {
  private readonly highlight = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    isWholeLine: false,
  });
  private highlighted: vscode.TextEditor | undefined;
  private readonly subscription = vscode.window.onDidChangeTextEditorSelection((e) => {
    // The highlight goes once the user moves the cursor, as VS Code's own range highlights do.
    if (
      e.textEditor === this.highlighted &&
      (e.kind === vscode.TextEditorSelectionChangeKind.Keyboard || e.kind === vscode.TextEditorSelectionChangeKind.Mouse)
    )
      this.clear();
  });

  async show(document: vscode.TextDocument, source: SourceRange, goTo: boolean): Promise<void> {
    const start = new vscode.Position(source.line - 1, source.column - 1);
    const end = source.endLine ? new vscode.Position(source.endLine - 1, (source.endColumn ?? 1) - 1) : start;
    const range = new vscode.Range(start, end.isAfter(start) ? end : document.lineAt(start.line).range.end);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === document.uri.toString());
    let editor: vscode.TextEditor;
    if (goTo) {
      editor = await vscode.window.showTextDocument(document, {
        viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
        selection: new vscode.Range(start, start),
      });
    } else {
      editor = visible ?? (await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: true }));
      // The call's start, not its whole range: a long call would scroll the editor sideways, off the line's start.
      editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    this.clear();
    editor.setDecorations(this.highlight, [range]);
    this.highlighted = editor;
  }

  private clear(): void {
    this.highlighted?.setDecorations(this.highlight, []);
    this.highlighted = undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.highlight.dispose();
  }
}
