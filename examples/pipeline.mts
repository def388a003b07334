// A small data pipeline in the styling of pyflow's README: sources on the top row, a multi-output split,
// an output-less save step, and an async fetch (run it with Evaluate here; getAsync awaits it).
import { GraphBuilder } from 'pyflow';

const source = { rank: 0, shape: 'cylinder', color: 'lightblue' } as const;

function query_orders(): number[] {
  return [120, 80, 45, 300, 15];
}
function query_customers(): string[] {
  return ['ada', 'grace', 'edsger'];
}
async function fetch_rates(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return 1.1;
}
function convert(orders: number[], rate: number): number[] {
  return orders.map((o) => o * rate);
}
function split_large(orders: number[]): [number[], number[]] {
  return [orders.filter((o) => o >= 100), orders.filter((o) => o < 100)];
}
function report(large: number[], customers: string[]): string {
  return `${large.length} large orders for ${customers.length} customers`;
}
function save(text: string): void {
  console.log(`saved: ${text}`);
}

const G = new GraphBuilder({ alias: 'orders' });
const orders = G.add(query_orders, source)();
const customers = G.add(query_customers, source)();
const rate = G.add(fetch_rates, { rank: 0, shape: 'cylinder', color: 'khaki' })();
const converted = G.add(convert, { persist: true })(orders, rate);
const [large, small] = G.add(split_large, { nOut: 2, outputAlias: ['large', 'small'] })(converted);
const summary = G.add(report, { shape: 'note' })(large, customers);
G.add(save)(summary);

console.log(await summary.getAsync(), small.uid);
