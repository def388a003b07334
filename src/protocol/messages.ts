import type { GraphModel, SourceRange, TraceEvent } from '../core/index.js';
import type { NodePreview } from './dataPreview.js';
import type { PackedTrace } from './packedTrace.js';

/** Bumped on every incompatible change of any message below. */
export const PROTOCOL_VERSION = 5;

/** A problem the extractor found in the user's source: never fatal, always located. */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
  range: SourceRange;
  /** The node the problem concerns, when there is one. */
  uid?: string;
}

/** What static extraction of one file produces; also the JSON of `pyflow graph`. */
export interface ExtractResult {
  file: string;
  graphs: GraphModel[];
  diagnostics: Diagnostic[];
  /** Some ops' outputs depend on functions defined elsewhere: a type-checked result may follow. */
  typesPending?: boolean;
}

/** An error as plain data. */
export interface SerializedError {
  name: string;
  /** The whole message (an op's failure names the op, its `add` line and what its function threw). */
  message: string;
  /**
   * Where the user's code threw: one `    at …` line per frame of the user's own code, source-mapped to their
   * TypeScript, innermost (the throwing line) first; pyflow's and Node's internal frames are left out, and the
   * message is not repeated.
   */
  stack?: string;
  code?: string;
  uid?: string;
  source?: SourceRange;
}

/** The op whose function is running, with the place of its `add` call. */
export interface RunningOp {
  graph: string;
  uid: string;
  source?: SourceRange;
}

/** What the user asked a run to evaluate. */
export type RunTarget = { kind: 'script' } | { kind: 'graph' } | { kind: 'line'; file: string; line: number } | { kind: 'uid'; uid: string };

/** Messages the runner child process sends to its parent over Node's IPC channel. */
export type RunnerToHost =
  /** First message of every run: the protocol and library versions of the child. */
  | { type: 'hello'; protocol: number; libraryVersion: string }
  /** A graph exists (or changed): the runtime model, which replaces the static one for this run. */
  | { type: 'graph/snapshot'; graph: GraphModel }
  /**
   * A batch of trace events, in order, packed (see packedTrace.ts); the spawner unpacks it into `trace/append`.
   * A batch ending with a `running` event is sent before that op's function is called, with `running` naming it.
   */
  | ({ type: 'trace/packed'; running?: RunningOp } & PackedTrace)
  /** The script called `G.view()`: show this graph (highlighting `highlight`, e.g. a dependency view). */
  | { type: 'graph/view'; graph: GraphModel; full?: boolean; highlight?: string[] }
  /** The run evaluated its target. `preview` is a short text of the value. */
  | { type: 'run/done'; target?: string; preview?: string; note?: string }
  /** The run failed: a user error, a missing target, or a protocol problem. */
  | { type: 'run/failed'; error: SerializedError }
  /** With the result cache: this op is computed, not read from the cache, because of `reason` (`first run`, `function scale changed`…). */
  | { type: 'cache/missed'; graph: string; uid: string; reason: string }
  /** Previews of data nodes' values, built as their ops finished (runs with `dataPreviews` only); a later one of a node replaces an earlier one. */
  | { type: 'data/previews'; previews: NodePreview[] };

/**
 * What a run's listener receives: the runner's messages, with trace batches unpacked into events; `running` is
 * the op whose function is being called when the batch arrived (it stays running until its `finished` or
 * `error` event).
 */
export type RunMessage = Exclude<RunnerToHost, { type: 'trace/packed' }> | { type: 'trace/append'; events: TraceEvent[]; running?: RunningOp };

/** Messages the extension sends to the graph webview; nothing is sent before the webview's `ready`. */
export type HostToWebview =
  /**
   * Draw this extraction (replaces any previous graph); `revision` grows with each edit. `scriptView`: the
   * running script called `G.view()` / `G.viewDependency()` on `graph` and asked for this view.
   */
  | { type: 'graph/show'; result: ExtractResult; revision: number; settings: ViewSettings; scriptView?: ScriptView; collapsed?: CollapsedGroups }
  /** Forget the trace overlay: a run starts. */
  | { type: 'trace/reset'; title: string }
  /** Overlay these trace events (in order). */
  | { type: 'trace/append'; events: TraceEvent[] }
  /** Highlight (and bring into view) the nodes whose `add` call is at the editor's selection. */
  | { type: 'selection/set'; uids: string[] }
  /** The run shown ended (sent after its last `trace/append`); `summary` says how, naming the op that was running. */
  | { type: 'run/end'; outcome: RunEndOutcome; summary: string }
  /** The user pressed Ctrl/Cmd+F with the view focused (VS Code takes that key before the page sees it). */
  | { type: 'find/focus' }
  /** The result of an export the webview asked for. */
  | { type: 'export/done'; path?: string; error?: string }
  /** An op of the run shown is computed instead of read from the result cache, and why (its details show it). */
  | { type: 'cache/missed'; graph: string; uid: string; reason: string }
  /** Previews of data nodes' values in the run shown (all of them after `ready`); the details panel shows the selected node's. */
  | { type: 'data/previews'; previews: NodePreview[] };

/** Messages the graph webview sends to the extension. */
export type WebviewToHost =
  /** The webview's listener is attached; the host (re)sends the full state. */
  | { type: 'ready' }
  /** The user picked a node: show its `add` call in the editor, keeping the focus (and the editor's selection) as they are. */
  | { type: 'node/reveal'; uid: string; graph?: string }
  /** Go to source (double-click, F12): move the editor's cursor to the node's `add` call and focus the editor. */
  | { type: 'node/open'; uid: string; graph?: string }
  /** The view's Stop button: stop the live run. */
  | { type: 'run/stop' }
  /** Save the drawing: `data` is SVG text or a base64 PNG; the host asks where. */
  | { type: 'export/save'; format: 'svg' | 'png'; data: string }
  /** Something failed inside the webview; the host logs it. */
  | { type: 'webview/error'; message: string; stack?: string }
  /** The user collapsed or expanded a group: the collapsed group paths of a graph of a file, kept in the workspace state. */
  | { type: 'groups/collapsed'; file: string; graph: string; paths: string[] };

/** The collapsed groups of a file's graphs (graph alias → group paths), as the workspace state keeps them. */
export type CollapsedGroups = Record<string, string[]>;

/** How a run ended, as the graph view shows it. */
export type RunEndOutcome = 'done' | 'failed' | 'stopped' | 'timeout';

/** What a script's `G.view(options)` asks of the graph view. */
export interface ScriptView {
  graph: string;
  full?: boolean;
  /** uids to highlight (pyflow's view_dependency: everything a node needs). */
  highlight?: string[];
}

/** View preferences the host passes to the webview. */
export interface ViewSettings {
  direction: 'DOWN' | 'RIGHT';
  full: boolean;
  edges: 'orthogonal' | 'splines';
}
