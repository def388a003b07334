// `add` reached through type-only syntax and other spellings of the same graph variable (issue 17, item 19).
import { GraphBuilder } from 'pyflow';

const inc = (x: number) => x + 1;
function both(a: number, b: number) {
  return a + b;
}

let G: GraphBuilder | undefined = new GraphBuilder({ alias: 'casts' });
const a = G!.add(inc)(1);
const b = (G as any).add(inc)(a);
const c = (<GraphBuilder>G).add(both)(a, b);
const d = (G satisfies GraphBuilder | undefined)!.add(inc)(c);
const e = G?.add(inc)(d);
G['add'](both)(e, 2);
