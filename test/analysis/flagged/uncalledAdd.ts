// `G.add(f)` kept and called later: the node appears at the later call.
import { GraphBuilder } from 'pyflow';

const inc = (x: number) => x + 1;

const G = new GraphBuilder({ alias: 'uncalledAdd' });
const step = G.add(inc); // flagged: G\.add\(inc\) is not called at once
const a = step(1);
G.add(inc)(a);
