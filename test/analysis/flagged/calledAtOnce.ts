// A function called where it is written adds nodes the extractor does not follow.
import { GraphBuilder } from 'pyflow';

const inc = (x: number) => x + 1;

const G = new GraphBuilder({ alias: 'calledAtOnce' });
const a = G.add(inc)(1);
(() => { G.add(inc)(a); })(); // flagged: a function called at once may add nodes to graph "calledAtOnce"
G.add(inc)(a);
