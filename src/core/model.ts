/** A position range in a source file; lines and columns are 1-based, the end is exclusive. */
export interface SourceRange {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** An operation, a data node, or a grafted graph drawn as one box (only where grafts form a cycle, see `withGrafts`). */
export type NodeKind = 'operation' | 'data' | 'graph';

/** A node of the graph model that `G.toJSON()` and the static extractor both produce. */
export interface ModelNode {
  uid: string;
  kind: NodeKind;
  /** What pyflow draws: the alias (function name or `alias` option) for ops, the output alias or `data` for data. */
  label: string;
  alias?: string;
  /** Function name as the runtime sees it (operations). */
  fn?: string;
  rank?: number;
  shape?: string;
  color?: string;
  fontsize?: number;
  persist?: boolean;
  /** A raw input value (literal argument). */
  raw?: boolean;
  /** For raw inputs: the argument's source text (static) or a short preview of the value (runtime). */
  value?: string;
  /** Dimension string of a persisted value that is present, as pyflow prints it: `(1, )`, `(3, )`, `(3, 4)`. */
  dim?: string;
  /**
   * The grafted graph (its alias) this node is of: a node of another graph that this one uses, whose uid here is
   * `<graph>/<uid in that graph>`; for `kind: 'graph'`, the grafted graph the box stands for. Absent for the graph's
   * own nodes.
   */
  graph?: string;
  /**
   * Group path of the node (`add`'s `group` option), parts separated by `/`: the view draws each group as a box
   * that can be collapsed. Data nodes belong to the group of the op that made them (raw inputs: that they were given to).
   */
  group?: string;
  /** Extractor only: this node could not be determined exactly (loop, conditional, helper). */
  dynamic?: boolean;
  source?: SourceRange;
}

/** An edge of a {@link GraphModel}, by node uid: data into an operation, or an operation to its output. */
export interface ModelEdge {
  from: string;
  to: string;
}

/** A graph as plain JSON (`G.toJSON()`, the static extractor, the drawing code): its nodes and edges. */
export interface GraphModel {
  alias: string;
  /** The graph was built with `verbose: true`: pyflow labels its nodes by uid. */
  verbose?: boolean;
  nodes: ModelNode[];
  edges: ModelEdge[];
}
