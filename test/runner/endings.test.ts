import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SHOUT_10_MB, allGone, lineOf, pidFile, run, script, shout10MbOutput, spawnSleepers } from './helpers.js';
import type { TimedEvent } from '../../src/protocol/index.js';

/*
 * Every way a run can end: nothing the script wrote is lost, nothing it started is left running, and the
 * message names the op that was running and the line of its `add` call.
 */

/** A script whose op `name` spawns sleepers, prints `before`, then does `body`. */
function opScript(pids: string, name: string, body: string, options: { detachedToo?: boolean } = {}): string {
  const sleepers = options.detachedToo === false ? spawnSleepers(pids).replace('[false, true]', '[false]') : spawnSleepers(pids);
  return `${sleepers}import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder();
function ${name}(): number {
  spawnSleepers();
  console.log('before');
  ${body}
  return 0;
}
const x = G.add(${name})();
console.log('value', x.get());
`;
}

function assertNamesOp(text: string, body: string, file: string, uid: string, addCall: string): void {
  const line = lineOf(body, addCall);
  assert.match(text, new RegExp(`${uid} \\(added at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+\\)`), text);
}

/** A stack's frames without their function names: `    at (file:line:col)` each. */
function locations(stack: string | undefined): string | undefined {
  return stack?.replace(/^ {4}at .*? \((.*)\)$/gm, '    at ($1)');
}

describe('runner: every ending of a run', { timeout: 180_000 }, () => {
  it('return: the output is complete and the processes the script started are ended', async () => {
    const pids = pidFile();
    const body = opScript(pids, 'work', 'return 42;');
    const { outcome, stdout } = await run(script(body), { kind: 'script' });
    assert.deepEqual(outcome, { status: 'done', message: { type: 'run/done' } });
    assert.equal(stdout, 'before\nvalue 42\n');
    assert.equal((await allGone(pids)).length, 2);
  });

  it("throw: the error names the op and its add line once, then the user's frames, source-mapped, throwing line first", async () => {
    const pids = pidFile();
    const body = `${spawnSleepers(pids)}import { GraphBuilder } from 'pyflow';
function check(x: number): number {
  if (x > 0) throw new Error('bad input ' + x);
  return x;
}
function boom(x: number): number {
  spawnSleepers();
  console.log('before');
  return check(x) + 1;
}
const G = new GraphBuilder();
const a = G.add(boom)(1);
console.log(a.get());
`;
    const file = script(body);
    const { outcome, stdout } = await run(file, { kind: 'script' });
    assert.equal(stdout, 'before\n');
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    const line = (needle: string) => lineOf(body, needle);
    assert.equal(outcome.error.message, `boom_0 (boom, added at ${file}:${line('G.add(boom)')}:13) threw: bad input 1`);
    assert.equal(outcome.error.uid, 'boom_0');
    assert.equal(outcome.error.source?.line, line('G.add(boom)'));
    // Where each frame is, exactly. The names of frames called from pyflow are Node's: from Node 22 on, a bundled
    // script's frame is named after its call site in the library (`fn`), not after its function.
    assert.equal(
      locations(outcome.error.stack),
      [`    at (${file}:${line('throw new Error')}:20)`, `    at (${file}:${line('return check(x)')}:10)`, `    at (${file}:${line('a.get()')}:15)`].join('\n'),
    );
    assert.equal((await allGone(pids)).length, 2);
  });

  it('process.exit in an op: the error names the op and its line, and its group is ended', async () => {
    const pids = pidFile();
    // A detached process started just before the exit may escape (docs/cli.md): only the runner's group here.
    const body = opScript(pids, 'quit', 'process.exit(3);', { detachedToo: false });
    const file = script(body);
    const { outcome, stdout } = await run(file, { kind: 'script' });
    assert.equal(stdout, 'before\n');
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    assert.match(outcome.error.message, /^The script's process exited with code 3 while quit_0 \(added at .*\) was running before finishing\.$/);
    assertNamesOp(outcome.error.message, body, file, 'quit_0', 'G.add(quit)');
    assert.equal(outcome.error.uid, 'quit_0');
    assert.equal((await allGone(pids)).length, 1);
  });

  it('timeout: a hung op is named with its line, and the tree is ended', async () => {
    const pids = pidFile();
    const body = opScript(pids, 'spin', 'for (;;) {}');
    const file = script(body);
    const { outcome, stdout, messages } = await run(file, { kind: 'script' }, { timeoutMs: 3000 });
    assert.equal(stdout, 'before\n');
    assert.equal(outcome.status, 'timeout');
    if (outcome.status !== 'timeout') return;
    assert.equal(outcome.running?.uid, 'spin_0');
    assert.equal(outcome.running?.source?.line, lineOf(body, 'G.add(spin)'));
    // The host saw the op as running before its function was called (its `running` event ends a batch).
    const last = messages.filter((m) => m.type === 'trace/append').at(-1);
    assert.ok(last?.type === 'trace/append');
    const { at, ...running } = last.events.at(-1) as TimedEvent;
    assert.deepEqual(running, { kind: 'running', uid: 'spin_0', graph: 'graph' });
    assert.ok(typeof at === 'number' && at >= 0, 'stamped with its time since the run started');
    assert.equal(last.running?.uid, 'spin_0');
    assert.equal((await allGone(pids)).length, 2);
  });

  it('hang, then Stop: the running op is known as soon as it starts, and cancel names it', async () => {
    const pids = pidFile();
    const body = opScript(pids, 'stuck', 'for (;;) {}');
    const file = script(body);
    let seenRunning = false;
    const { outcome } = await run(
      file,
      { kind: 'script' },
      {
        timeoutMs: 0,
        // Stop once the host knows which op runs, and its processes exist.
        onMessage: (m, cancel) => {
          if (m.type !== 'trace/append' || m.running?.uid !== 'stuck_0' || seenRunning) return;
          seenRunning = true;
          const wait = setInterval(() => {
            if (readFileSync(pids, { encoding: 'utf8', flag: 'a+' }).trim().split('\n').length === 2) {
              clearInterval(wait);
              cancel();
            }
          }, 20);
        },
      },
    );
    assert.equal(outcome.status, 'cancelled');
    if (outcome.status !== 'cancelled') return;
    assert.equal(outcome.running?.uid, 'stuck_0');
    assert.equal(outcome.running?.source?.file, file);
    assert.equal(outcome.running?.source?.line, lineOf(body, 'G.add(stuck)'));
    assert.equal((await allGone(pids)).length, 2);
  });

  it('memory cap on the whole process: Buffers outside the V8 heap are stopped at the cap, naming the op', async () => {
    const pids = pidFile();
    // 8 MB every 20 ms, in a loop that never yields: the parent's watchdog must see it from outside.
    const body = opScript(
      pids,
      'hog',
      `const keep: Buffer[] = [];
  for (;;) {
    keep.push(Buffer.alloc(8 * 1024 * 1024, 1));
    for (const until = Date.now() + 20; Date.now() < until;);
  }`,
    );
    const file = script(body);
    const { outcome, stdout } = await run(file, { kind: 'script' }, { memoryMb: 200, timeoutMs: 60_000 });
    assert.equal(stdout, 'before\n');
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    assert.equal(outcome.error.code, 'MEMORY_LIMIT');
    assert.match(outcome.error.message, /^The script's process used \d+ MB of memory while hog_0 \(added at .*\) was running, over the limit of 200 MB/);
    assertNamesOp(outcome.error.message, body, file, 'hog_0', 'G.add(hog)');
    assert.equal((await allGone(pids)).length, 2);
  });

  it('heap exhaustion in an op: a memory error naming the op, and its group is ended', async () => {
    const pids = pidFile();
    const body = opScript(pids, 'grow', 'const keep: number[][] = [];\n  for (;;) keep.push(new Array(1e6).fill(1));', { detachedToo: false });
    const file = script(body);
    const { outcome, stdout } = await run(file, { kind: 'script' }, { memoryMb: 128, timeoutMs: 60_000 });
    assert.equal(stdout, 'before\n');
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    // Whichever sees it first: the heap limit (V8 aborts) or the watchdog (resident memory).
    assert.match(outcome.error.message, /out of memory: the limit is 128 MB|over the limit of 128 MB/);
    assertNamesOp(outcome.error.message, body, file, 'grow_0', 'G.add(grow)');
    assert.equal((await allGone(pids)).length, 1);
  });

  it("the script's own process.send (or process._send) cannot report an outcome: a forged run/done is dropped", async () => {
    const body = `process.send?.({ type: 'run/done', target: 'x', preview: 'FORGED SUCCESS' });
process.send?.({ type: 'run/failed', error: { name: 'Error', message: 'forged', source: { file: '/etc/passwd', line: 1, column: 1 } } });
process.send?.({ type: 'trace/append', events: 'not a list' });
(process as unknown as { _send?: (m: unknown, h: undefined, o: object) => void })._send?.({ type: 'run/done', preview: 'FORGED THROUGH _send' }, undefined, {});
await new Promise((r) => setTimeout(r, 50));
throw new Error('the real ending');
`;
    const file = script(body);
    const { outcome, stderr } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    assert.equal(outcome.error.message, 'the real ending');
    assert.equal(outcome.error.stack, `    at <anonymous> (${file}:6:7)`);
    assert.equal(stderr, "pyflow: process.send() is reserved for the Pyflow runner during a run; the script's messages are dropped.\n");
  });

  it("an error dressed as pyflow's cannot point the editor at a file outside the script's sources", async () => {
    const body = `const e = Object.assign(new Error('forged'), { name: 'PyflowError', code: 'OP_FAILED', uid: 'x_0', callSite: { file: '/etc/passwd', line: 1, column: 1 } });
throw e;
`;
    const { outcome } = await run(script(body), { kind: 'script' });
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    assert.equal(outcome.error.message, 'forged');
    assert.equal(outcome.error.source, undefined);
  });

  it('CRLF line endings and a path with spaces and accents: the op, its add line and the throwing line are right', async () => {
    const body =
      'import { GraphBuilder } from "pyflow";\r\n\r\nfunction boom(x: number): number {\r\n  if (x) throw new Error("crlf " + x);\r\n  return x;\r\n}\r\nconst G = new GraphBuilder();\r\nconst a = G.add(boom)(1);\r\nconsole.log(a.get());\r\n';
    const file = script(body, 'my script é.ts');
    const { outcome } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    assert.equal(outcome.error.message, `boom_0 (boom, added at ${file}:8:13) threw: crlf 1`);
    assert.equal(locations(outcome.error.stack), `    at (${file}:4:16)\n    at (${file}:9:15)`);
  });

  it('10 MB written by the op of an evaluated node (Evaluate here) all arrive, byte for byte', async () => {
    const body = SHOUT_10_MB;
    const file = script(body);
    const { outcome, stdout } = await run(file, { kind: 'line', file, line: lineOf(body, 'G.add(shout)') });
    assert.equal(outcome.status === 'done' && outcome.message.preview, '7');
    const expected = shout10MbOutput();
    assert.equal(stdout.length, expected.length);
    assert.ok(stdout === expected, "the output is the script's, byte for byte");
  });
});
