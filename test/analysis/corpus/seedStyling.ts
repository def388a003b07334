// The seed's "Styling your DAG" example: ranks, shapes and colours, multi-output, raw-free sources.
import { GraphBuilder } from 'pyflow';

function query_dataframe_A() {
  return 1;
}
function query_dataframe_B() {
  return 2;
}
function product_transform(inp: number) {
  return inp * 2;
}
function join_transform(inp1: number, inp2: number) {
  return inp1 + inp2;
}
function split_transform(inp: number): [number, number] {
  return [inp + 1, inp + 2];
}

const source = { rank: 0, shape: 'cylinder', color: 'lightblue' } as const;
const G = new GraphBuilder({ alias: 'styled' });
const df1 = G.add(query_dataframe_A, source)();
const df2 = G.add(query_dataframe_B, { rank: 0, shape: 'cylinder', color: 'lightblue' })();
const new_df1 = G.add(product_transform)(df1);
const new_df2 = G.add(product_transform, { fontsize: 14 })(df2);
const [dfa, dfb] = G.add(split_transform, { nOut: 2, outputAlias: ['left', 'right'] })(new_df2);
const joined_df = G.add(join_transform, { alias: 'join' })(new_df1, dfa);
export { dfb, joined_df };
