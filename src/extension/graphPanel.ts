import * as vscode from 'vscode';
import { isWebviewToHost, type CollapsedGroups, type ExtractResult, type GraphModel, type HostToWebview, type RunEndOutcome, type ScriptView, type TraceEvent } from '../protocol/index.js';
import { webviewHtml } from './webviewHtml.js';

export const GRAPH_VIEW_TYPE = 'pyflow.graph';
/** The workspace state's key of the collapsed groups (file → graph alias → group paths), and how many files it keeps. */
const COLLAPSED_KEY = 'pyflow.collapsedGroups';
const COLLAPSED_FILES = 200;

/** The one graph panel: shows the graph of a document and overlays the trace of its runs. */
export class GraphPanel implements vscode.Disposable {
  private ready = false;
  private isDisposed = false;
  private revision = 0;
  private trace: TraceEvent[] = [];
  private traceTitle = '';
  private runEnd: { outcome: RunEndOutcome; summary: string } | undefined;
  private runUri: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    public documentUri: vscode.Uri | undefined,
    private result: ExtractResult | undefined,
    /** `goTo`: go to source (focus the editor); otherwise only show the `add` call, keeping the focus in the view. */
    private readonly onReveal: (uri: vscode.Uri, uid: string, goTo: boolean) => void,
    private readonly log: (line: string) => void,
    private readonly onExport: (format: 'svg' | 'png', data: string) => Promise<{ path?: string; error?: string }>,
    private readonly onStop: () => void = () => undefined,
    /** Where the collapsed groups of each file are kept (the workspace state), across panels and sessions. */
    private readonly memory?: vscode.Memento,
  ) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
    panel.webview.html = webviewHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
  }

  /** Re-sends the graph (settings changed). */
  refresh(): void {
    this.sendGraph();
  }

  /** Highlights the nodes of these uids in the view. */
  select(uids: string[]): void {
    this.post({ type: 'selection/set', uids });
  }

  show(uri: vscode.Uri, result: ExtractResult): void {
    const changedFile = this.documentUri?.toString() !== uri.toString();
    this.documentUri = uri;
    this.result = result;
    this.panel.title = `Graph: ${vscode.workspace.asRelativePath(uri)}`;
    if (changedFile) {
      this.trace = [];
      this.traceTitle = '';
      this.runEnd = undefined;
    }
    this.sendGraph();
  }

  /** During a run: the runtime graph replaces the static one of the same alias (loops, helpers appear). */
  showRuntimeGraph(uri: vscode.Uri, graph: GraphModel, scriptView?: ScriptView): void {
    if (this.documentUri?.toString() !== uri.toString() || !this.result) return;
    const graphs = this.result.graphs.some((g) => g.alias === graph.alias)
      ? this.result.graphs.map((g) => (g.alias === graph.alias ? graph : g))
      : [...this.result.graphs, graph];
    this.result = { ...this.result, graphs, typesPending: false };
    this.sendGraph(scriptView);
  }

  /** A run of `uri` starts; its trace is shown while the view shows that file. */
  resetTrace(title: string, uri: vscode.Uri): void {
    this.runUri = uri.toString();
    this.trace = [];
    this.traceTitle = title;
    this.runEnd = undefined;
    this.post({ type: 'trace/reset', title });
  }

  /** The run shown is over (after its last trace events). */
  endRun(outcome: RunEndOutcome, summary: string): void {
    if (!this.showsRun()) return;
    this.runEnd = { outcome, summary };
    this.post({ type: 'run/end', outcome, summary });
  }

  /** The view still shows the file of the last run (it may have followed the editor elsewhere). */
  private showsRun(): boolean {
    return this.runUri !== undefined && this.runUri === this.documentUri?.toString();
  }

  /** Ctrl/Cmd+F while the view is focused. */
  focusFind(): void {
    this.post({ type: 'find/focus' });
  }

  appendTrace(events: TraceEvent[]): void {
    if (!this.showsRun()) return;
    this.trace.push(...events);
    this.post({ type: 'trace/append', events });
  }

  private sendGraph(scriptView?: ScriptView): void {
    if (!this.result) return;
    const config = vscode.workspace.getConfiguration('pyflow');
    this.post({ type: 'graph/show', result: this.result, revision: ++this.revision, settings: {
      direction: config.get<string>('view.direction') === 'right' ? 'RIGHT' : 'DOWN',
      full: config.get<boolean>('view.full', false),
      edges: config.get<string>('view.edges') === 'splines' ? 'splines' : 'orthogonal',
    }, ...(scriptView ? { scriptView } : {}), ...this.collapsedOf(this.result.file) });
  }

  private collapsedOf(file: string | undefined): { collapsed?: CollapsedGroups } {
    const kept = file === undefined ? undefined : this.memory?.get<Record<string, CollapsedGroups>>(COLLAPSED_KEY)?.[file];
    return kept ? { collapsed: kept } : {};
  }

  private keepCollapsed(file: string, graph: string, paths: string[]): void {
    if (!this.memory) return;
    const all = { ...this.memory.get<Record<string, CollapsedGroups>>(COLLAPSED_KEY) };
    // The file is moved to the end (most recent); the oldest files are forgotten past COLLAPSED_FILES.
    const groups = { ...all[file], [graph]: paths };
    delete all[file];
    all[file] = groups;
    const files = Object.keys(all);
    for (const old of files.slice(0, Math.max(0, files.length - COLLAPSED_FILES))) delete all[old];
    void this.memory.update(COLLAPSED_KEY, all);
  }

  private post(message: HostToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private receive(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.log(`Pyflow: dropped an unknown message from the graph view: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendGraph();
        if (this.traceTitle !== '') {
          this.post({ type: 'trace/reset', title: this.traceTitle });
          this.post({ type: 'trace/append', events: this.trace });
          if (this.runEnd) this.post({ type: 'run/end', ...this.runEnd });
        }
        break;
      case 'node/reveal':
      case 'node/open':
        if (this.documentUri) this.onReveal(this.documentUri, message.uid, message.type === 'node/open');
        break;
      case 'run/stop':
        this.onStop();
        break;
      case 'export/save':
        void this.onExport(message.format, message.data).then((r) => this.post({ type: 'export/done', ...r }));
        break;
      case 'webview/error':
        this.log(`Graph view error: ${message.message}${message.stack ? `\n${message.stack}` : ''}`);
        break;
      case 'groups/collapsed':
        this.keepCollapsed(message.file, message.graph, message.paths);
        break;
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.disposed.fire();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.disposed.dispose();
  }
}
