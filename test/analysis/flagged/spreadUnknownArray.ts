// A spread whose length only the runtime knows.
import { GraphBuilder } from 'pyflow';

function sum(...xs: number[]) {
  return xs.reduce((s, x) => s + x, 0);
}

const G = new GraphBuilder({ alias: 'spreadUnknownArray' });
const inputs = [1, 2, 3];
inputs.push(4);
const a = G.add(sum)(...inputs); // flagged: sum_0: its arguments are spread from inputs, whose length only the runtime knows
G.add(sum)(a, 5);
