import * as vscode from 'vscode';
import type { GraphModel, ScriptView } from '../protocol/index.js';
import { Debouncer } from './debounce.js';
import type { ErrorReporter } from './errorReporter.js';
import { GRAPH_VIEW_TYPE, GraphPanel } from './graphPanel.js';
import { mentionsPyflow, type ModelCache } from './modelCache.js';
import type { RunSinks } from './runs.js';
import { SourceReveal } from './sourceReveal.js';

export const SCRIPT_SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript' },
  { language: 'javascript' },
  { language: 'typescriptreact' },
  { language: 'javascriptreact' },
];

/** After an edit, the view redraws once typing pauses this long. */
const REDRAW_AFTER_EDIT_MS = 250;

export interface GraphViewOptions {
  extensionUri: vscode.Uri;
  cache: ModelCache;
  reporter: ErrorReporter;
  channel: vscode.OutputChannel;
  /** The view's Stop button. */
  stopRun(): void;
  /** Where the view keeps its collapsed groups across sessions. */
  memory?: vscode.Memento;
}

/**
 * The graph view and what keeps it in step with the editor: the one panel (opened, restored, followed to the
 * active script), redraws after edits and setting changes, selection both ways, export, and the run overlay.
 */
export class GraphView implements vscode.Disposable {
  private panel: GraphPanel | undefined;
  private readonly redraw = new Debouncer(REDRAW_AFTER_EDIT_MS);
  private readonly sourceReveal = new SourceReveal();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: GraphViewOptions) {
    const { cache } = options;
    this.subscriptions = [
      this.redraw,
      this.sourceReveal,
      vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
        deserializeWebviewPanel: async (webviewPanel, state: unknown) => {
          const file = (state as { file?: unknown } | undefined)?.file;
          this.adopt(webviewPanel, typeof file === 'string' ? vscode.Uri.file(file) : vscode.window.activeTextEditor?.document.uri);
        },
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => this.followEditor(editor)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.selectNodesAt(e.textEditor)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pyflow.view')) this.panel?.refresh();
      }),
      cache.onDidChange((uri) => {
        if (this.shows(uri)) this.redraw.schedule(() => this.redrawDocument(uri));
      }),
    ];
    this.followEditor(vscode.window.activeTextEditor);
  }

  /** Opens the view (or brings it forward) on this script. */
  show(document: vscode.TextDocument | undefined): void {
    if (!document) {
      void vscode.window.showInformationMessage('Pyflow: open a TypeScript or JavaScript file that builds a GraphBuilder graph, then run Show Graph.');
      return;
    }
    if (this.panel) this.panel.panel.reveal(this.panel.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    else
      this.adopt(
        vscode.window.createWebviewPanel(
          GRAPH_VIEW_TYPE,
          'Pyflow graph',
          { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
          { enableScripts: true, retainContextWhenHidden: true },
        ),
        undefined,
      );
    this.showDocument(document);
  }

  focusFind(): void {
    this.panel?.focusFind();
  }

  /** What a run reports, drawn on the view (opened on the run's script if it shows another). */
  runSinks(): Pick<RunSinks, 'onStart' | 'onGraph' | 'onTrace' | 'onCacheMissed' | 'onPreviews' | 'onEnd'> {
    return {
      onStart: (title, document) => {
        if (!this.shows(document.uri)) this.show(document);
        this.panel?.resetTrace(title, document.uri);
      },
      onGraph: (graph: GraphModel, document, view) => {
        if (!this.panel) this.show(document);
        const scriptView: ScriptView | undefined = view ? { graph: graph.alias, ...view } : undefined;
        this.panel?.showRuntimeGraph(document.uri, graph, scriptView);
      },
      onTrace: (events) => this.panel?.appendTrace(events),
      onCacheMissed: (graph, uid, reason) => this.panel?.noteCacheMiss(graph, uid, reason),
      onPreviews: (previews) => this.panel?.addPreviews(previews),
      onEnd: (outcome, summary) => this.panel?.endRun(outcome, summary),
    };
  }

  private adopt(webviewPanel: vscode.WebviewPanel, uri: vscode.Uri | undefined): void {
    const { reporter, channel, extensionUri } = this.options;
    const panel = new GraphPanel({
      panel: webviewPanel,
      extensionUri,
      documentUri: uri,
      onReveal: (u, uid, goTo) => reporter.background('Pyflow: could not show the source of the node', this.revealNode(u, uid, goTo)),
      onExport: (format, data) => this.exportDrawing(format, data),
      onStop: () => this.options.stopRun(),
      log: (line) => channel.appendLine(line),
      memory: this.options.memory,
    });
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    this.panel = panel;
    if (uri)
      reporter.background(
        `Pyflow: could not open ${uri.fsPath}`,
        vscode.workspace.openTextDocument(uri).then((d) => this.showDocument(d)),
      );
  }

  /** The view switches to the script at once (a run's trace may follow); its graphs are drawn once extracted. */
  private showDocument(document: vscode.TextDocument): void {
    const panel = this.panel;
    if (!panel) return;
    const ready = this.options.cache.peek(document);
    panel.show(document.uri, ready);
    if (ready) return;
    this.options.reporter.background(
      `Pyflow: could not draw ${vscode.workspace.asRelativePath(document.uri)}`,
      this.options.cache.get(document).then((result) => {
        if (this.panel === panel && this.shows(document.uri)) panel.show(document.uri, result);
      }),
    );
  }

  private shows(uri: vscode.Uri): boolean {
    return this.panel?.documentUri?.toString() === uri.toString();
  }

  private redrawDocument(uri: vscode.Uri): void {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (document && this.shows(uri)) this.showDocument(document);
  }

  /** Sets `pyflow.fileHasGraph`; the open view follows the editor to another script that builds a graph (`pyflow.view.followEditor`). */
  private followEditor(editor: vscode.TextEditor | undefined): void {
    const hasGraph = !!editor && mentionsPyflow(editor.document.getText());
    void vscode.commands.executeCommand('setContext', 'pyflow.fileHasGraph', hasGraph);
    if (
      hasGraph &&
      this.panel &&
      !this.shows(editor.document.uri) &&
      vscode.languages.match(SCRIPT_SELECTOR, editor.document) > 0 &&
      vscode.workspace.getConfiguration('pyflow').get<boolean>('view.followEditor', true)
    )
      this.showDocument(editor.document);
  }

  /** The ops whose `add` call holds the cursor are selected in the view (if their graphs are extracted already). */
  private selectNodesAt(editor: vscode.TextEditor): void {
    if (!this.panel || !this.shows(editor.document.uri)) return;
    const line = editor.selections[0]!.active.line + 1;
    const nodes = (this.options.cache.peek(editor.document)?.graphs ?? []).flatMap((g) => g.nodes);
    const hit = nodes.filter((n) => n.kind === 'operation' && n.source && n.source.line <= line && line <= (n.source.endLine ?? n.source.line));
    if (hit.length > 0) this.panel.select(hit.map((n) => n.uid));
  }

  private async revealNode(uri: vscode.Uri, uid: string, goTo: boolean): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    const node = (await this.options.cache.get(document)).graphs.flatMap((g) => g.nodes).find((n) => n.uid === uid);
    if (node?.source) await this.sourceReveal.show(document, node.source, goTo);
  }

  private async exportDrawing(format: 'svg' | 'png', data: string): Promise<{ path?: string; error?: string }> {
    const source = this.panel?.documentUri;
    const base = source ? source.with({ path: `${source.path.replace(/\.[^./]+$/, '')}.graph.${format}` }) : undefined;
    const target = await vscode.window.showSaveDialog({
      defaultUri: base,
      filters: format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
      title: `Export graph as ${format.toUpperCase()}`,
    });
    if (!target) return {};
    try {
      await vscode.workspace.fs.writeFile(target, format === 'svg' ? Buffer.from(data, 'utf8') : Buffer.from(data, 'base64'));
      return { path: vscode.workspace.asRelativePath(target) };
    } catch (error) {
      this.options.reporter.report(`Pyflow: could not write ${target.fsPath}`, error);
      return { error: String(error) };
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
