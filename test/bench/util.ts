/** Wall time in ms. */
export const wallClock = (): number => performance.now();

/** CPU time of this process in ms (user + system, all its threads): what other processes' load disturbs least. */
export const cpuClock = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Median time in ms of `fn` over `runs` runs after `warmup` runs, by `clock` (default: CPU time). */
export function medianMs(fn: () => unknown, runs = 7, warmup = 2, clock = cpuClock): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = clock();
    fn();
    times.push(clock() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function table(title: string, header: string[], rows: (string | number)[][]): string {
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  return [
    `\n### ${title}\n`,
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
  ].join('\n');
}
