// Arrays and objects of data nodes held in consts are walked as the runtime walks them.
import { GraphBuilder } from 'pyflow';

const inc = (x: number) => x + 1;
const total = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const pick = (o: { left: number; right: number }) => o.left - o.right;

const G = new GraphBuilder({ alias: 'structures' });
const a = G.add(inc)(1);
const b = G.add(inc)(a);
const both = [a, b, 3];
const sides = { left: a, right: b };
const plain = [1, 2];
G.add(total)(both);
G.add(pick)(sides);
G.add(total)(plain);
