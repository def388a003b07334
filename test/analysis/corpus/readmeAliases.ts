// pyflow-viz README: aliases for ops and outputs (output_alias as a string and as a list).
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
function split_transform(inp: number): [number, number] {
  return [inp + 1, inp + 2];
}
function join_transform(inp1: number, inp2: number) {
  return inp1 + inp2;
}

const G = new GraphBuilder();
let dfa = G.add(query_dataframe_A, { rank: 0, shape: 'cylinder', color: 'lightblue', outputAlias: 'df_A' })();
let dfb = G.add(query_dataframe_B, { rank: 0, shape: 'cylinder', color: 'lightblue', outputAlias: 'df_B' })();
const dfa1 = G.add(product_transform)(dfa);
const dfb1 = G.add(product_transform)(dfb);
// note the list of aliases for nOut: 2
[dfa, dfb] = G.add(split_transform, { nOut: 2, outputAlias: ['first_out', 'second_out'] })(dfa1);
const joined_df = G.add(join_transform, { outputAlias: 'final_data' })(dfb1, dfa);
export { joined_df };
