// Function names as the runtime sees them, output-less ops, structured (kwargs-like) arguments,
// reassignment, namespace import, grafting a node of another graph.
import * as pf from 'pyflow';

const double = (x: number) => x * 2;
const named = function inner(x: number) { return x + 1; };
const obj = { scale(x: number) { return x * 3; } };
function save(x: unknown): void {
  void x;
}
function combine(args: { a: number; b: number; c: number }) {
  return args.a + args.b + args.c;
}

const first = new pf.GraphBuilder({ alias: 'first' });
const f1 = first.add(double)(1);

const G = new pf.GraphBuilder({ alias: 'second', persist: true });
let x = G.add(double)(f1);
x = G.add(named)(x);
x = G.add(obj.scale)(x);
const y = G.add((v: number) => v - 1)(x);
const z = G.add(combine)({ a: x, b: y, c: 10 });
G.add(save)(z);
G.add(save, { nOut: 0 })([z, 'label']);
