// pyflow-viz README multi-output example, with nested add calls and an expression statement.
import { GraphBuilder } from 'pyflow';

function adding(a: number, b: number) {
  return a + b;
}
function multi_output_method(a: number, b: number): [number, number] {
  return [a + 1, b + 1];
}
function log(x: number): void {
  console.log(x);
}

const G = new GraphBuilder({ alias: 'multi' });
const a1 = G.add(adding)(2, 2);
const [a2, b2] = G.add(multi_output_method, { nOut: 2 })(a1, 2);
const a3 = G.add(adding)(a2, 3);
const a4 = G.add(adding)(b2, G.add(adding)(a1, 10));
G.add(log)(a4);
G.add(adding)(a3, [1, 2].length);
