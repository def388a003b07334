import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RunningOps } from '../../src/runner/runningOps.js';
import { applyEvents, emptyOverlay } from '../../webview/overlay.js';
import { DIST, lineOf, run, script } from './helpers.js';

/*
 * A script whose ops run on a worker pool, run as the extension runs it and as `pyflow run` does: its TypeScript op
 * module is bundled for the threads, errors name the user's files and lines, the trace names the threads.
 */

const OPS = `export class Scale {
  constructor(private readonly factor: number) {}
  apply(x: number): number {
    return x * this.factor;
  }
}

/** Marks its slot and waits for every other: two calls return only if they run at the same time. */
export function meet(flags: Int32Array, slot: number): string {
  Atomics.store(flags, slot, 1);
  Atomics.notify(flags, slot);
  for (let other = 0; other < flags.length; other++) {
    while (Atomics.load(flags, other) === 0) {
      if (Atomics.wait(flags, other, 0, 120_000) === 'timed-out') return 'alone';
    }
  }
  return 'met';
}

export function scaled(x: number): number {
  if (x < 0) throw new RangeError('negative input ' + x);
  return new Scale(2).apply(x);
}
`;

const MAIN = `import { GraphBuilder, workerPool } from 'pyflow';
import type * as ops from './ops.js';

const pool = workerPool({ threads: 2 });
const meet = pool.fn<typeof ops.meet>(new URL('./ops.ts', import.meta.url), 'meet');
const scaled = pool.fn<typeof ops.scaled>(new URL('./ops.ts', import.meta.url), 'scaled');
const G = new GraphBuilder({ executor: pool });
const flags = new Int32Array(new SharedArrayBuffer(8));
const both = G.add((a: string, b: string) => a + ' ' + b)(G.add(meet)(flags, 0), G.add(meet)(flags, 1));
try {
  console.log(await both.getAsync());
  console.log(await G.add(scaled)(Number(process.env.INPUT ?? 21)).getAsync());
} finally {
  await pool.close();
}
`;

function project(): string {
  const main = script(MAIN, 'main.ts');
  writeFileSync(join(dirname(main), 'ops.ts'), OPS);
  return main;
}

describe('a worker pool script, run by the runner', { timeout: 180_000 }, () => {
  it('runs its pool ops on threads at once; the trace names the threads', async () => {
    const { outcome, stdout, events } = await run(project(), { kind: 'script' });
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    assert.equal(stdout, 'met met\n42\n');
    const finished = events.filter((e) => e.kind === 'finished');
    const threads = finished.filter((e) => e.uid.startsWith('meet')).map((e) => e.worker);
    assert.equal(threads.length, 2);
    assert.ok(threads.every((w) => /^thread \d+$/.test(w ?? '')) && threads[0] !== threads[1], threads.join());
    // What the editor and the graph view make of the trace: both ops running at the same time.
    const running = new RunningOps();
    const overlay = emptyOverlay();
    let [mostRunning, mostDrawnRunning] = [0, 0];
    for (const e of events) {
      running.onEvents([e]);
      applyEvents(overlay, [e]);
      mostRunning = Math.max(mostRunning, running.all.length);
      mostDrawnRunning = Math.max(mostDrawnRunning, [...overlay.nodes.values()].filter((n) => n.state === 'running').length);
    }
    assert.deepEqual([mostRunning, mostDrawnRunning], [2, 2]);
  });

  it('Evaluate here and Run Graph: the runner evaluates on the pool, ops at once; the script closes the pool only after', async () => {
    for (const target of ['line', 'graph'] as const) {
      const main = project();
      const { outcome, events } = await run(main, target === 'line' ? { kind: 'line', file: main, line: lineOf(MAIN, 'const both') } : { kind: 'graph' });
      assert.equal(outcome.status, 'done', `${target}: ${JSON.stringify(outcome)}`);
      const threads = events.filter((e) => e.kind === 'finished' && e.uid.startsWith('meet')).map((e) => (e.kind === 'finished' ? e.worker : undefined));
      assert.equal(threads.length, 2, target);
      assert.ok(threads.every((w) => /^thread \d+$/.test(w ?? '')) && threads[0] !== threads[1], `${target}: ${threads.join()}`);
    }
  });

  it("an op that throws on a thread fails the run, naming the op, its add line and the user's op file and line", async () => {
    const main = project();
    const { outcome } = await run(main, { kind: 'script' }, { text: MAIN.replace('Number(process.env.INPUT ?? 21)', '-1') });
    assert.equal(outcome.status, 'failed');
    const error = (outcome as { error: { message: string; uid?: string; stack?: string; source?: { line: number } } }).error;
    assert.match(error.uid ?? '', /^scaled_\d+$/);
    assert.match(
      error.message,
      new RegExp(
        `^${error.uid} \\(scaled, added at ${main.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lineOf(MAIN, 'G.add(scaled)')}:\\d+\\) threw: negative input -1$`,
      ),
    );
    assert.equal(error.source?.line, lineOf(MAIN, 'G.add(scaled)'));
    const opsFile = join(dirname(main), 'ops.ts');
    assert.match(
      error.stack ?? '',
      new RegExp(`at scaled \\(${opsFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lineOf(OPS, 'throw new RangeError')}:\\d+\\)`),
      error.stack,
    );
  });

  it('pyflow run: the same script from the CLI, which exits once the pool is closed', async () => {
    const child = spawn(process.execPath, [join(DIST, 'cli.js'), 'run', project()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.deepEqual({ code, stdout, stderr }, { code: 0, stdout: 'met met\n42\n', stderr: '' });
  });
});
