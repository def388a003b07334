// pyflow-viz README "Executing part of graph": reassigned variables, an output-less save op, run/runOnly calls.
import { GraphBuilder } from 'pyflow';

function query_dataA() { return 1; }
function query_dataB() { return 2; }
function query_dataC() { return 3; }
function transform_dataA(a: number) { return a; }
function transform_dataB(a: number) { return a; }
function transform_dataC(a: number) { return a; }
function join_dataAB(a: number, b: number) { return a + b; }
function save_dataAB(ab: number): void { void ab; }
function join_dataC(a: number, c: number) { return a + c; }

const G = new GraphBuilder();
let a = G.add(query_dataA, { rank: 0 })();
let b = G.add(query_dataB, { rank: 0 })();
let c = G.add(query_dataC, { rank: 0 })();
a = G.add(transform_dataA)(a);
b = G.add(transform_dataB)(b);
c = G.add(transform_dataC)(c);
const ab = G.add(join_dataAB)(a, b);
G.add(save_dataAB)(ab);
const ac = G.add(join_dataC)(a, c);
G.runOnly(a);
G.runOnly(a, 'save_dataAB');
G.run(ac);
