// add calls inside a template's substitutions and a computed property name, in evaluation order.
import { GraphBuilder } from 'pyflow';

const inc = (x: number) => x + 1;
const dec = (x: number) => x - 1;

const G = new GraphBuilder({ alias: 'embedded' });
const a = G.add(inc)(1);
const label = `first ${G.add(inc)(a)}, then ${G.add(dec)(a)}`;
const keyed = { [String(G.add(dec)(a))]: G.add(inc)(a) };
G.add(inc)(a);
void label;
void keyed;
