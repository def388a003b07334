// Spread arguments whose items are known: an array literal, and the outputs of a multi-output op (issue 17, item 19).
import { GraphBuilder } from 'pyflow';

function sum(...xs: number[]) {
  return xs.reduce((s, x) => s + x, 0);
}
function split(x: number): [number, number] {
  return [x - 1, x + 1];
}

const G = new GraphBuilder({ alias: 'spreads' });
const a = G.add(sum)(...[1, 2, 3]);
const halves = G.add(split, { nOut: 2 })(a);
const b = G.add(sum)(...halves);
const c = G.add(sum)(b, ...[a, 4]);
G.add(sum)(...([c] as const));
