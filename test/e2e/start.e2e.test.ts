import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO, freePort } from './codeServer.js';
import { processGroup, processesMentioning } from './processes.js';
import { waitFor } from '../waitFor.js';

/*
 * `npm start` as a newcomer runs it: its real path (npm packages, Node 24, package, build, code-server, serve), here
 * with the tools already provisioned by `npm test`. It must print a URL that answers, with the extension installed
 * from dist/pyflow.vsix; Ctrl+C must leave nothing running. A step that fails must end it with a line naming the step.
 */

const STEPS = [
  '[npm start 1/5] npm packages (npm ci)',
  '[npm start 2/5] Node 24 (for vsce and code-server)',
  '[npm start 3/5] package the extension (dist/pyflow.vsix) and build',
  '[npm start 4/5] code-server (VS Code for the browser)',
  '[npm start 5/5] start VS Code with dist/pyflow.vsix installed',
];
/** npm start packages and builds on a busy machine before it serves anything. */
const START_MS = 900_000;

interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts a command in a process group of its own, as a terminal runs it (Ctrl+C reaches the whole group). */
function start(cmd: string, args: string[], cwd: string, port: number): Started {
  const child = spawn(cmd, args, { cwd, detached: true, env: { ...process.env, PYFLOW_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The value printed after `label` on a line of its own in npm start's banner. */
function printed(text: string, label: string): string {
  const match = new RegExp(`^${label}\\s*(\\S+)$`, 'm').exec(text);
  assert.ok(match, `npm start printed "${label}":\n${text}`);
  return match[1]!;
}

describe('npm start', { timeout: START_MS + 120_000 }, () => {
  it('serves VS Code at the URL it prints, with the extension installed from dist/pyflow.vsix; Ctrl+C leaves nothing running', async () => {
    const port = await freePort();
    const run = start('npm', ['start'], REPO, port);
    try {
      const url = await waitFor(
        'npm start to print the URL',
        async () => {
          if (run.child.exitCode !== null) throw new Error(`npm start exited (${run.child.exitCode}):\n${run.stdout()}\n${run.stderr()}`);
          return /^ {2}(http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(run.stdout())?.[1];
        },
        START_MS,
      );
      assert.equal(url, `http://127.0.0.1:${port}/?folder=${encodeURIComponent(join(REPO, 'examples'))}`);
      // Up front, how long it takes (the tools are installed already: the later-run estimate), then each step.
      assert.equal(run.stderr().split('\n')[0], 'npm start: packages the extension and serves VS Code with it (about a minute), then prints the URL to open.');
      assert.deepEqual(
        run
          .stderr()
          .split('\n')
          .filter((l) => l.startsWith('[npm start ')),
        STEPS,
      );

      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script[^>]+workbench\/workbench\.js/);

      const extensions = printed(run.stdout(), 'Extensions:');
      const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
      const installed = JSON.parse(readFileSync(join(extensions, 'extensions.json'), 'utf8')) as {
        identifier: { id: string };
        version: string;
        relativeLocation: string;
        metadata?: { source?: string };
      }[];
      assert.deepEqual(
        installed.map((e) => ({ id: e.identifier.id, version: e.version, source: e.metadata?.source })),
        [{ id: 'pyflow-dev.pyflow', version, source: 'vsix' }],
      );
      const folder = join(extensions, installed[0]!.relativeLocation);
      assert.ok(lstatSync(folder).isDirectory() && !lstatSync(folder).isSymbolicLink(), `${folder} is a folder unpacked from the .vsix`);
      assert.ok(existsSync(join(folder, 'dist', 'extension.js')));
      assert.ok(!existsSync(join(folder, 'src')), 'no sources were installed');
    } finally {
      if (processGroup(run.child.pid!).length > 0) process.kill(-run.child.pid!, 'SIGINT');
    }
    // npm ends itself with the signal, as a shell reports Ctrl+C.
    const ended = await run.exited;
    const runDir = /^Ctrl\+C stops it and deletes (\S+)\.$/m.exec(run.stdout())?.[1] ?? assert.fail(`npm start named its run directory:\n${run.stdout()}`);
    assert.ok(ended === 0 || ended === 'SIGINT', `npm start ended by Ctrl+C, not by ${ended}:\n${run.stderr()}`);
    assert.match(run.stderr(), /\nStopping VS Code…\n$/);
    await waitFor("npm start's processes to end", () => processGroup(run.child.pid!).length === 0);
    assert.deepEqual(processesMentioning(runDir), [], 'no code-server process of this run is left');
    assert.equal(existsSync(runDir), false, `${runDir} is deleted`);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`), 'nothing listens on the port any more');
  });

  it('a step that fails ends npm start with a line naming the step, and a non-zero exit status', async () => {
    // A copy of the working tree (sharing node_modules) whose extension readme embeds a relative image, which vsce refuses.
    const copy = mkdtempSync(join(tmpdir(), 'pyflow-start-'));
    try {
      cpSync(REPO, copy, {
        recursive: true,
        preserveTimestamps: true,
        filter: (src) => !/^(node_modules|dist|\.git|test-results)$/.test(relative(REPO, src)),
      });
      symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
      appendFileSync(join(copy, 'docs', 'extension-readme.md'), '\n![the graph](../media/graph.png)\n');
      const run = start('npm', ['start'], copy, await freePort());
      const code = await run.exited;
      assert.notEqual(code, 0);
      assert.match(run.stderr(), /Couldn't detect the repository where this extension is published\. The image '\.\.\/media\/graph\.png' will be broken/);
      assert.equal(
        run.stderr().trimEnd().split('\n').at(-1),
        'npm start FAILED at step 3/5: package the extension (dist/pyflow.vsix) and build (exit status 1; its error is above)',
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
