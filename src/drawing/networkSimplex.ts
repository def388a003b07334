/*
 * Network simplex layering (Gansner et al., "A technique for drawing directed graphs", 1993: Graphviz dot's rank
 * step, in dagre's formulation): the layering of a DAG with the smallest summed edge span (weight = number of
 * parallel edges, minimum length 1), per connected component, each starting at layer 0. Fewer layers crossed
 * means fewer virtual nodes, and the crossing reduction after it (preorder.ts) works on far fewer of them: a
 * longest-path layering leaves many more virtual nodes than dot's, and more crossings.
 *
 * `ef`/`et`: edge endpoints (node indices 0..n-1; acyclic, no self loops; parallel edges allowed; negative = none).
 * The pivots are bounded (each is O(size of the component)); the layering is valid whenever they stop.
 */
export function networkSimplexLayers(n: number, ef: ArrayLike<number>, et: ArrayLike<number>): Int32Array {
  const maxPivots = 20 * n + 1000;
  // merge parallel edges
  const key = new Map<number, number>();
  const ev: number[] = [],
    ew: number[] = [],
    wt: number[] = [];
  for (let i = 0; i < ef.length; i++) {
    const a = ef[i]!,
      b = et[i]!;
    if (a < 0 || b < 0 || a === b) continue;
    const k = a * n + b;
    const j = key.get(k);
    if (j !== undefined) wt[j]!++;
    else {
      key.set(k, ev.length);
      ev.push(a);
      ew.push(b);
      wt.push(1);
    }
  }
  const m = ev.length;
  // incident CSR
  const is = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    is[ev[e]! + 1]!++;
    is[ew[e]! + 1]!++;
  }
  for (let v = 0; v < n; v++) is[v + 1]! += is[v]!;
  const inc = new Int32Array(2 * m);
  {
    const f = is.slice();
    for (let e = 0; e < m; e++) {
      inc[f[ev[e]!]!++] = e;
      inc[f[ew[e]!]!++] = e;
    }
  }
  // longest path (ALAP, sinks at 0) via reverse topological order
  const rank = new Int32Array(n);
  {
    const outd = new Int32Array(n);
    for (let e = 0; e < m; e++) outd[ev[e]!]!++;
    const q: number[] = [];
    for (let v = 0; v < n; v++) if (outd[v] === 0) q.push(v);
    for (let h = 0; h < q.length; h++) {
      const w = q[h]!;
      for (let k = is[w]!; k < is[w + 1]!; k++) {
        const e = inc[k]!;
        if (ew[e] !== w) continue;
        const v = ev[e]!;
        rank[v] = Math.min(rank[v]!, rank[w]! - 1);
        if (--outd[v]! === 0) q.push(v);
      }
    }
  }
  // (rank[v] for sources computed as min; init to 0 is fine since all ranks <= 0 along paths)
  const slack = (e: number) => rank[ew[e]!]! - rank[ev[e]!]! - 1;
  const inTree = new Uint8Array(m),
    inT = new Uint8Array(n),
    seen = new Uint8Array(n);
  const parent = new Int32Array(n),
    pedge = new Int32Array(n),
    low = new Int32Array(n),
    lim = new Int32Array(n);
  const cut = new Float64Array(m);
  const stack = new Int32Array(n),
    iter = new Int32Array(n),
    post = new Int32Array(n);
  for (let start = 0; start < n; start++) {
    if (seen[start]) continue;
    // component nodes
    const nodes: number[] = [start];
    seen[start] = 1;
    for (let h = 0; h < nodes.length; h++) {
      const v = nodes[h]!;
      for (let k = is[v]!; k < is[v + 1]!; k++) {
        const e = inc[k]!;
        const w = ev[e] === v ? ew[e]! : ev[e]!;
        if (!seen[w]) {
          seen[w] = 1;
          nodes.push(w);
        }
      }
    }
    const size = nodes.length;
    if (size > 1) {
      // ---- feasible tight tree
      const tree: number[] = [start];
      inT[start] = 1;
      const grow = () => {
        // DFS from all tree nodes along tight edges
        for (let h = 0; h < tree.length; h++) {
          const v = tree[h]!;
          for (let k = is[v]!; k < is[v + 1]!; k++) {
            const e = inc[k]!;
            const w = ev[e] === v ? ew[e]! : ev[e]!;
            if (!inT[w] && slack(e) === 0) {
              inT[w] = 1;
              inTree[e] = 1;
              tree.push(w);
            }
          }
        }
      };
      grow();
      while (tree.length < size) {
        let best = -1,
          bs = Infinity;
        for (const v of tree)
          for (let k = is[v]!; k < is[v + 1]!; k++) {
            const e = inc[k]!;
            if (inT[ev[e]!] !== inT[ew[e]!]) {
              const s = slack(e);
              if (s < bs) {
                bs = s;
                best = e;
              }
            }
          }
        const delta = inT[ev[best]!] ? bs : -bs;
        for (const v of tree) rank[v]! += delta;
        grow();
      }
      // ---- low/lim, parent (iterative DFS from start)
      const initLowLim = () => {
        let sp = 0,
          next = 1,
          np = 0;
        stack[sp++] = start;
        iter[start] = is[start]!;
        parent[start] = -1;
        pedge[start] = -1;
        low[start] = next;
        while (sp > 0) {
          const v = stack[sp - 1]!;
          let pushed = false;
          while (iter[v]! < is[v + 1]!) {
            const e = inc[iter[v]!++]!;
            if (!inTree[e] || e === pedge[v]) continue;
            const w = ev[e] === v ? ew[e]! : ev[e]!;
            parent[w] = v;
            pedge[w] = e;
            iter[w] = is[w]!;
            low[w] = next;
            stack[sp++] = w;
            pushed = true;
            break;
          }
          if (!pushed) {
            sp--;
            lim[v] = next++;
            post[np++] = v;
          }
        }
        return np;
      };
      const initCut = (np: number) => {
        for (let i = 0; i < np; i++) {
          const v = post[i]!;
          const pe = pedge[v]!;
          if (pe < 0) continue;
          const childIsTail = ev[pe] === v;
          let c = wt[pe]!;
          for (let k = is[v]!; k < is[v + 1]!; k++) {
            const e = inc[k]!;
            if (e === pe) continue;
            const isOut = ev[e] === v;
            const pointsToHead = isOut === childIsTail;
            c += pointsToHead ? wt[e]! : -wt[e]!;
            if (inTree[e]) c += pointsToHead ? -cut[e]! : cut[e]!;
          }
          cut[pe] = c;
        }
      };
      const updateRanks = (np: number) => {
        for (let i = np - 1; i >= 0; i--) {
          const v = post[i]!;
          const pe = pedge[v]!;
          if (pe < 0) continue;
          const p = parent[v]!;
          rank[v] = ev[pe] === v ? rank[p]! - 1 : rank[p]! + 1;
        }
      };
      let np = initLowLim();
      initCut(np);
      // edges of this component
      const cedges: number[] = [];
      for (const v of nodes)
        for (let k = is[v]!; k < is[v + 1]!; k++) {
          const e = inc[k]!;
          if (ev[e] === v) cedges.push(e);
        }
      const treeEdges: number[] = cedges.filter((e) => inTree[e]);
      let pivots = 0,
        scan = 0;
      while (pivots < maxPivots) {
        // leave edge: a tree edge with negative cut value (round-robin scan)
        let leave = -1;
        for (let c = 0; c < treeEdges.length; c++) {
          const e = treeEdges[(scan + c) % treeEdges.length]!;
          if (inTree[e] && cut[e]! < 0) {
            leave = e;
            scan = (scan + c + 1) % treeEdges.length;
            break;
          }
        }
        if (leave < 0) break;
        // enter edge
        const v = ev[leave]!,
          w = ew[leave]!;
        // dagre: the tail side is v's subtree unless lim[v] > lim[w]
        let tailLow: number, tailLim: number, flip: boolean;
        if (lim[v]! > lim[w]!) {
          tailLow = low[w]!;
          tailLim = lim[w]!;
          flip = true;
        } else {
          tailLow = low[v]!;
          tailLim = lim[v]!;
          flip = false;
        }
        let f = -1,
          fs = Infinity;
        for (const e of cedges) {
          const a = ev[e]!,
            b = ew[e]!;
          const da = tailLow <= lim[a]! && lim[a]! <= tailLim,
            db = tailLow <= lim[b]! && lim[b]! <= tailLim;
          if (flip === da && flip !== db) {
            const s = slack(e);
            if (s < fs) {
              fs = s;
              f = e;
            }
          }
        }
        if (f < 0) break;
        inTree[leave] = 0;
        inTree[f] = 1;
        treeEdges.push(f);
        np = initLowLim();
        initCut(np);
        updateRanks(np);
        pivots++;
        if (treeEdges.length > 4 * size) {
          const keep = treeEdges.filter((e) => inTree[e]);
          treeEdges.length = 0;
          treeEdges.push(...keep);
        }
      }
    }
    let mn = Infinity;
    for (const v of nodes) mn = Math.min(mn, rank[v]!);
    for (const v of nodes) rank[v]! -= mn;
  }
  return rank;
}
