/*
 * Network simplex layering (Gansner et al., "A technique for drawing directed graphs", 1993: Graphviz dot's rank
 * step, in dagre's formulation): the layering of a DAG with the smallest summed edge span (weight = number of
 * parallel edges, minimum length 1), per connected component, each starting at layer 0. Fewer layers crossed
 * means fewer virtual nodes, and the crossing reduction after it (preorder.ts) works on far fewer of them: a
 * longest-path layering leaves many more virtual nodes than dot's, and more crossings.
 *
 * `from`/`to`: edge endpoints (node indices 0..nodeCount-1; acyclic, no self loops; parallel edges allowed; negative = none).
 * The pivots are bounded (each is O(size of the component)); the layering is valid whenever they stop.
 */
export function networkSimplexLayers(nodeCount: number, from: ArrayLike<number>, to: ArrayLike<number>): Int32Array {
  const graph = mergeParallelEdges(nodeCount, from, to);
  const rank = longestPathRanks(graph);
  const tree = new SpanningTree(nodeCount, graph.tail.length);
  const isReached = new Uint8Array(nodeCount);
  const maxPivots = 20 * nodeCount + 1000;
  for (let root = 0; root < nodeCount; root++) {
    if (isReached[root]) continue;
    const nodes = componentNodes(graph, root, isReached);
    if (nodes.length > 1) {
      growTightTree(graph, rank, tree, root, nodes.length);
      pivotToOptimum(graph, rank, tree, root, nodes, maxPivots);
    }
    shiftToZero(rank, nodes);
  }
  return rank;
}

/**
 * The graph network simplex works on: every edge has minimum length 1 and, as weight, the number of input edges
 * merged into it (parallel edges become one; self loops and edges with a missing end are dropped).
 */
interface RankGraph {
  /** Per edge: its upper end (source) and lower end (target). */
  tail: Int32Array;
  head: Int32Array;
  weight: Int32Array;
  /** The edges at node v, as tail or head, in edge order: incidentEdge[incidentStart[v]..incidentStart[v+1]-1]. */
  incidentStart: Int32Array;
  incidentEdge: Int32Array;
}

function mergeParallelEdges(nodeCount: number, from: ArrayLike<number>, to: ArrayLike<number>): RankGraph {
  const indexOfPair = new Map<number, number>();
  const tails: number[] = [],
    heads: number[] = [],
    weights: number[] = [];
  for (let i = 0; i < from.length; i++) {
    const a = from[i]!,
      b = to[i]!;
    if (a < 0 || b < 0 || a === b) continue;
    const pair = a * nodeCount + b;
    const e = indexOfPair.get(pair);
    if (e !== undefined) weights[e]!++;
    else {
      indexOfPair.set(pair, tails.length);
      tails.push(a);
      heads.push(b);
      weights.push(1);
    }
  }
  const tail = Int32Array.from(tails),
    head = Int32Array.from(heads);
  const incidentStart = new Int32Array(nodeCount + 1);
  for (let e = 0; e < tail.length; e++) {
    incidentStart[tail[e]! + 1]!++;
    incidentStart[head[e]! + 1]!++;
  }
  for (let v = 0; v < nodeCount; v++) incidentStart[v + 1]! += incidentStart[v]!;
  const incidentEdge = new Int32Array(2 * tail.length);
  const fill = incidentStart.slice();
  for (let e = 0; e < tail.length; e++) {
    incidentEdge[fill[tail[e]!]!++] = e;
    incidentEdge[fill[head[e]!]!++] = e;
  }
  return { tail, head, weight: Int32Array.from(weights), incidentStart, incidentEdge };
}

const otherEnd = (g: RankGraph, e: number, v: number): number => (g.tail[e] === v ? g.head[e]! : g.tail[e]!);

/** How much longer than its minimum length 1 edge e is. Feasible ranks: no edge has negative slack. */
const slack = (g: RankGraph, rank: Int32Array, e: number): number => rank[g.head[e]!]! - rank[g.tail[e]!]! - 1;

/** Feasible initial ranks: every node as low as its successors allow (sinks at 0, the others negative). */
function longestPathRanks(g: RankGraph): Int32Array {
  const nodeCount = g.incidentStart.length - 1;
  const rank = new Int32Array(nodeCount);
  const unrankedSuccessors = new Int32Array(nodeCount);
  for (let e = 0; e < g.tail.length; e++) unrankedSuccessors[g.tail[e]!]!++;
  const ready: number[] = [];
  for (let v = 0; v < nodeCount; v++) if (unrankedSuccessors[v] === 0) ready.push(v);
  for (let h = 0; h < ready.length; h++) {
    const w = ready[h]!;
    for (let k = g.incidentStart[w]!; k < g.incidentStart[w + 1]!; k++) {
      const e = g.incidentEdge[k]!;
      if (g.head[e] !== w) continue;
      const v = g.tail[e]!;
      rank[v] = Math.min(rank[v]!, rank[w]! - 1);
      if (--unrankedSuccessors[v]! === 0) ready.push(v);
    }
  }
  return rank;
}

/** The nodes connected to root (root first, then breadth first), each marked in isReached. */
function componentNodes(g: RankGraph, root: number, isReached: Uint8Array): number[] {
  const nodes = [root];
  isReached[root] = 1;
  for (let h = 0; h < nodes.length; h++) {
    const v = nodes[h]!;
    for (let k = g.incidentStart[v]!; k < g.incidentStart[v + 1]!; k++) {
      const w = otherEnd(g, g.incidentEdge[k]!, v);
      if (!isReached[w]) {
        isReached[w] = 1;
        nodes.push(w);
      }
    }
  }
  return nodes;
}

/**
 * A spanning tree of one component, and what the pivots need to know of it. Its numbering is a depth-first
 * postorder from the root: node u lies in v's subtree exactly when low[v] <= lim[u] <= lim[v].
 */
class SpanningTree {
  readonly isTreeNode: Uint8Array;
  readonly isTreeEdge: Uint8Array;
  readonly parent: Int32Array;
  /** The tree edge between a node and its parent (-1 at the root). */
  readonly parentEdge: Int32Array;
  readonly low: Int32Array;
  readonly lim: Int32Array;
  /** The component's nodes in postorder (children before parents): postorder[0..size-1]. */
  readonly postorder: Int32Array;
  size = 0;
  /**
   * Per tree edge: the weight of the edges from its tail's side to its head's side once it is removed, minus the
   * weight of those going the other way. The ranks are optimal when no cut value is negative.
   */
  readonly cutValue: Float64Array;
  private readonly stack: Int32Array;
  private readonly nextIncident: Int32Array;

  constructor(nodeCount: number, edgeCount: number) {
    this.isTreeNode = new Uint8Array(nodeCount);
    this.isTreeEdge = new Uint8Array(edgeCount);
    this.parent = new Int32Array(nodeCount);
    this.parentEdge = new Int32Array(nodeCount);
    this.low = new Int32Array(nodeCount);
    this.lim = new Int32Array(nodeCount);
    this.postorder = new Int32Array(nodeCount);
    this.cutValue = new Float64Array(edgeCount);
    this.stack = new Int32Array(nodeCount);
    this.nextIncident = new Int32Array(nodeCount);
  }

  isInSubtree(u: number, v: number): boolean {
    return this.low[v]! <= this.lim[u]! && this.lim[u]! <= this.lim[v]!;
  }

  /** Sets parent, parentEdge, low, lim and the postorder from the tree edges (an iterative depth-first search). */
  number(g: RankGraph, root: number): void {
    const { stack, nextIncident, parent, parentEdge, low, lim } = this;
    let depth = 0,
      next = 1;
    this.size = 0;
    stack[depth++] = root;
    nextIncident[root] = g.incidentStart[root]!;
    parent[root] = -1;
    parentEdge[root] = -1;
    low[root] = next;
    while (depth > 0) {
      const v = stack[depth - 1]!;
      const child = this.nextChild(g, v);
      if (child >= 0) {
        nextIncident[child] = g.incidentStart[child]!;
        low[child] = next;
        stack[depth++] = child;
      } else {
        depth--;
        lim[v] = next++;
        this.postorder[this.size++] = v;
      }
    }
  }

  /** The next child of v along its incident tree edges not yet visited, with its parent set; -1 when none is left. */
  private nextChild(g: RankGraph, v: number): number {
    while (this.nextIncident[v]! < g.incidentStart[v + 1]!) {
      const e = g.incidentEdge[this.nextIncident[v]!++]!;
      if (!this.isTreeEdge[e] || e === this.parentEdge[v]) continue;
      const w = otherEnd(g, e, v);
      this.parent[w] = v;
      this.parentEdge[w] = e;
      return w;
    }
    return -1;
  }

  /** Every tree edge's cut value, children first: a node's cut value follows from those of the tree edges below it. */
  computeCutValues(g: RankGraph): void {
    for (let i = 0; i < this.size; i++) {
      const v = this.postorder[i]!;
      const up = this.parentEdge[v]!;
      if (up < 0) continue;
      const isChildTail = g.tail[up] === v;
      let cut = g.weight[up]!;
      for (let k = g.incidentStart[v]!; k < g.incidentStart[v + 1]!; k++) {
        const e = g.incidentEdge[k]!;
        if (e === up) continue;
        const isAligned = (g.tail[e] === v) === isChildTail;
        cut += isAligned ? g.weight[e]! : -g.weight[e]!;
        if (this.isTreeEdge[e]) cut += isAligned ? -this.cutValue[e]! : this.cutValue[e]!;
      }
      this.cutValue[up] = cut;
    }
  }

  /** Ranks that make every tree edge tight, parents first, the root's rank kept. */
  tightenRanks(g: RankGraph, rank: Int32Array): void {
    for (let i = this.size - 1; i >= 0; i--) {
      const v = this.postorder[i]!;
      const up = this.parentEdge[v]!;
      if (up < 0) continue;
      const p = this.parent[v]!;
      rank[v] = g.tail[up] === v ? rank[p]! - 1 : rank[p]! + 1;
    }
  }
}

/**
 * Marks the edges of a spanning tree of root's component whose edges are all tight (slack 0), shifting ranks to
 * make it so. The tree grows along tight edges; while it does not span, the whole tree moves by the slack of the
 * edge with the least slack between it and the rest, which makes that edge tight and keeps every edge feasible.
 */
function growTightTree(g: RankGraph, rank: Int32Array, tree: SpanningTree, root: number, componentSize: number): void {
  const treeNodes = [root];
  tree.isTreeNode[root] = 1;
  addTightEdges(g, rank, tree, treeNodes);
  while (treeNodes.length < componentSize) {
    let closest = -1,
      closestSlack = Infinity;
    for (const v of treeNodes)
      for (let k = g.incidentStart[v]!; k < g.incidentStart[v + 1]!; k++) {
        const e = g.incidentEdge[k]!;
        if (tree.isTreeNode[g.tail[e]!] !== tree.isTreeNode[g.head[e]!] && slack(g, rank, e) < closestSlack) {
          closestSlack = slack(g, rank, e);
          closest = e;
        }
      }
    const shift = tree.isTreeNode[g.tail[closest]!] ? closestSlack : -closestSlack;
    for (const v of treeNodes) rank[v]! += shift;
    addTightEdges(g, rank, tree, treeNodes);
  }
}

/** Adds to the tree every node reached from it along tight edges (breadth first over treeNodes, which grows). */
function addTightEdges(g: RankGraph, rank: Int32Array, tree: SpanningTree, treeNodes: number[]): void {
  for (let h = 0; h < treeNodes.length; h++) {
    const v = treeNodes[h]!;
    for (let k = g.incidentStart[v]!; k < g.incidentStart[v + 1]!; k++) {
      const e = g.incidentEdge[k]!;
      const w = otherEnd(g, e, v);
      if (!tree.isTreeNode[w] && slack(g, rank, e) === 0) {
        tree.isTreeNode[w] = 1;
        tree.isTreeEdge[e] = 1;
        treeNodes.push(w);
      }
    }
  }
}

/**
 * Exchanges a tree edge with a negative cut value for the non-tree edge that reconnects the tree with the least
 * slack, until no cut value is negative (the ranks are then optimal) or maxPivots exchanges were made. After each
 * exchange the tree is renumbered, its cut values recomputed and the ranks made tight along it again: every step
 * keeps the ranks feasible.
 */
function pivotToOptimum(g: RankGraph, rank: Int32Array, tree: SpanningTree, root: number, nodes: readonly number[], maxPivots: number): void {
  tree.number(g, root);
  tree.computeCutValues(g);
  const componentEdges = edgesByTail(g, nodes);
  const candidates = new LeavingEdgeScan(
    componentEdges.filter((e) => tree.isTreeEdge[e]),
    nodes.length,
  );
  for (let pivot = 0; pivot < maxPivots; pivot++) {
    const leaving = candidates.next(tree);
    if (leaving < 0) break;
    const entering = enteringEdge(g, rank, tree, componentEdges, leaving);
    if (entering < 0) break;
    tree.isTreeEdge[leaving] = 0;
    tree.isTreeEdge[entering] = 1;
    candidates.add(entering, tree);
    tree.number(g, root);
    tree.computeCutValues(g);
    tree.tightenRanks(g, rank);
  }
}

/** The edges out of `nodes`, node by node. */
function edgesByTail(g: RankGraph, nodes: readonly number[]): number[] {
  const edges: number[] = [];
  for (const v of nodes)
    for (let k = g.incidentStart[v]!; k < g.incidentStart[v + 1]!; k++) if (g.tail[g.incidentEdge[k]!] === v) edges.push(g.incidentEdge[k]!);
  return edges;
}

/**
 * Tree edges with a negative cut value, found round-robin: each search resumes after the edge the last one
 * returned. The list holds the tree edges in the order they entered; an edge that left stays listed (and is
 * skipped) until the list grows past four times the component's size and is compacted.
 */
class LeavingEdgeScan {
  private resumeAt = 0;

  constructor(
    private readonly edges: number[],
    private readonly componentSize: number,
  ) {}

  next(tree: SpanningTree): number {
    const count = this.edges.length;
    for (let c = 0; c < count; c++) {
      const e = this.edges[(this.resumeAt + c) % count]!;
      if (tree.isTreeEdge[e] && tree.cutValue[e]! < 0) {
        this.resumeAt = (this.resumeAt + c + 1) % count;
        return e;
      }
    }
    return -1;
  }

  add(e: number, tree: SpanningTree): void {
    this.edges.push(e);
    if (this.edges.length > 4 * this.componentSize) {
      const inTree = this.edges.filter((f) => tree.isTreeEdge[f]);
      this.edges.length = 0;
      this.edges.push(...inTree);
    }
  }
}

/**
 * The edge with the least slack among those from the head's side of `leaving` to its tail's side (the sides the
 * tree falls into without it): putting it in the tree instead keeps the tree spanning and the ranks feasible.
 */
function enteringEdge(g: RankGraph, rank: Int32Array, tree: SpanningTree, componentEdges: readonly number[], leaving: number): number {
  const tail = g.tail[leaving]!,
    head = g.head[leaving]!;
  const isHeadBelow = tree.lim[tail]! > tree.lim[head]!;
  const subtreeRoot = isHeadBelow ? head : tail;
  let best = -1,
    bestSlack = Infinity;
  for (const e of componentEdges) {
    const isTailInside = tree.isInSubtree(g.tail[e]!, subtreeRoot),
      isHeadInside = tree.isInSubtree(g.head[e]!, subtreeRoot);
    if (isTailInside === isHeadBelow && isHeadInside !== isHeadBelow && slack(g, rank, e) < bestSlack) {
      bestSlack = slack(g, rank, e);
      best = e;
    }
  }
  return best;
}

/** Shifts a component's ranks so that its smallest is 0. */
function shiftToZero(rank: Int32Array, nodes: readonly number[]): void {
  let min = Infinity;
  for (const v of nodes) min = Math.min(min, rank[v]!);
  for (const v of nodes) rank[v]! -= min;
}
