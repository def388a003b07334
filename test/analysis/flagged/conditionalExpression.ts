// Adds that may not run: the branches of a ternary and the right side of ??.
import { GraphBuilder } from 'pyflow';

const inc = (x: number) => x + 1;
const dec = (x: number) => x - 1;
const cached: number | undefined = Math.random() > 2 ? 1 : undefined;

const G = new GraphBuilder({ alias: 'conditionalExpression' });
const a = Math.random() > 2 ? G.add(inc)(1) : G.add(dec)(1); // flagged: Nodes in a conditional expression are drawn once
const b = cached ?? G.add(inc)(a);
G.add(inc)(b);
