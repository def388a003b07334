import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEsbuild } from '../../src/runner/esbuildApi.js';
import { startRun } from '../../src/runner/startRun.js';

/*
 * The esbuild that bundles user scripts: the native binary of the package when it runs here, else the portable
 * WebAssembly build shipped beside it. Both bundle and run the same script to the same result.
 */

const REPO = resolve(__dirname, '..', '..');
const DIST = join(REPO, 'dist');
const QUICKSTART = join(REPO, 'examples', 'quickstart.ts');

/** A dist/ as installed on a platform the package has no native binary for: esbuild's API without its binary. */
function distWithoutNativeBinary(): string {
  const dist = mkdtempSync(join(tmpdir(), 'pyflow-dist-'));
  cpSync(join(DIST, 'esbuild', 'package.json'), join(dist, 'esbuild', 'package.json'));
  cpSync(join(DIST, 'esbuild', 'lib'), join(dist, 'esbuild', 'lib'), { recursive: true });
  symlinkSync(join(DIST, 'esbuild-wasm'), join(dist, 'esbuild-wasm'));
  return dist;
}

async function runQuickstart(esbuild: Awaited<ReturnType<typeof loadEsbuild>>['esbuild']) {
  let stdout = '';
  const handle = startRun(
    { file: QUICKSTART, target: { kind: 'script' }, runnerPath: join(DIST, 'runner.js'), libraryPath: join(DIST, 'lib', 'index.mjs'), esbuild, timeoutMs: 0 },
    {
      onMessage: () => undefined,
      onOutput: (text, stream) => {
        if (stream === 'stdout') stdout += text;
      },
    },
  );
  return { outcome: (await handle.done).status, stdout };
}

describe('esbuild: native or portable', () => {
  it('uses the native binary where it runs', async () => {
    const choice = await loadEsbuild(DIST, {});
    assert.deepEqual({ kind: choice.kind, nativeError: choice.nativeError }, { kind: 'native', nativeError: undefined });
    assert.deepEqual(await runQuickstart(choice.esbuild), { outcome: 'done', stdout: '11\n' });
  });

  it('falls back to the WebAssembly build when the package has no binary for this platform, and runs the script the same', async () => {
    const choice = await loadEsbuild(distWithoutNativeBinary(), {});
    assert.equal(choice.kind, 'wasm');
    assert.match(choice.nativeError ?? '', new RegExp(`^no native esbuild in .*esbuild runs on ${process.platform}-${process.arch} \\(`));
    assert.deepEqual(await runQuickstart(choice.esbuild), { outcome: 'done', stdout: '11\n' });
  });

  it('PYFLOW_ESBUILD=wasm forces the portable build; it starts with the running Node, none on PATH needed', () => {
    const result = spawnSync(process.execPath, [join(DIST, 'cli.js'), 'run', QUICKSTART], {
      encoding: 'utf8',
      env: { ...process.env, PYFLOW_ESBUILD: 'wasm', PATH: '/nonexistent' },
    });
    assert.deepEqual({ status: result.status, stdout: result.stdout, stderr: result.stderr }, { status: 0, stdout: '11\n', stderr: '' });
  });

  it('says why when neither esbuild runs', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pyflow-dist-'));
    await assert.rejects(loadEsbuild(empty, {}), (error: Error) => {
      assert.match(
        error.message,
        /^esbuild does not run here: no native esbuild in .*esbuild runs on .*, and the portable esbuild in .*esbuild-wasm failed: Cannot find module/,
      );
      return true;
    });
  });
});
