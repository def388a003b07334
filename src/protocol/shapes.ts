/** Node shapes the graph view draws (pyflow's Graphviz shapes); any other shape is drawn as a box. */
export const KNOWN_SHAPES: ReadonlySet<string> = new Set([
  'box', 'rect', 'rectangle', 'square', 'ellipse', 'oval', 'circle', 'cylinder', 'box3d', 'record', 'diamond',
  'note', 'tab', 'folder', 'hexagon', 'plaintext', 'none',
]);
