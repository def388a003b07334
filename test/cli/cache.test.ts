import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIST = join(__dirname, '..', '..', 'dist');

/** Runs the built `pyflow` CLI in `cwd`. */
function pyflow(cwd: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(DIST, 'cli.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const LIB = (k: number) =>
  `export const K = ${k};\nexport function deep(x: number) { return x * K; }\nexport function mid(x: number) { return deep(x) + 1; }\n`;
const MAIN = `import { GraphBuilder } from 'pyflow';
import { mid } from './lib';
const G = new GraphBuilder();
function load(n: number) { return Array.from({ length: n }, (_, i) => i); }
const a = G.add(load)(5);
const b = G.add((xs: number[]) => xs.map(mid), { alias: 'scale' })(a);
const c = G.add((xs: number[]) => xs.reduce((s, x) => s + x, 0), { alias: 'sum' })(b);
console.log('sum', c.get());
`;

/** The verbose lines that say what happened to each op: `running X` or `X cached`. */
const outcomes = (stdout: string) => stdout.split('\n').filter((line) => /^running |cached$|^sum /.test(line));

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-cli-cache-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('pyflow run --cache, pyflow cache (the CLI, real processes)', { timeout: 240_000 }, () => {
  it('reads unchanged ops from the cache, recomputes what an edit reaches, and stats and clears it', async () => {
    const dir = workspace({ 'main.ts': MAIN, 'lib.ts': LIB(3) });
    try {
      const first = await pyflow(dir, 'run', 'main.ts', '--cache', '--verbose');
      assert.deepEqual(
        { code: first.code, stderr: first.stderr, lines: outcomes(first.stdout) },
        { code: 0, stderr: '', lines: ['running load_0', 'running scale_3', 'running sum_5', 'sum 35'] },
      );
      const second = await pyflow(dir, 'run', 'main.ts', '--cache', '--verbose');
      // The target's result is read alone: its inputs are neither computed nor read.
      assert.deepEqual(outcomes(second.stdout), ['sum_5 cached', 'sum 35']);
      const cacheDir = join(dir, '.pyflow', 'cache');
      assert.deepEqual(await pyflow(dir, 'cache', 'stats'), { code: 0, stdout: `${cacheDir}: 3 entries, 3 op records, 0.0 MB\n`, stderr: '' });
      // A constant two calls away from `scale` (scale → mid → deep → K).
      writeFileSync(join(dir, 'lib.ts'), LIB(4));
      const third = await pyflow(dir, 'run', 'main.ts', '--cache', '--verbose');
      assert.deepEqual(outcomes(third.stdout), ['load_0 cached', 'running scale_3', 'running sum_5', 'sum 45']);
      const withoutCache = await pyflow(dir, 'run', 'main.ts', '--cache', '--no-cache', '--verbose');
      assert.deepEqual(outcomes(withoutCache.stdout), ['running load_0', 'running scale_3', 'running sum_5', 'sum 45']);
      assert.deepEqual(await pyflow(dir, 'cache', 'clear'), { code: 0, stdout: `cleared 5 entries and 3 op records from ${cacheDir}\n`, stderr: '' });
      assert.deepEqual(await pyflow(dir, 'cache', 'stats'), { code: 0, stdout: `${cacheDir}: 0 entries, 0 op records, 0.0 MB\n`, stderr: '' });
      const afterClear = await pyflow(dir, 'run', 'main.ts', '--cache', '--verbose');
      assert.deepEqual(outcomes(afterClear.stdout), ['running load_0', 'running scale_3', 'running sum_5', 'sum 45']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--cache=DIR and --cache DIR put the cache there, before or after FILE; without --cache nothing is written', async () => {
    const dir = workspace({ 'main.ts': MAIN, 'lib.ts': LIB(3) });
    const stats = async (cacheDir: string) => (await pyflow(dir, 'cache', 'stats', '--cache', cacheDir)).stdout;
    try {
      assert.equal((await pyflow(dir, 'run', 'main.ts')).code, 0);
      assert.equal(existsSync(join(dir, '.pyflow')), false);
      const runs = [
        ['main.ts', '--cache=one'],
        ['main.ts', '--cache', 'two'],
        ['--cache', 'three', 'main.ts'],
      ];
      for (const args of runs) assert.deepEqual(await pyflow(dir, 'run', ...args), { code: 0, stdout: 'sum 35\n', stderr: '' }, args.join(' '));
      assert.equal(existsSync(join(dir, '.pyflow')), false);
      for (const name of ['one', 'two', 'three']) assert.equal(await stats(name), `${join(dir, name)}: 3 entries, 3 op records, 0.0 MB\n`);
      // The argument after --cache is the FILE when it is a script or a flag: the default directory.
      const defaults = [
        ['--cache', 'main.ts'],
        ['--cache', '--verbose', 'main.ts'],
        ['main.ts', '--cache', '--no-cache'],
      ];
      for (const args of defaults) assert.equal((await pyflow(dir, 'run', ...args)).code, 0, args.join(' '));
      assert.equal(await stats(join('.pyflow', 'cache')), `${join(dir, '.pyflow', 'cache')}: 3 entries, 3 op records, 0.0 MB\n`);
      // --no-cache wins, with or without a DIR.
      assert.equal((await pyflow(dir, 'run', '--no-cache', '--cache', 'five', 'main.ts')).code, 0);
      assert.equal(existsSync(join(dir, 'five')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names each op it cannot cache, and why, and the run still succeeds', async () => {
    const dir = workspace({
      'main.ts': `import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder();
class Point { constructor(readonly x: number) {} }
const p = G.add((x: number) => new Point(x), { alias: 'point' })(1);
const offsets = [1, 2].map((k) => G.add((q: Point) => q.x + k, { alias: 'shift' })(p));
console.log(offsets.map((o) => o.get()).join(' '));
`,
    });
    try {
      const run = await pyflow(dir, 'run', 'main.ts', '--cache');
      // In the order the engine meets them: shift_3's key is made when it is activated, point_0's value after it runs.
      assert.deepEqual(run, {
        code: 0,
        stdout: '2 3\n',
        stderr: [
          `pyflow: shift_3 (anonymous at ${join(dir, 'main.ts')}:5) is not cached: its function reads \`k\` from the code around the \`add\` call; pass it as an input (G.add(fn)(…, k)) to cache it`,
          `pyflow: point_0 (anonymous at ${join(dir, 'main.ts')}:4) is not cached: its value holds an instance of Point, which would not come back from the cache as it is`,
          `pyflow: shift_5 (anonymous at ${join(dir, 'main.ts')}:5) is not cached: its function reads \`k\` from the code around the \`add\` call; pass it as an input (G.add(fn)(…, k)) to cache it`,
          '',
        ].join('\n'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
