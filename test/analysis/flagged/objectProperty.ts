// A graph reached through an object property.
import { GraphBuilder } from 'pyflow';

const inc = (x: number) => x + 1;

const G = new GraphBuilder({ alias: 'objectProperty' });
const pipeline = { G };
const a = pipeline.G.add(inc)(1); // flagged: pipeline\.G\.add\(…\) is not drawn: Pyflow follows graphs held in variables
G.add(inc)(a);
