import * as vscode from 'vscode';
import {
  isWebviewToHost,
  type CollapsedGroups,
  type ExtractResult,
  type GraphModel,
  type HostToWebview,
  type NodePreview,
  type RunEndOutcome,
  type ScriptView,
  type TraceEvent,
  type WebviewToHost,
} from '../protocol/index.js';
import { collapsedOfFile, withCollapsed } from './collapsedStore.js';
import { webviewHtml } from './webviewHtml.js';

export const GRAPH_VIEW_TYPE = 'pyflow.graph';
/** The workspace state's key of the collapsed groups (file → graph alias → group paths). */
const COLLAPSED_KEY = 'pyflow.collapsedGroups';

export interface GraphPanelOptions {
  panel: vscode.WebviewPanel;
  extensionUri: vscode.Uri;
  /** The script shown first (a restored panel's), if known. */
  documentUri?: vscode.Uri;
  /** The user picked a node: `goTo` goes to its source (focus in the editor), otherwise only shows its `add` call. */
  onReveal(uri: vscode.Uri, uid: string, goTo: boolean): void;
  /** Save an exported drawing (SVG text or base64 PNG); the view shows where it went or why not. */
  onExport(format: 'svg' | 'png', data: string): Promise<{ path?: string; error?: string }>;
  /** The view's Stop button. */
  onStop(): void;
  /** A line for the output channel (messages dropped, the view's own errors). */
  log(line: string): void;
  /** Where the collapsed groups of each file are kept (the workspace state), across panels and sessions. */
  memory?: vscode.Memento;
}

/** The one graph panel: shows the graph of a document and overlays the trace of its runs. */
export class GraphPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  documentUri: vscode.Uri | undefined;
  private result: ExtractResult | undefined;
  private readonly memory: vscode.Memento | undefined;
  private ready = false;
  private isDisposed = false;
  private revision = 0;
  private trace: TraceEvent[] = [];
  private traceTitle = '';
  private runEnd: { outcome: RunEndOutcome; summary: string } | undefined;
  /** Why ops of the run shown were computed instead of read from the result cache (resent after `ready`). */
  private cacheMisses: { graph: string; uid: string; reason: string }[] = [];
  /** The latest preview of each data node of the run shown, by `graph\u0000uid` (resent after `ready`). */
  private previews = new Map<string, NodePreview>();
  private runUri: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  constructor(private readonly options: GraphPanelOptions) {
    const { panel, extensionUri } = options;
    this.panel = panel;
    this.documentUri = options.documentUri;
    this.memory = options.memory;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
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

  /** Shows this script: its graphs, or (`undefined`, while they are extracted) nothing of another script's. */
  show(uri: vscode.Uri, result: ExtractResult | undefined): void {
    const changedFile = this.documentUri?.toString() !== uri.toString();
    this.documentUri = uri;
    this.panel.title = `Graph: ${vscode.workspace.asRelativePath(uri)}`;
    if (changedFile) {
      this.result = undefined;
      this.trace = [];
      this.cacheMisses = [];
      this.previews = new Map();
      this.traceTitle = '';
      this.runEnd = undefined;
    }
    if (!result) return;
    this.result = result;
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
    this.cacheMisses = [];
    this.previews = new Map();
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

  noteCacheMiss(graph: string, uid: string, reason: string): void {
    if (!this.showsRun()) return;
    this.cacheMisses.push({ graph, uid, reason });
    this.post({ type: 'cache/missed', graph, uid, reason });
  }

  addPreviews(previews: NodePreview[]): void {
    if (!this.showsRun()) return;
    for (const p of previews) this.previews.set(`${p.graph}\u0000${p.uid}`, p);
    this.post({ type: 'data/previews', previews });
  }

  private sendGraph(scriptView?: ScriptView): void {
    if (!this.result) return;
    const config = vscode.workspace.getConfiguration('pyflow');
    this.post({
      type: 'graph/show',
      result: this.result,
      revision: ++this.revision,
      settings: {
        direction: config.get<string>('view.direction') === 'right' ? 'RIGHT' : 'DOWN',
        full: config.get<boolean>('view.full', false),
        edges: config.get<string>('view.edges') === 'splines' ? 'splines' : 'orthogonal',
      },
      ...(scriptView ? { scriptView } : {}),
      ...this.collapsedOf(this.result.file),
    });
  }

  private collapsedOf(file: string | undefined): { collapsed?: CollapsedGroups } {
    const kept = file === undefined ? undefined : collapsedOfFile(this.memory?.get(COLLAPSED_KEY), file);
    return kept ? { collapsed: kept } : {};
  }

  private keepCollapsed(message: Extract<WebviewToHost, { type: 'groups/collapsed' }>): void {
    if (!this.memory) return;
    const kept = withCollapsed(this.memory.get(COLLAPSED_KEY), this.result?.file, message);
    if (kept) void this.memory.update(COLLAPSED_KEY, kept);
    else this.options.log(`Pyflow: the graph view sent collapsed groups of ${message.file}, not of the file it shows; ignored`);
  }

  private post(message: HostToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private receive(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.options.log(`Pyflow: dropped an unknown message from the graph view: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sendGraph();
        if (this.traceTitle !== '') {
          this.post({ type: 'trace/reset', title: this.traceTitle });
          this.post({ type: 'trace/append', events: this.trace });
          for (const miss of this.cacheMisses) this.post({ type: 'cache/missed', ...miss });
          if (this.previews.size > 0) this.post({ type: 'data/previews', previews: [...this.previews.values()] });
          if (this.runEnd) this.post({ type: 'run/end', ...this.runEnd });
        }
        break;
      case 'node/reveal':
      case 'node/open':
        if (this.documentUri) this.options.onReveal(this.documentUri, message.uid, message.type === 'node/open');
        break;
      case 'run/stop':
        this.options.onStop();
        break;
      case 'export/save':
        void this.options.onExport(message.format, message.data).then((r) => this.post({ type: 'export/done', ...r }));
        break;
      case 'webview/error':
        this.options.log(`Graph view error: ${message.message}${message.stack ? `\n${message.stack}` : ''}`);
        break;
      case 'groups/collapsed':
        this.keepCollapsed(message);
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
