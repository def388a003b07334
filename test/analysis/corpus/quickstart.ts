// The getting-started graph of pyflow: nothing runs until a3.get().
import { GraphBuilder } from 'pyflow';

function adding(a: number, b: number): number {
  return a + b;
}

const G = new GraphBuilder({ alias: 'quickstart' });
const a1 = G.add(adding)(2, 2);
const a2 = G.add(adding)(3, a1);
const a3 = G.add(adding)(a1, a2);


