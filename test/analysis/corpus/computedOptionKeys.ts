// Option keys written as computed names whose value is a literal or a const (issue 17, item 19).
import { GraphBuilder } from 'pyflow';

const ALIAS = 'alias';
const OUTPUTS = 'nOut';
const inc = (x: number) => x + 1;
function pair(x: number): [number, number] {
  return [x, -x];
}

const G = new GraphBuilder({ ['alias']: 'computed' });
const a = G.add(inc, { ['alias']: 'first' })(1);
const b = G.add(inc, { [ALIAS]: 'second', ['color']: 'red' })(a);
const [p, q] = G.add(pair, { [OUTPUTS]: 2 })(b);
G.add(inc, { [`rank`]: 2 })(p);
G.add(inc)(q);
