import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_A5_TRACE } from '../core/seedTraces.js';
import { DIST, REPO, SHOUT_10_MB, allGone, lineOf, pidFile, script, shout10MbOutput, spawnSleepers, waitFor } from './helpers.js';

/** Runs the built `pyflow` CLI; `whenStarted` may act on the live process (send it a signal). */
function cli(args: string[], whenStarted?: (pid: number) => Promise<void>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(DIST, 'cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  void whenStarted?.(child.pid!);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const pidCount = (file: string): number => readFileSync(file, { encoding: 'utf8', flag: 'a+' }).trim().split('\n').filter(Boolean).length;

/** A script whose op `spin` starts sleepers, prints, writes the runner's own pid after theirs, and never returns. */
function spinScript(pids: string): string {
  return `${spawnSleepers(pids)}import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder();
function spin(): number {
  spawnSleepers();
  console.log('spinning');
  appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
  for (;;) {}
  return 0;
}
const x = G.add(spin)();
console.log(x.get());
`;
}

describe('pyflow run (the CLI, real processes)', { timeout: 180_000 }, () => {
  it("--verbose on a verbose graph prints each trace line once, in order with the script's output", async () => {
    const { code, stdout, stderr } = await cli(['run', join(REPO, 'examples', 'seedVerbose.ts'), '--verbose']);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout, `${SEED_A5_TRACE}\n12 data_6\n`);
  });

  it('a verbose graph without --verbose prints its own trace, once', async () => {
    const { code, stdout } = await cli(['run', join(REPO, 'examples', 'seedVerbose.ts')]);
    assert.equal(code, 0);
    assert.equal(stdout, `${SEED_A5_TRACE}\n12 data_6\n`);
  });

  it("--verbose on a non-verbose graph: the trace, then the script's output; without it, the output alone", async () => {
    const quickstart = join(REPO, 'examples', 'quickstart.ts');
    const trace = `computing for data_8
adding_7 activated!
adding_0 activated!
adding_4 activated!
computing for data_3
running adding_0
adding_0 deactivated!
computing for data_6
running adding_4
data_3 still needed at adding_7
adding_4 deactivated!
running adding_7
data_3 released!
data_6 released!
adding_7 deactivated!
`;
    assert.deepEqual(await cli(['run', quickstart, '--verbose']), { code: 0, stdout: `${trace}11\n`, stderr: '' });
    assert.deepEqual(await cli(['run', quickstart]), { code: 0, stdout: '11\n', stderr: '' });
  });

  it('--node: 10 MB written by the evaluated op arrive byte for byte, then the value', async () => {
    const body = SHOUT_10_MB;
    const file = script(body);
    const { code, stdout, stderr } = await cli(['run', file, '--node', String(lineOf(body, 'G.add(shout)'))]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const expected = `${shout10MbOutput()}data_1 = 7\n`;
    assert.equal(stdout.length, expected.length);
    assert.ok(stdout === expected, 'the whole output, byte for byte');
  });

  it('--timeout stops a hung op, names it with its add line, and leaves nothing running', async () => {
    const pids = pidFile();
    const body = spinScript(pids);
    const file = script(body);
    const { code, stdout, stderr } = await cli(['run', file, '--timeout', '2']);
    assert.equal(code, 1);
    assert.equal(stdout, 'spinning\n');
    assert.equal(
      stderr,
      `pyflow: the run timed out after 2 s while spin_0 (added at ${file}:${lineOf(body, 'G.add(spin)')}:13) was running (--timeout SECONDS, 0: none)\n`,
    );
    assert.equal((await allGone(pids)).length, 3);
  });

  for (const [signal, exitCode] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} kills the whole tree (runner, its group, detached grandchildren) and says which op ran`, async () => {
      const pids = pidFile();
      const body = spinScript(pids);
      const file = script(body);
      const { code, stdout, stderr } = await cli(['run', file, '--timeout', '0'], async (pid) => {
        await waitFor('the runner and its two sleepers', () => pidCount(pids) === 3);
        process.kill(pid, signal);
      });
      assert.equal(code, exitCode);
      assert.equal(stdout, 'spinning\n');
      assert.equal(stderr, `pyflow: stopped by ${signal} while spin_0 (added at ${file}:${lineOf(body, 'G.add(spin)')}:13) was running\n`);
      assert.equal((await allGone(pids)).length, 3);
    });
  }

  it('a reader that stops reading (pyflow run … | head) stops the run, with the exit code of SIGPIPE', async () => {
    const pids = pidFile();
    const file = script(`import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
for (;;) console.log('line');
`);
    const child = spawn(process.execPath, [join(DIST, 'cli.js'), 'run', file, '--timeout', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 141);
    assert.equal(stderr, '', 'quietly, as a shell pipeline expects');
    assert.equal((await allGone(pids)).length, 1);
  });

  it('a detached grandchild holding stdout does not keep the CLI from exiting, and is ended', async () => {
    const pids = pidFile();
    const file = script(`import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
const child = spawn('sleep', ['300'], { stdio: 'inherit', detached: true });
child.unref();
appendFileSync(${JSON.stringify(pids)}, child.pid + '\\n');
console.log('done');
`);
    const { code, stdout } = await cli(['run', file]);
    assert.equal(code, 0);
    assert.equal(stdout, 'done\n');
    assert.equal((await allGone(pids)).length, 1);
  });

  it('--memory caps the whole process: Buffers past 200 MB stop the run with a memory-limit error', async () => {
    const body = `import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder();
function hog(): number {
  const keep: Buffer[] = [];
  for (;;) {
    keep.push(Buffer.alloc(8 * 1024 * 1024, 1));
    for (const until = Date.now() + 20; Date.now() < until;);
  }
  return keep.length;
}
console.log(G.add(hog)().get());
`;
    const file = script(body);
    const { code, stderr } = await cli(['run', file, '--memory', '200']);
    assert.equal(code, 1);
    assert.match(
      stderr,
      new RegExp(
        `^pyflow: The script's process used \\d+ MB of memory while hog_0 \\(added at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lineOf(body, 'G.add(hog)')}:\\d+\\) was running, over the limit of 200 MB \\(setting pyflow.run.memoryLimitMb or pyflow run --memory\\); the run was stopped\\.\\n$`,
      ),
    );
  });

  it('run --help prints the run usage', async () => {
    const { code, stdout, stderr } = await cli(['run', '--help']);
    assert.deepEqual({ code, stderr }, { code: 0, stderr: '' });
    assert.match(
      stdout,
      /^usage: pyflow run FILE \[--node LINE\|UID\] \[--verbose\] \[--json\] \[--timeout SECONDS\] \[--memory MB\] \[--cache \[DIR\]\] \[--no-cache\]\n/,
    );
  });

  it('bad flags are refused with the usage', async () => {
    const quickstart = join(REPO, 'examples', 'quickstart.ts');
    const timeout = await cli(['run', quickstart, '--timeout', 'soon']);
    assert.deepEqual(timeout, { code: 2, stdout: '', stderr: 'pyflow: --timeout needs a number >= 0, got "soon"\n' });
    const memory = await cli(['run', quickstart, '--memory', '10']);
    assert.deepEqual(memory, { code: 2, stdout: '', stderr: 'pyflow: --memory needs a number >= 64, got "10"\n' });
    const unknown = await cli(['run', quickstart, '--bogus']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^pyflow: Unknown option '--bogus'.*\nusage: pyflow run FILE /s);
  });

  it('inputs over 10 MB, and endless ones, are refused with a message (graph and run)', async () => {
    const big = script(`// ${'x'.repeat(10 * 1024 * 1024)}\n`);
    for (const [command, file] of [
      ['graph', '/dev/zero'],
      ['graph', big],
      ['run', big],
    ] as const) {
      const { code, stdout, stderr } = await cli([command, file]);
      assert.deepEqual(
        { code, stdout, stderr },
        { code: 2, stdout: '', stderr: `pyflow: ${file} is larger than 10 MB, the largest source file pyflow reads\n` },
      );
    }
  });
});
