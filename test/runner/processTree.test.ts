import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { descendantsOf, killTree, treeSpawnOptions } from '../../src/runner/processTree.js';
import { userFrames } from '../../src/runner/stackFrames.js';
import { isAlive, waitFor } from './helpers.js';

describe('process trees', () => {
  it('killTree ends a child, its group and a grandchild that left the group (setsid)', async () => {
    // A shell that starts a grandchild in a group of its own (as a detached spawn does), prints its pid, then waits.
    const child = spawn('sh', ['-c', 'setsid sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'], ...treeSpawnOptions });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    await waitFor("the grandchild's pid", () => out.endsWith('\n'));
    const grandchild = Number(out.trim());
    await waitFor('the grandchild to be found under the child', () => descendantsOf(child.pid!).some((p) => p.pid === grandchild));
    killTree(child.pid!);
    await waitFor('the child and the grandchild to be gone', () => !isAlive(child.pid!) && !isAlive(grandchild));
  });

  it('a known process whose pid now belongs to another process (another start time) is left alone', async () => {
    const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
    const target = spawn('sleep', ['300'], { stdio: 'ignore', ...treeSpawnOptions });
    try {
      killTree(target.pid!, [{ pid: bystander.pid!, start: 'not its start time' }]);
      await waitFor('the target to be gone', () => !isAlive(target.pid!));
      assert.equal(isAlive(bystander.pid!), true);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});

describe('user stack frames', () => {
  const internal = ['/ext/dist', '/ext/src', '/tmp/pyflow-run-1'];

  it("keep the user's frames, innermost first, and drop pyflow's, the bundle's and Node's", () => {
    const stack = [
      'Error: bad',
      '    at check (/home/me/proj/script.ts:3:9)',
      '    at boom (file:///home/me/proj/script.ts:7:10)',
      '    at opFailure (/ext/src/core/evaluator.ts:909:10)',
      '    at invoke (/ext/dist/lib/index.mjs:1:2)',
      '    at /tmp/pyflow-run-1/script.mjs:10:3',
      '    at async ModuleJob.run (node:internal/modules/esm/module_job:234:25)',
      '    at new Promise (<anonymous>)',
      '    at async main (/home/me/proj/main.ts:2:1)',
    ].join('\n');
    assert.equal(
      userFrames(stack, internal),
      ['    at check (/home/me/proj/script.ts:3:9)', '    at boom (file:///home/me/proj/script.ts:7:10)', '    at async main (/home/me/proj/main.ts:2:1)'].join(
        '\n',
      ),
    );
  });

  it('read Windows paths and CRLF stacks', () => {
    const stack = 'Error: bad\r\n    at boom (C:\\Users\\me\\my proj\\script.ts:3:9)\r\n    at invoke (C:\\ext\\dist\\lib\\index.mjs:1:2)\r\n';
    assert.equal(userFrames(stack, ['C:\\ext\\dist']), '    at boom (C:\\Users\\me\\my proj\\script.ts:3:9)');
  });

  it("say nothing when no frame is the user's", () => {
    assert.equal(userFrames('Error: x\n    at invoke (/ext/dist/lib/index.mjs:1:2)', internal), undefined);
    assert.equal(userFrames(undefined, internal), undefined);
  });
});
