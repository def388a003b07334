import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { startRun } from '../../src/runner/startRun.js';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { DIST, REPO, isAlive, run, script, waitFor } from './helpers.js';

describe('runner: real child processes', () => {
  it('evaluates the quickstart node at a line and streams the seed-format trace', async () => {
    const { outcome, lines } = await run(join(REPO, 'examples', 'quickstart.ts'), { kind: 'line', file: join(REPO, 'examples', 'quickstart.ts'), line: 11 });
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.status === 'done' && outcome.message.preview, '11');
    assert.deepEqual(lines.slice(0, 4), ['computing for data_8', 'adding_7 activated!', 'adding_0 activated!', 'adding_4 activated!']);
    assert.equal(lines.length, 15);
  });

  it('runs a whole script and passes its console output through', async () => {
    const { outcome, stdout } = await run(join(REPO, 'examples', 'quickstart.ts'), { kind: 'script' });
    assert.equal(outcome.status, 'done');
    assert.equal(stdout.trim(), '11');
  });

  it('a throwing op fails the run with its uid and TypeScript source line', async () => {
    const file = script(`import { GraphBuilder } from 'pyflow';
function boom(x: number): number {
  if (x > 0) throw new Error('bad input ' + x);
  return x;
}
const G = new GraphBuilder();
const a = G.add(boom)(1);
a.get();
`);
    const { outcome } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    assert.match(outcome.error.message, /boom_0 \(boom, added at .*script\.ts:7:\d+\) threw: bad input 1/);
    assert.equal(outcome.error.uid, 'boom_0');
    assert.equal(outcome.error.source?.line, 7);
  });

  it('a syntax error is reported with its location, before anything runs', async () => {
    const file = script(`import { GraphBuilder } from 'pyflow';\nconst G = new GraphBuilder(;\n`);
    const { outcome } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'failed');
    if (outcome.status !== 'failed') return;
    assert.equal(outcome.error.name, 'BuildError');
    assert.match(outcome.error.message, /script\.ts:2:\d+/);
  });

  it('a missing import is reported as a build error naming the module', async () => {
    const file = script(`import { nope } from 'no-such-module-pyflow';\nconsole.log(nope);\n`);
    const { outcome } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.status === 'failed' ? outcome.error.message : '', /no-such-module-pyflow/);
  });

  it('an infinite loop is stopped by the timeout', async () => {
    const file = script(`while (true) {}\n`);
    const { outcome } = await run(file, { kind: 'script' }, { timeoutMs: 1500 });
    assert.deepEqual(outcome, { status: 'timeout', afterMs: 1500, running: undefined });
  });

  it('cancel kills the process tree', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'pyflow-pid-')), 'pid');
    const file = script(`import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const child = spawn('sleep', ['30'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
setInterval(() => {}, 1000);
`);
    const { outcome } = await run(
      file,
      { kind: 'script' },
      {
        timeoutMs: 0,
        onStart: (cancel) => void waitFor('the grandchild to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '').then(cancel),
      },
    );
    assert.equal(outcome.status, 'cancelled');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor('the grandchild sleep process to be gone', () => !isAlive(pid));
  });

  it('a line with no add call says which nodes exist', async () => {
    const { outcome } = await run(join(REPO, 'examples', 'quickstart.ts'), { kind: 'line', file: join(REPO, 'examples', 'quickstart.ts'), line: 3 });
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.status === 'failed' ? outcome.error.message : '', /No pyflow node at .*quickstart\.ts:3 .* adding_0 \(line 9\)/);
  });

  it("loads the workspace's own node_modules packages at run time", async () => {
    const file = script(
      `import { GraphBuilder } from 'pyflow';\nimport shout from 'shouty';\nconst G = new GraphBuilder();\nconst a = G.add(shout)('hi');\nconsole.log(a.get());\n`,
    );
    const pkg = join(file, '..', 'node_modules', 'shouty');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'shouty', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), 'module.exports = function shout(s) { return s.toUpperCase() + "!"; };\n');
    const { outcome, stdout } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    assert.equal(stdout.trim(), 'HI!');
  });

  it('huge output: every byte of 5 MB of console output arrives', async () => {
    const file = script(`const line = 'x'.repeat(1023) + '\\n';\nfor (let i = 0; i < 5 * 1024; i++) process.stdout.write(line);\n`);
    const { outcome, stdout } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'done');
    assert.equal(stdout.length, 5 * 1024 * 1024);
  });

  it('messages from the child are checked deeply: a malformed run/done or run/failed ends the run as a protocol error', async () => {
    // A stand-in runner (a real child process) that speaks the protocol but sends one bad message.
    const bad = [
      { type: 'run/done', preview: { forged: true } },
      { type: 'run/failed', error: { name: 'Error', message: 'x', source: { file: '/etc/passwd', line: -1, column: 1 } } },
      { type: 'trace/packed', graphs: ['g'], data: [], running: { graph: 'g' } },
    ];
    for (const message of bad) {
      const dir = mkdtempSync(join(tmpdir(), 'pyflow-fake-runner-'));
      const runnerPath = join(dir, 'runner.cjs');
      writeFileSync(
        runnerPath,
        `process.send({ type: 'hello', protocol: ${PROTOCOL_VERSION}, libraryVersion: '0' });\nprocess.send(${JSON.stringify(message)});\nsetInterval(() => {}, 1000);\n`,
      );
      const handle = startRun(
        { file: join(REPO, 'examples', 'quickstart.ts'), target: { kind: 'script' }, runnerPath, libraryPath: join(DIST, 'lib', 'index.mjs'), esbuild },
        { onMessage: () => {}, onOutput: () => {} },
      );
      const outcome = await handle.done;
      assert.equal(outcome.status, 'failed', JSON.stringify(message));
      assert.match(
        outcome.status === 'failed' ? outcome.error.message : '',
        /^The runner sent a malformed or oversized message \(.*\); the run was stopped\.$/,
      );
    }
  });

  it('the memory cap stops a runaway allocation and says so', async () => {
    const file = script(`const keep: number[][] = [];\nfor (;;) keep.push(new Array(1e6).fill(1));\n`);
    const { outcome } = await run(file, { kind: 'script' }, { memoryMb: 64, timeoutMs: 60_000 });
    assert.equal(outcome.status, 'failed');
    // Whichever sees it first: the heap limit (V8 aborts) or the watchdog (resident memory).
    assert.match(outcome.status === 'failed' ? outcome.error.message : '', /out of memory: the limit is 64 MB|over the limit of 64 MB/);
  });

  for (const stackSites of [false, true]) {
    it(`a line inside a loop evaluates the last node added there, and says so (${stackSites ? 'sites from stacks' : 'sites written into the bundle'})`, async () => {
      const file = script(
        `import { GraphBuilder } from 'pyflow';\nconst G = new GraphBuilder();\nlet x = G.add((v: number) => v)(1);\nfor (let i = 0; i < 3; i++) {\n  x = G.add((v: number) => v * 2)(x);\n}\nconst step = G.add(function half(v: number) { return v / 2; });\nconst y = step(x);\n`,
      );
      const { outcome, graphs } = await run(file, { kind: 'line', file, line: 5 }, { stackSites });
      assert.equal(outcome.status, 'done');
      if (outcome.status !== 'done') return;
      assert.equal(outcome.message.preview, '8');
      assert.match(outcome.message.note ?? '', /line 5 added 3 nodes .* evaluated the last one, anonymous_7/);
      // Every op's source: the loop's ops on line 5 at the column of `add`, the uncurried add (always a stack capture) on line 7.
      const ops = graphs
        .at(-1)!
        .nodes.filter((n) => n.kind === 'operation')
        .map((n) => `${n.uid}@${n.source?.line}:${n.source?.column}`);
      assert.deepEqual(ops, ['anonymous_0@3:11', 'anonymous_3@5:9', 'anonymous_5@5:9', 'anonymous_7@5:9', 'half_9@7:16']);
    });
  }

  it('an output-less op is run with runOnly; async ops are awaited', async () => {
    const file = script(
      `import { GraphBuilder } from 'pyflow';\nconst G = new GraphBuilder();\nconst a = G.add(async () => { await new Promise((r) => setTimeout(r, 20)); return 21; })();\nG.add(function save(v: number) { console.log('saved', v * 2); })(a);\n`,
    );
    const { outcome, lines, stdout } = await run(file, { kind: 'line', file, line: 4 });
    assert.equal(outcome.status, 'done');
    assert.equal(stdout.trim(), 'saved 42');
    assert.deepEqual(lines.slice(0, 2), ['save_2 activated!', 'anonymous_0 activated!']);
  });

  it('G.view() and G.viewDependency() send the graph and the requested view to the host instead of writing a file', async () => {
    const file = script(`import { GraphBuilder } from 'pyflow';
const G = new GraphBuilder({ alias: 'viewed' });
const add = (a: number, b: number) => a + b;
const a1 = G.add(add)(1, 2);
const a2 = G.add(add)(a1, 3);
G.add(add)(a1, 4);
console.log(String(await G.view({ full: true })));
await G.viewDependency(a2);
`);
    const { outcome, views, stdout } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'done');
    assert.equal(stdout.trim(), 'undefined', 'no file is written under the runner');
    assert.equal(views.length, 2);
    assert.equal(views[0]!.graph.alias, 'viewed');
    assert.equal(views[0]!.full, true);
    assert.deepEqual([...(views[1]!.highlight ?? [])].sort(), ['add_0', 'add_4', 'data_1', 'data_2', 'data_3', 'data_5', 'data_6']);
  });

  it("a script's own `pyflow/view` import draws with the shipped drawing module (toDot, renderGraphSvg)", async () => {
    const file = script(`import { GraphBuilder } from 'pyflow';
import { toDot, renderGraphSvg } from 'pyflow/view';
const G = new GraphBuilder({ alias: 'drawn' });
G.add((a: number, b: number) => a + b)(1, 2);
console.log(toDot(G.toJSON()).split('\\n')[0]);
console.log((await renderGraphSvg(G.toJSON())).includes('class="pyflow-graph"'));
`);
    const { outcome, stdout } = await run(file, { kind: 'script' });
    assert.equal(outcome.status, 'done');
    assert.equal(stdout.trim(), 'digraph "drawn" {\ntrue');
  });

  it('runs unsaved editor text instead of the file on disk', async () => {
    const file = join(REPO, 'examples', 'quickstart.ts');
    const text = `import { GraphBuilder } from 'pyflow';\nconst G = new GraphBuilder();\nconst a = G.add((x: number) => x * 10)(4);\n`;
    const { outcome } = await run(file, { kind: 'line', file, line: 3 }, { text });
    assert.equal(outcome.status === 'done' && outcome.message.preview, '40');
  });
});
