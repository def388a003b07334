// The seed's "Computation and memory efficiency" example: click "Evaluate here" above a5 to watch pyflow
// activate, run and release nodes (the Pyflow output channel shows the verbose trace).
import { GraphBuilder } from 'pyflow';

function adding(a: number, b: number): number {
  return a + b;
}

function return2(a: number, b: number): [number, number] {
  return [a + 1, b + 1];
}

const G = new GraphBuilder({ verbose: true });
const a1 = G.add(adding)(1, 2);
const [a2, a3] = G.add(return2, { nOut: 2 })(a1, 3);
const a4 = G.add(adding)(a1, 5);
const a5 = G.add(adding)(a4, a3);

console.log(a5.get(), a2.uid);
