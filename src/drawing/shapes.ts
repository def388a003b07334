import { h, type VNode } from './vnode.js';

/** The outline elements of a node of the given shape and size; `divider` is the y of a record's separator. */
export function shapeOutline(shape: string, w: number, h0: number, fill: string | undefined, divider?: number): VNode[] {
  const a = { class: 'shape', fill: fill ?? undefined };
  switch (shape) {
    case 'ellipse':
    case 'oval':
      return [h('ellipse', { ...a, cx: w / 2, cy: h0 / 2, rx: w / 2, ry: h0 / 2 })];
    case 'circle': {
      const r = Math.max(w, h0) / 2;
      return [h('circle', { ...a, cx: w / 2, cy: h0 / 2, r })];
    }
    case 'diamond':
      return [h('polygon', { ...a, points: `${w / 2},0 ${w},${h0 / 2} ${w / 2},${h0} 0,${h0 / 2}` })];
    case 'hexagon': {
      const i = Math.min(12, w / 4);
      return [h('polygon', { ...a, points: `${i},0 ${w - i},0 ${w},${h0 / 2} ${w - i},${h0} ${i},${h0} 0,${h0 / 2}` })];
    }
    case 'cylinder': {
      const ry = Math.min(6, h0 / 4);
      return [
        h('path', { ...a, d: `M0,${ry} A${w / 2},${ry} 0 0 1 ${w},${ry} L${w},${h0 - ry} A${w / 2},${ry} 0 0 1 0,${h0 - ry} Z` }),
        h('path', { class: 'shape-line', d: `M0,${ry} A${w / 2},${ry} 0 0 0 ${w},${ry}` }),
      ];
    }
    case 'box3d': {
      const d = 5;
      return [
        h('path', { ...a, d: `M${d},0 L${w},0 L${w},${h0 - d} L${w - d},${h0} L0,${h0} L0,${d} Z` }),
        h('path', { class: 'shape-line', d: `M0,${d} L${w - d},${d} L${w - d},${h0} M${w - d},${d} L${w},0` }),
      ];
    }
    case 'note': {
      const f = 8;
      return [
        h('path', { ...a, d: `M0,0 L${w - f},0 L${w},${f} L${w},${h0} L0,${h0} Z` }),
        h('path', { class: 'shape-line', d: `M${w - f},0 L${w - f},${f} L${w},${f}` }),
      ];
    }
    case 'tab':
    case 'folder': {
      const tw = Math.min(24, w / 3);
      const th = 5;
      const body =
        shape === 'tab'
          ? `M0,${th} L0,${h0} L${w},${h0} L${w},${th} Z M2,0 L${tw},0 L${tw},${th} L2,${th} Z`
          : `M0,${th} L0,${h0} L${w},${h0} L${w},${th} L${tw + 4},${th} L${tw},0 L2,0 L0,${th} Z`;
      return [h('path', { ...a, d: body })];
    }
    case 'record': {
      const y = divider ?? h0 / 2;
      return [h('rect', { ...a, x: 0, y: 0, width: w, height: h0 }), h('path', { class: 'shape-line', d: `M0,${y} L${w},${y}` })];
    }
    case 'plaintext':
    case 'none':
      return [h('rect', { class: 'shape invisible', x: 0, y: 0, width: w, height: h0 })];
    default:
      return [h('rect', { ...a, x: 0, y: 0, width: w, height: h0, rx: 3 })];
  }
}
