// Functions imported from another module: their outputs are settled by the type checker (refineWithTypes).
import { GraphBuilder } from 'pyflow';
import { load, save, upload as send } from './lib/io';

const G = new GraphBuilder({ alias: 'imports' });
const a = G.add(load)(1);
G.add(save)(a);
G.add(send)(a);
const b = G.add(load)(a);
export { b };
