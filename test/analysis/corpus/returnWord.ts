// The runtime counts the word `return` in a function's compiled text, comments, strings and types aside (issue 17, item 19).
import { GraphBuilder } from 'pyflow';

function wrap(a: number) {
  console.log({ return: a });
}
function rewind(it: Iterator<number>) {
  it.return?.();
}
function typed(x: { return: number }): void {
  // return is only in a comment and a type here
  console.log('return', x);
}
const expression = (x: number) => x * 2;

const G = new GraphBuilder({ alias: 'words' });
const a = G.add(wrap)(1);
const b = G.add(rewind)([1, 2][Symbol.iterator]());
G.add(typed)({ return: 3 });
G.add(expression)(a);
G.add(expression)(b);
