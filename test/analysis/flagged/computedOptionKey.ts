// An option key computed at runtime: it could be nOut or alias, which change uids.
import { GraphBuilder } from 'pyflow';

const keys = ['nOut', 'alias'];
function pair(x: number): [number, number] {
  return [x, -x];
}
const inc = (x: number) => x + 1;

const G = new GraphBuilder({ alias: 'computedOptionKey' });
const out = G.add(pair, { [keys[0]!]: 2 } as { nOut: 2 })(1); // flagged: option key \[keys\[0\]!\] is computed at runtime
G.add(inc)(5);
void out;
