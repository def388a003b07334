// Several graphs in one file, grafting both ways, default alias, graph-level persist, options from consts.
import { GraphBuilder as Builder } from 'pyflow';

const adding = (a: number, b: number) => a + b;
const opts = { persist: true } as const;
const styled = { shape: 'hexagon', color: '#ffcc00', fontsize: 9 };

const G = new Builder({ alias: 'First Graph' });
const a1 = G.add(adding)(1, 2);
const a2 = G.add(adding, opts)(a1, 2);
const a3 = G.add(adding, { outputAlias: 'leaving!' })(a1, a2);

const H = new Builder();
const b1 = H.add(adding, styled)(a3, 1);
const b2 = H.add(adding)(b1, a2);
const b3 = G.add(adding)(b2, b1);
console.log(b3.get());
