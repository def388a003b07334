import type { Point } from './layout.js';

/** An edge of a finished drawing, as a polyline (splines sampled into one). */
export interface DrawnEdge {
  from: string;
  to: string;
  points: readonly Point[];
}

/**
 * The edge crossings of a drawing, whatever laid it out (our layout, ELK's own, Graphviz): proper intersections
 * between segments of different edges that share no endpoint node, so segments meeting at a common node, or
 * edges fanning out of one port, never count. A sweep over x.
 */
export function countCrossings(edges: readonly DrawnEdge[]): number {
  const ids = new Map<string, number>();
  const id = (s: string): number => {
    let n = ids.get(s);
    if (n === undefined) ids.set(s, (n = ids.size));
    return n;
  };
  const from = edges.map((e) => id(e.from)),
    to = edges.map((e) => id(e.to));
  const total = edges.reduce((a, e) => a + Math.max(0, e.points.length - 1), 0);
  const ax = new Float64Array(total),
    ay = new Float64Array(total),
    bx = new Float64Array(total),
    by = new Float64Array(total),
    edge = new Int32Array(total);
  let k = 0;
  edges.forEach((e, i) => {
    for (let j = 0; j + 1 < e.points.length; j++) {
      const p = e.points[j]!,
        q = e.points[j + 1]!;
      if (p.x === q.x && p.y === q.y) continue;
      ax[k] = p.x;
      ay[k] = p.y;
      bx[k] = q.x;
      by[k] = q.y;
      edge[k] = i;
      k++;
    }
  });
  const byLeft = Array.from({ length: k }, (_, i) => i).sort((i, j) => Math.min(ax[i]!, bx[i]!) - Math.min(ax[j]!, bx[j]!));
  let count = 0;
  for (let oi = 0; oi < k; oi++) {
    const i = byLeft[oi]!;
    const maxX = Math.max(ax[i]!, bx[i]!),
      minY = Math.min(ay[i]!, by[i]!),
      maxY = Math.max(ay[i]!, by[i]!);
    for (let oj = oi + 1; oj < k; oj++) {
      const j = byLeft[oj]!;
      if (Math.min(ax[j]!, bx[j]!) > maxX) break;
      if (Math.max(ay[j]!, by[j]!) < minY || Math.min(ay[j]!, by[j]!) > maxY) continue;
      const ei = edge[i]!,
        ej = edge[j]!;
      if (ei === ej) continue;
      if (from[ei] === from[ej] || from[ei] === to[ej] || to[ei] === from[ej] || to[ei] === to[ej]) continue;
      const o1 = orientation(ax[i]!, ay[i]!, bx[i]!, by[i]!, ax[j]!, ay[j]!),
        o2 = orientation(ax[i]!, ay[i]!, bx[i]!, by[i]!, bx[j]!, by[j]!);
      if (o1 === 0 || o2 === 0 || o1 === o2) continue;
      const o3 = orientation(ax[j]!, ay[j]!, bx[j]!, by[j]!, ax[i]!, ay[i]!),
        o4 = orientation(ax[j]!, ay[j]!, bx[j]!, by[j]!, bx[i]!, by[i]!);
      if (o3 === 0 || o4 === 0 || o3 === o4) continue;
      count++;
    }
  }
  return count;
}

/** Which side of p→q the point r lies on: 1 left, -1 right, 0 on the line. */
function orientation(px: number, py: number, qx: number, qy: number, rx: number, ry: number): number {
  const v = (qx - px) * (ry - py) - (qy - py) * (rx - px);
  return Math.abs(v) < 1e-9 ? 0 : v > 0 ? 1 : -1;
}
