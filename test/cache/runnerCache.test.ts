import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { startRun } from '../../src/runner/startRun.js';
import { fingerprintingTransform } from '../../src/analysis/fingerprint.js';
import { nodeFingerprintHost } from '../../src/cache/fingerprintHost.js';
import type { RunMessage } from '../../src/protocol/index.js';

const DIST = join(__dirname, '..', '..', 'dist');

/** Runs main.ts of `dir` as Evaluate here does with the cache on; returns what the runner said about the cache. */
async function runCached(dir: string) {
  const { transform, fingerprints } = fingerprintingTransform(nodeFingerprintHost);
  const messages: RunMessage[] = [];
  let stdout = '';
  const handle = startRun(
    {
      file: join(dir, 'main.ts'),
      target: { kind: 'script' },
      runnerPath: join(DIST, 'runner.js'),
      libraryPath: join(DIST, 'lib', 'index.mjs'),
      esbuild,
      transform,
      cache: { dir: join(dir, '.pyflow', 'cache'), maxBytes: 2 ** 30, fingerprints },
    },
    {
      onMessage: (m) => messages.push(m),
      onOutput: (text, stream) => {
        if (stream === 'stdout') stdout += text;
      },
    },
  );
  const outcome = await handle.done;
  const events = messages.flatMap((m) => (m.type === 'trace/append' ? m.events : []));
  return {
    status: outcome.status,
    stdout,
    cached: events.filter((e) => e.kind === 'cached').map((e) => e.uid),
    missed: messages.flatMap((m) => (m.type === 'cache/missed' ? [`${m.uid}: ${m.reason}`] : [])),
  };
}

const LIB = (k: number) =>
  `export const K = ${k};\nexport function deep(x: number) { return x * K; }\nexport function mid(x: number) { return deep(x) + 1; }\n`;

describe('the runner with the result cache (real child process)', { timeout: 180_000 }, () => {
  it('sends `cached` events for hits and, for each computed op, why it was not read from the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-runner-cache-'));
    try {
      writeFileSync(join(dir, 'lib.ts'), LIB(3));
      writeFileSync(
        join(dir, 'main.ts'),
        `import { GraphBuilder } from 'pyflow';
import { mid } from './lib';
const G = new GraphBuilder();
const xs = G.add((n: number) => Array.from({ length: n }, (_, i) => i), { alias: 'load' })(4);
const scaled = G.add((v: number[]) => v.map(mid), { alias: 'scale' })(xs);
console.log(G.add((v: number[]) => v.join(' '), { alias: 'show' })(scaled).get());
`,
      );
      assert.deepEqual(await runCached(dir), {
        status: 'done',
        stdout: '1 4 7 10\n',
        cached: [],
        missed: ['load_0: first run', 'scale_3: first run', 'show_5: first run'],
      });
      // The target's result is read alone: its inputs are neither computed nor read.
      assert.deepEqual(await runCached(dir), { status: 'done', stdout: '1 4 7 10\n', cached: ['show_5'], missed: [] });
      writeFileSync(join(dir, 'lib.ts'), LIB(2));
      assert.deepEqual(await runCached(dir), {
        status: 'done',
        stdout: '1 3 5 7\n',
        cached: ['load_0'],
        missed: ['scale_3: const K (lib.ts) changed', 'show_5: input 1 changed'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("caches a worker-pool op by the code its module runs, the module's own imports included", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-runner-cache-pool-'));
    try {
      writeFileSync(join(dir, 'lib.ts'), 'export const K = 3;\nexport function scale(x: number) { return x * K; }\n');
      writeFileSync(join(dir, 'ops.ts'), "import { scale } from './lib';\nexport function heavy(x: number) { return scale(x); }\n");
      writeFileSync(
        join(dir, 'main.ts'),
        `import { GraphBuilder, workerPool } from 'pyflow';
const pool = workerPool({ threads: 1 });
const heavy = pool.fn<(x: number) => number>(new URL('./ops.ts', import.meta.url), 'heavy');
const G = new GraphBuilder({ executor: pool });
const x = G.add((n: number) => n + 1, { alias: 'load' })(4);
const y = G.add(heavy, { alias: 'heavy' })(x);
const show = G.add((v: number) => \`v=\${v}\`, { alias: 'show' })(y);
try {
  console.log(await show.getAsync());
} finally {
  await pool.close();
}
`,
      );
      assert.deepEqual(await runCached(dir), {
        status: 'done',
        stdout: 'v=15\n',
        cached: [],
        missed: ['load_0: first run', 'heavy_3: first run', 'show_5: first run'],
      });
      assert.deepEqual(await runCached(dir), { status: 'done', stdout: 'v=15\n', cached: ['show_5'], missed: [] });
      // A helper the op module imports changes: the pool op and what it feeds are recomputed, not read stale.
      writeFileSync(join(dir, 'lib.ts'), 'export const K = 2;\nexport function scale(x: number) { return x * K; }\n');
      assert.deepEqual(await runCached(dir), {
        status: 'done',
        stdout: 'v=10\n',
        cached: ['load_0'],
        missed: ['heavy_3: code run by the executor changed', 'show_5: input 1 changed'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pool op that imports a package linked from outside node_modules is recomputed when that package changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyflow-runner-cache-linked-'));
    try {
      mkdirSync(join(dir, 'linked'));
      mkdirSync(join(dir, 'node_modules'));
      writeFileSync(join(dir, 'linked', 'package.json'), '{ "name": "linked", "version": "1.0.0", "main": "index.js" }\n');
      writeFileSync(join(dir, 'linked', 'index.js'), 'exports.factor = 3;\n');
      // As `npm install ../linked` (a file: dependency) leaves it: a link in node_modules to the package's folder.
      symlinkSync(join(dir, 'linked'), join(dir, 'node_modules', 'linked'), 'dir');
      writeFileSync(join(dir, 'ops.ts'), "import { factor } from 'linked';\nexport function heavy(x: number) { return x * factor; }\n");
      writeFileSync(
        join(dir, 'main.ts'),
        `import { GraphBuilder, workerPool } from 'pyflow';
const pool = workerPool({ threads: 1 });
const heavy = pool.fn<(x: number) => number>(new URL('./ops.ts', import.meta.url), 'heavy');
const G = new GraphBuilder({ executor: pool });
try {
  console.log(await G.add(heavy, { alias: 'heavy' })(5).getAsync());
} finally {
  await pool.close();
}
`,
      );
      assert.deepEqual(await runCached(dir), { status: 'done', stdout: '15\n', cached: [], missed: ['heavy_0: first run'] });
      assert.deepEqual(await runCached(dir), { status: 'done', stdout: '15\n', cached: ['heavy_0'], missed: [] });
      writeFileSync(join(dir, 'linked', 'index.js'), 'exports.factor = 4;\n');
      assert.deepEqual(await runCached(dir), {
        status: 'done',
        stdout: '20\n',
        cached: [],
        missed: ['heavy_0: code run by the executor changed'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
