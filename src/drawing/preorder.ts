/*
 * Graphviz dot's layering, crossing reduction and x placement in plain TypeScript, handed to ELK as a finished
 * ordering (see `applyPreorder` in layout.ts). ELK's own layered crossing minimisation left 1.5-1.9x dot's crossings and a
 * drawing 2-3x wider than dot's on random 1,000-op pipelines; this gives about dot's crossings and a smaller
 * drawing in less time (README, `npm run bench -- layout`).
 *
 * preorder(view, parts, widths): layers (network simplex, or the rank partitions when the view has ranks), long
 * edges split into virtual nodes, initial orders by breadth-first search (dot's build_ranks) and by model order,
 * then dot's mincross from each: weighted-median sweeps alternating down and up with transposition of neighbours,
 * the order with the fewest crossings kept (counted exactly per pair of layers with a Fenwick tree). An edge from
 * output port i of k sits at sub-position (i+1)/(k+1) of its node (ports run left to right, as layoutGraph sets
 * them). Then x: each layer in turn is pulled towards the weighted median of its neighbours' positions under
 * minimum separations (isotonic regression, pool-adjacent-violators), virtual-to-virtual links weighing most so
 * long edges run straight.
 *
 * No ELK in here: a pure function of the view graph and the node widths.
 */
import { networkSimplexLayers } from './networkSimplex.js';

export interface Preorder {
  /** Per view node: its layer (0 on top, no empty layers). */
  layer: Int32Array;
  /** Per view node: its centre along the layer. */
  x: Float64Array;
  /** Per view edge: the layer and centre of each of its virtual nodes, top to bottom (none for a one-layer edge). */
  bends: { layer: number; x: number }[][];
  /** Edge crossings of the order found (between virtual and real nodes, ports counted). */
  crossings: number;
}

const SLOTS = 16; // sub-positions per node for ports (key = pos*SLOTS + slot)

/** Mincross iterations per initial order, and iterations without improvement before giving up (dot's values). */
const MAX_ITER = 24;
const MIN_QUIT = 8;
/** x placement: separations between real nodes, virtual nodes, and one of each; link weights (virtual, mixed). */
const NODE_SEP = 24;
const DUMMY_SEP = 5;
const MIXED_SEP = 8;
const W_DUMMY = 8;
const W_MIXED = 2;
const PLACE_SWEEPS = 8;

/** What the preorder reads of a view graph (a ViewGraph is one; the worker is sent just this). */
export interface OrderInput {
  nodes: readonly { uid: string }[];
  edges: readonly { from: string; to: string; port?: number }[];
  ports: ReadonlyMap<string, number>;
}

/** The layout of a view's nodes (widths: along the layers, per view node), or undefined for a cyclic graph. */
export function preorder(view: OrderInput, parts: ReadonlyMap<string, number> | undefined, widths: readonly number[]): Preorder | undefined {
  const n = view.nodes.length;
  const index = new Map<string, number>();
  view.nodes.forEach((v, i) => index.set(v.uid, i));
  const E = view.edges.length;
  const ef = new Int32Array(E).fill(-1), et = new Int32Array(E).fill(-1), eslot = new Int32Array(E).fill(SLOTS / 2);
  for (let i = 0; i < E; i++) {
    const e = view.edges[i]!;
    const a = index.get(e.from), b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    ef[i] = a; et[i] = b;
    if (e.port !== undefined) {
      const k = view.ports.get(e.from) ?? 1;
      eslot[i] = Math.max(1, Math.min(SLOTS - 1, Math.round(((e.port + 1) / (k + 1)) * SLOTS)));
    }
  }
  // ---- topological order (Kahn), real graph
  const outStart = new Int32Array(n + 1), indeg = new Int32Array(n);
  for (let i = 0; i < E; i++) if (ef[i]! >= 0) { outStart[ef[i]! + 1]!++; indeg[et[i]!]!++; }
  for (let v = 0; v < n; v++) outStart[v + 1]! += outStart[v]!;
  const outAdj = new Int32Array(outStart[n]!);
  { const o = outStart.slice(); for (let i = 0; i < E; i++) if (ef[i]! >= 0) outAdj[o[ef[i]!]!++] = et[i]!; }
  // Only whether every node is reached (a cycle is left to ELK).
  const queue = new Int32Array(n); let qt = 0;
  for (let v = 0; v < n; v++) if (indeg[v] === 0) queue[qt++] = v;
  for (let h = 0; h < qt; h++) { const u = queue[h]!; for (let k = outStart[u]!; k < outStart[u + 1]!; k++) { const w = outAdj[k]!; if (--indeg[w]! === 0) queue[qt++] = w; } }
  if (qt < n) return undefined;
  // ---- layering
  const L = new Int32Array(n);
  if (parts) {
    for (let v = 0; v < n; v++) L[v] = parts.get(view.nodes[v]!.uid) ?? 0;
  } else {
    L.set(networkSimplexLayers(n, ef, et));
  }
  // compact (no empty layers)
  { let maxL = 0; for (let v = 0; v < n; v++) maxL = Math.max(maxL, L[v]!);
    const used = new Int32Array(maxL + 1); for (let v = 0; v < n; v++) used[L[v]!] = 1;
    let c = 0; const map = new Int32Array(maxL + 1); for (let l = 0; l <= maxL; l++) { map[l] = c; c += used[l]!; }
    for (let v = 0; v < n; v++) L[v] = map[L[v]!]!; }
  let nl = 0; for (let v = 0; v < n; v++) nl = Math.max(nl, L[v]! + 1);
  // ---- virtual nodes and segments
  let N = n, S = 0;
  for (let i = 0; i < E; i++) if (ef[i]! >= 0) { const span = L[et[i]!]! - L[ef[i]!]!; if (span < 1) return undefined; N += span - 1; S += span; }
  const lay = new Int32Array(N); lay.set(L);
  const segTop = new Int32Array(S), segBot = new Int32Array(S), segSlot = new Int32Array(S);
  const chainStart = new Int32Array(E + 1); // virtual ids of edge i: chainStart[i]..chainStart[i+1]-1 offset by n
  const src = new Int32Array(N); // model index of the origin (for model-order init)
  for (let v = 0; v < n; v++) src[v] = v;
  { let vid = n, s = 0;
    for (let i = 0; i < E; i++) {
      chainStart[i] = vid - n;
      if (ef[i]! < 0) continue;
      const a = ef[i]!, b = et[i]!;
      let prev = a, slot = eslot[i]!;
      for (let l = L[a]! + 1; l < L[b]!; l++) { lay[vid] = l; src[vid] = b; segTop[s] = prev; segBot[s] = vid; segSlot[s] = slot; s++; prev = vid++; slot = SLOTS / 2; }
      segTop[s] = prev; segBot[s] = b; segSlot[s] = slot; s++;
    }
    chainStart[E] = vid - n; }
  // CSR: up neighbours (with the slot on the upper node) and down neighbours (with own slot)
  const upS = new Int32Array(N + 1), dnS = new Int32Array(N + 1);
  for (let s = 0; s < S; s++) { upS[segBot[s]! + 1]!++; dnS[segTop[s]! + 1]!++; }
  for (let v = 0; v < N; v++) { upS[v + 1]! += upS[v]!; dnS[v + 1]! += dnS[v]!; }
  const up = new Int32Array(S), upSl = new Int32Array(S), dn = new Int32Array(S), dnSl = new Int32Array(S);
  { const a = upS.slice(), b = dnS.slice(); for (let s = 0; s < S; s++) { const t = segTop[s]!, u = segBot[s]!; up[a[u]!] = t; upSl[a[u]!++] = segSlot[s]!; dn[b[t]!] = u; dnSl[b[t]!++] = segSlot[s]!; } }
  // layers
  const lcount = new Int32Array(nl + 1); for (let v = 0; v < N; v++) lcount[lay[v]! + 1]!++;
  for (let l = 0; l < nl; l++) lcount[l + 1]! += lcount[l]!;
  const lstart = lcount; // layer l occupies slots lstart[l]..lstart[l+1]-1 of `ord`
  const ord = new Int32Array(N), pos = new Int32Array(N);
  // segments grouped by gap (upper layer)
  const gS = new Int32Array(nl + 1); for (let s = 0; s < S; s++) gS[lay[segTop[s]!]! + 1]!++;
  for (let l = 0; l < nl; l++) gS[l + 1]! += gS[l]!;
  const gSeg = new Int32Array(S); { const g = gS.slice(); for (let s = 0; s < S; s++) gSeg[g[lay[segTop[s]!]!]!++] = s; }
  const maxW = (() => { let m = 0; for (let l = 0; l < nl; l++) m = Math.max(m, lstart[l + 1]! - lstart[l]!); return m; })();
  const bit = new Int32Array(maxW + 2);
  const keyBuf = new Float64Array(S);
  const idxBuf = new Int32Array(S);

  const gapCross = (l: number): number => {
    const a = gS[l]!, b = gS[l + 1]!, m = b - a;
    if (m < 2) return 0;
    for (let k = 0; k < m; k++) { const s = gSeg[a + k]!; idxBuf[k] = s; keyBuf[s] = (pos[segTop[s]!]! * SLOTS + segSlot[s]!) * (maxW + 1) + pos[segBot[s]!]!; }
    const sub = idxBuf.subarray(0, m);
    sub.sort((x, y) => keyBuf[x]! - keyBuf[y]!);
    const w = lstart[l + 2]! - lstart[l + 1]!;
    bit.fill(0, 0, w + 2);
    let c = 0;
    for (let k = 0; k < m; k++) {
      const p = pos[segBot[sub[k]!]!]! + 1;
      // inserted so far with bottom > p: k - prefix(p)
      let q = 0; for (let i = p; i > 0; i -= i & -i) q += bit[i]!;
      c += k - q;
      for (let i = p; i <= w; i += i & -i) bit[i]!++;
    }
    return c;
  };
  const totalCross = () => { let c = 0; for (let l = 0; l + 1 < nl; l++) c += gapCross(l); return c; };

  // ---- initial orders
  const install = (seq: Int32Array | number[]) => {
    const fill = lstart.slice(0, nl);
    for (const v of seq) { const l = lay[v]!; pos[v] = fill[l]! - lstart[l]!; ord[fill[l]!++] = v; }
  };
  // Breadth-first from each source, downwards (dot's build_ranks).
  const bfsOrder = (): Int32Array => {
    const seen = new Uint8Array(N), q = new Int32Array(N); let t = 0;
    for (let v = 0; v < n; v++) {
      if (seen[v] || upS[v + 1]! - upS[v]! > 0) continue;
      seen[v] = 1; q[t++] = v;
      for (let h = t - 1; h < t; h++) {
        const u = q[h]!;
        for (let k = dnS[u]!; k < dnS[u + 1]!; k++) { const w = dn[k]!; if (!seen[w]) { seen[w] = 1; q[t++] = w; } }
      }
    }
    for (let v = 0; v < N; v++) if (!seen[v]) q[t++] = v;
    return q;
  };
  const modelOrder = (): Int32Array => {
    const ids = Int32Array.from({ length: N }, (_, i) => i);
    return ids.sort((a, b) => src[a]! - src[b]! || a - b);
  };

  // ---- mincross
  const med = new Float64Array(N);
  const tmp: number[] = [];
  const medianOf = (v: number, fromUp: boolean): number => {
    tmp.length = 0;
    if (fromUp) for (let k = upS[v]!; k < upS[v + 1]!; k++) tmp.push(pos[up[k]!]! * SLOTS + upSl[k]!);
    else for (let k = dnS[v]!; k < dnS[v + 1]!; k++) tmp.push(pos[dn[k]!]! * SLOTS + SLOTS / 2);
    const m = tmp.length;
    if (m === 0) return -1;
    if (m === 1) return tmp[0]!;
    tmp.sort((a, b) => a - b);
    if (m === 2) return (tmp[0]! + tmp[1]!) / 2;
    if (m % 2) return tmp[(m - 1) / 2]!;
    const lm = m / 2 - 1, rm = m / 2;
    const left = tmp[lm]! - tmp[0]!, right = tmp[m - 1]! - tmp[rm]!;
    if (left + right === 0) return (tmp[lm]! + tmp[rm]!) / 2;
    return (tmp[lm]! * right + tmp[rm]! * left) / (left + right);
  };
  const movable: number[] = [], slots: number[] = [];
  const reorder = (l: number, fromUp: boolean) => {
    const a = lstart[l]!, b = lstart[l + 1]!;
    movable.length = 0; slots.length = 0;
    for (let k = a; k < b; k++) { const v = ord[k]!; med[v] = medianOf(v, fromUp); if (med[v]! >= 0) { movable.push(v); slots.push(k); } }
    movable.sort((x, y) => med[x]! - med[y]! || pos[x]! - pos[y]!);
    for (let i = 0; i < movable.length; i++) { const v = movable[i]!; ord[slots[i]!] = v; pos[v] = slots[i]! - a; }
  };
  // crossings between the edges of u and v (u left of v) with the layers above and below
  const pairCross = (u: number, v: number): number => {
    let c = 0;
    for (let i = upS[u]!; i < upS[u + 1]!; i++) { const ku = pos[up[i]!]! * SLOTS + upSl[i]!; for (let j = upS[v]!; j < upS[v + 1]!; j++) if (ku > pos[up[j]!]! * SLOTS + upSl[j]!) c++; }
    for (let i = dnS[u]!; i < dnS[u + 1]!; i++) { const ku = pos[dn[i]!]!; for (let j = dnS[v]!; j < dnS[v + 1]!; j++) if (ku > pos[dn[j]!]!) c++; }
    return c;
  };
  const candidate = new Uint8Array(nl);
  const transpose = (reverse: boolean) => {
    candidate.fill(1);
    for (let pass = 0; pass < 6; pass++) {
      let delta = 0;
      for (let l = 0; l < nl; l++) {
        if (!candidate[l]) continue;
        candidate[l] = 0;
        const a = lstart[l]!, b = lstart[l + 1]!;
        for (let k = a; k + 1 < b; k++) {
          const u = ord[k]!, v = ord[k + 1]!;
          const c0 = pairCross(u, v);
          if (c0 === 0) continue;
          const c1 = pairCross(v, u);
          if (c1 < c0 || (reverse && c1 === c0)) {
            ord[k] = v; ord[k + 1] = u; pos[v] = k - a; pos[u] = k + 1 - a;
            delta += c0 - c1;
            candidate[l] = 1; if (l > 0) candidate[l - 1] = 1; if (l + 1 < nl) candidate[l + 1] = 1;
          }
        }
      }
      if (delta < 1) break;
    }
  };
  const best = new Int32Array(N);
  let bestC = Infinity;
  const runFrom = (init: Int32Array) => {
    install(init);
    transpose(false);
    let cur = totalCross(), localBest = cur;
    const save = () => { if (cur < bestC) { bestC = cur; best.set(pos); } };
    save();
    let trying = 0;
    for (let iter = 0; iter < MAX_ITER && cur > 0; iter++) {
      const down = iter % 2 === 0, reverse = iter % 4 < 2;
      if (down) for (let l = 1; l < nl; l++) reorder(l, true);
      else for (let l = nl - 2; l >= 0; l--) reorder(l, false);
      transpose(reverse);
      cur = totalCross();
      if (cur < localBest) { if (cur < 0.995 * localBest) trying = 0; else trying++; localBest = cur; save(); }
      else if (++trying >= MIN_QUIT) break;
    }
  };
  runFrom(bfsOrder());
  runFrom(modelOrder());
  pos.set(best);
  // ---- x placement
  const X = new Float64Array(N);
  {
    const width = new Float64Array(N); for (let v = 0; v < n; v++) width[v] = widths[v]!;
    // ord must reflect best positions
    for (let v = 0; v < N; v++) ord[lstart[lay[v]!]! + pos[v]!] = v;
    const gap = (a: number, b: number) => (width[a]! + width[b]!) / 2 + (a < n && b < n ? NODE_SEP : a >= n && b >= n ? DUMMY_SEP : MIXED_SEP);
    for (let l = 0; l < nl; l++) { let x = 0; for (let k = lstart[l]!; k < lstart[l + 1]!; k++) { const v = ord[k]!; if (k > lstart[l]!) x += gap(ord[k - 1]!, v); X[v] = x; } }
    // centre layers on each other initially
    const ew8 = (a: number, b: number) => (a >= n && b >= n ? W_DUMMY : a >= n || b >= n ? W_MIXED : 1);
    const tgt = new Float64Array(maxW), wts = new Float64Array(maxW), off = new Float64Array(maxW);
    const blkV = new Float64Array(maxW), blkW = new Float64Array(maxW), blkN = new Int32Array(maxW);
    const vals: number[] = [], ws: number[] = [];
    const portOff = (u: number, slot: number) => (u < n ? (slot / SLOTS - 0.5) * width[u]! : 0);
    const solveLayer = (l: number, useUp: boolean, useDn: boolean) => {
      const a = lstart[l]!, m = lstart[l + 1]! - a;
      for (let i = 0; i < m; i++) {
        const v = ord[a + i]!;
        vals.length = 0; ws.length = 0;
        if (useUp) for (let k = upS[v]!; k < upS[v + 1]!; k++) { const u = up[k]!; vals.push(X[u]! + portOff(u, upSl[k]!)); ws.push(ew8(u, v)); }
        if (useDn) for (let k = dnS[v]!; k < dnS[v + 1]!; k++) { const u = dn[k]!; vals.push(X[u]! - portOff(v, dnSl[k]!)); ws.push(ew8(u, v)); }
        let t = X[v]!, w = 1e-3;
        if (vals.length) {
          let sw = 0; for (const x of ws) sw += x;
          // weighted median
          const idx = vals.map((_, j) => j).sort((p, q) => vals[p]! - vals[q]!);
          let acc = 0; t = vals[idx[idx.length - 1]!]!;
          for (const j of idx) { acc += ws[j]!; if (acc >= sw / 2) { t = acc === sw / 2 && idx.length > 1 ? (vals[j]! + vals[idx[idx.indexOf(j) + 1]!]!) / 2 : vals[j]!; break; } }
          w = sw;
        }
        off[i] = i === 0 ? 0 : off[i - 1]! + gap(ord[a + i - 1]!, v);
        tgt[i] = t - off[i]!; wts[i] = w;
      }
      // weighted isotonic regression (pool adjacent violators) on tgt
      let nb = 0;
      for (let i = 0; i < m; i++) {
        blkV[nb] = tgt[i]!; blkW[nb] = wts[i]!; blkN[nb] = 1; nb++;
        while (nb > 1 && blkV[nb - 2]! > blkV[nb - 1]!) {
          const W = blkW[nb - 2]! + blkW[nb - 1]!;
          blkV[nb - 2] = (blkV[nb - 2]! * blkW[nb - 2]! + blkV[nb - 1]! * blkW[nb - 1]!) / W; blkW[nb - 2] = W; blkN[nb - 2]! += blkN[nb - 1]!; nb--;
        }
      }
      let i = 0;
      for (let b = 0; b < nb; b++) for (let k = 0; k < blkN[b]!; k++, i++) X[ord[a + i]!] = blkV[b]! + off[i]!;
    };
    for (let it = 0; it < PLACE_SWEEPS; it++) {
      if (it % 2 === 0) for (let l = 1; l < nl; l++) solveLayer(l, true, it > 0);
      else for (let l = nl - 2; l >= 0; l--) solveLayer(l, true, true);
    }
    for (let it = 0; it < 2; it++) { for (let l = 0; l < nl; l++) solveLayer(l, true, true); for (let l = nl - 1; l >= 0; l--) solveLayer(l, true, true); }
    let mn = Infinity; for (let v = 0; v < N; v++) mn = Math.min(mn, X[v]! - width[v]! / 2);
    for (let v = 0; v < N; v++) X[v]! -= mn;
  }
  const bends: Preorder['bends'] = [];
  for (let i = 0; i < E; i++) {
    const chain: { layer: number; x: number }[] = [];
    for (let k = chainStart[i]!; k < chainStart[i + 1]!; k++) chain.push({ layer: lay[n + k]!, x: X[n + k]! });
    bends.push(chain);
  }
  return { layer: L, x: X.slice(0, n), bends, crossings: bestC };
}
