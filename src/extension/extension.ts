import * as vscode from 'vscode';
import { ModelCache, mentionsPyflow } from './modelCache.js';
import { EvaluateCodeLensProvider } from './codeLens.js';
import { GRAPH_VIEW_TYPE, GraphPanel } from './graphPanel.js';
import { Runs } from './runs.js';
import { SourceReveal } from './sourceReveal.js';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript' }, { language: 'javascript' }, { language: 'typescriptreact' }, { language: 'javascriptreact' },
];

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('Pyflow');
  const cache = new ModelCache();
  let panel: GraphPanel | undefined;
  let lastErrorAt = 0;

  const reportError = (summary: string, detail: string): void => {
    channel.appendLine(detail);
    if (Date.now() - lastErrorAt < 2000) return;
    lastErrorAt = Date.now();
    void vscode.window.showErrorMessage(summary, 'Show Output').then((choice) => { if (choice) channel.show(true); });
  };

  const sourceReveal = new SourceReveal();
  const revealNode = async (uri: vscode.Uri, uid: string, goTo: boolean): Promise<void> => {
    const document = await vscode.workspace.openTextDocument(uri);
    const node = cache.get(document).graphs.flatMap((g) => g.nodes).find((n) => n.uid === uid);
    if (node?.source) await sourceReveal.show(document, node.source, goTo);
  };

  const exportDrawing = async (format: 'svg' | 'png', data: string): Promise<{ path?: string; error?: string }> => {
    const source = panel?.documentUri;
    const base = source ? source.with({ path: source.path.replace(/\.[^./]+$/, '') + `.graph.${format}` }) : undefined;
    const target = await vscode.window.showSaveDialog({ defaultUri: base, filters: format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] }, title: `Export graph as ${format.toUpperCase()}` });
    if (!target) return {};
    try {
      await vscode.workspace.fs.writeFile(target, format === 'svg' ? Buffer.from(data, 'utf8') : Buffer.from(data, 'base64'));
      return { path: vscode.workspace.asRelativePath(target) };
    } catch (error) {
      reportError(`Pyflow: could not write ${target.fsPath}`, String(error));
      return { error: String(error) };
    }
  };

  const adoptPanel = (webviewPanel: vscode.WebviewPanel, uri: vscode.Uri | undefined): GraphPanel => {
    const p = new GraphPanel(webviewPanel, context.extensionUri, uri, undefined, (u, uid, goTo) => void revealNode(u, uid, goTo), (l) => channel.appendLine(l), exportDrawing, () => runs.stop(), context.workspaceState);
    p.onDidDispose(() => { if (panel === p) panel = undefined; });
    panel = p;
    if (uri) void vscode.workspace.openTextDocument(uri).then((d) => p.show(uri, cache.get(d)), () => undefined);
    return p;
  };

  const showGraph = (document: vscode.TextDocument | undefined): void => {
    if (!document) {
      void vscode.window.showInformationMessage('Pyflow: open a TypeScript or JavaScript file that builds a GraphBuilder graph, then run Show Graph.');
      return;
    }
    if (!panel) {
      const webviewPanel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, 'Pyflow graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: true });
      adoptPanel(webviewPanel, document.uri);
    } else {
      panel.panel.reveal(panel.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    }
    panel!.show(document.uri, cache.get(document));
  };

  const runs = new Runs(context.extensionUri, {
    channel,
    onStart: (title, document) => {
      if (panel?.documentUri?.toString() !== document.uri.toString()) showGraph(document);
      panel?.resetTrace(title, document.uri);
    },
    onGraph: (graph, document, view) => {
      if (!panel) showGraph(document);
      panel?.showRuntimeGraph(document.uri, graph, view ? { graph: graph.alias, ...view } : undefined);
    },
    onTrace: (events) => panel?.appendTrace(events),
    onEnd: (outcome, summary) => panel?.endRun(outcome, summary),
    reportError,
  });

  const updateContext = (editor: vscode.TextEditor | undefined): void => {
    const hasGraph = !!editor && mentionsPyflow(editor.document.getText());
    void vscode.commands.executeCommand('setContext', 'pyflow.fileHasGraph', hasGraph);
    // The open graph view follows the editor to another script that builds a graph (setting pyflow.view.followEditor).
    if (hasGraph && panel && panel.documentUri?.toString() !== editor.document.uri.toString() && vscode.languages.match(SELECTOR, editor.document) > 0 &&
      vscode.workspace.getConfiguration('pyflow').get<boolean>('view.followEditor', true)) panel.show(editor.document.uri, cache.get(editor.document));
  };

  let refresh: NodeJS.Timeout | undefined;
  context.subscriptions.push(
    channel, cache, runs, sourceReveal,
    vscode.commands.registerCommand('pyflow.showGraph', (uri?: vscode.Uri) => {
      // Without an active editor (focus in a panel, or the window just opened), a visible script will do.
      const doc = uri
        ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())
        : (vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors.find((e) => vscode.languages.match(SELECTOR, e.document) > 0))?.document;
      showGraph(doc);
    }),
    vscode.commands.registerCommand('pyflow.evaluateHere', async (uri: vscode.Uri, line: number) => {
      const document = await vscode.workspace.openTextDocument(uri);
      await runs.run(document, { kind: 'line', file: document.uri.fsPath, line }, `Evaluate here: line ${line}`);
    }),
    vscode.commands.registerCommand('pyflow.runGraph', async () => {
      const document = vscode.window.activeTextEditor?.document;
      if (document) await runs.run(document, { kind: 'graph' }, 'Run Graph');
    }),
    vscode.commands.registerCommand('pyflow.stop', () => runs.stop()),
    vscode.commands.registerCommand('pyflow.showLog', () => channel.show(true)),
    vscode.commands.registerCommand('pyflow.graph.find', () => panel?.focusFind()),
    vscode.languages.registerCodeLensProvider(SELECTOR, new EvaluateCodeLensProvider(cache, cache.onDidChange)),
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      async deserializeWebviewPanel(webviewPanel, state: unknown) {
        const file = (state as { file?: unknown } | undefined)?.file;
        const uri = typeof file === 'string' ? vscode.Uri.file(file) : vscode.window.activeTextEditor?.document.uri;
        adoptPanel(webviewPanel, uri);
      },
    }),
    vscode.window.onDidChangeActiveTextEditor(updateContext),
    vscode.window.onDidChangeTextEditorSelection((e) => {
      if (!panel || panel.documentUri?.toString() !== e.textEditor.document.uri.toString()) return;
      const line = e.selections[0]!.active.line + 1;
      const nodes = cache.get(e.textEditor.document).graphs.flatMap((g) => g.nodes);
      const hit = nodes.filter((n) => n.kind === 'operation' && n.source && n.source.line <= line && line <= (n.source.endLine ?? n.source.line));
      if (hit.length > 0) panel.select(hit.map((n) => n.uid));
    }),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('pyflow.view')) panel?.refresh(); }),
    cache.onDidChange((uri) => {
      if (!panel || panel.documentUri?.toString() !== uri.toString()) return;
      clearTimeout(refresh);
      refresh = setTimeout(() => {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (document && panel) panel.show(uri, cache.get(document));
      }, 250);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void vscode.commands.executeCommand('editor.action.codeLens.refresh')),
  );
  updateContext(vscode.window.activeTextEditor);
}

export function deactivate(): void {}
