// Ops of the cluster benchmark (`npm run bench -- cluster`), run by `pyflow worker` processes and by the worker pool.

/** Burns CPU for about `ms` milliseconds of this process's time. */
export function burn(ms, x) {
  const end = process.cpuUsage().user / 1000 + ms;
  let n = 0;
  while (process.cpuUsage().user / 1000 < end) n++;
  return x + (n < 0 ? 1 : 0);
}

export function add(a, b) {
  return a + b;
}

export function sizeOf(values) {
  return values.length;
}
