import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});
