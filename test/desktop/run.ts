import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

/*
 * `npm run test:desktop`: the extension-host suite (test/desktop/suite.ts) in a desktop VS Code that
 * @vscode/test-electron downloads (cached in .vscode-test/), with this repository as the extension under development.
 * Needs `npm run build` first, and a display (or xvfb-run) on Linux. PYFLOW_VSCODE=PATH uses an installed VS Code
 * instead of downloading one. Where VS Code cannot be had or started, it says why and exits 0 (skipped).
 */

const REPO = resolve(__dirname, '..', '..');

function skip(reason: string): never {
  console.log(`test:desktop skipped: ${reason}`);
  process.exit(0);
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  let vscodeExecutablePath = process.env.PYFLOW_VSCODE;
  if (!vscodeExecutablePath) {
    try {
      vscodeExecutablePath = await downloadAndUnzipVSCode({ cachePath: join(REPO, '.vscode-test'), timeout: 30_000 });
    } catch (error) {
      skip(
        `VS Code could not be downloaded (${(error as Error).message.split('\n')[0]}): this machine reaches no VS Code download server. ` +
          'The same extension is tested in a real VS Code (code-server) by `npm run test:e2e`; PYFLOW_VSCODE=PATH runs this suite on an installed VS Code.',
      );
    }
  }
  if (process.platform === 'linux' && !process.env.DISPLAY) {
    // Electron needs a display: run again inside a virtual one.
    if (spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' }).error)
      skip('no display: DISPLAY is not set and xvfb-run is not installed (apt-get install xvfb)');
    const again = spawnSync('xvfb-run', ['-a', process.execPath, ...process.execArgv, __filename], {
      stdio: 'inherit',
      env: { ...process.env, PYFLOW_VSCODE: vscodeExecutablePath },
    });
    process.exit(again.status ?? 1);
  }
  const out = mkdtempSync(join(tmpdir(), 'pyflow-desktop-'));
  await esbuild.build({
    entryPoints: [join(__dirname, 'suite.ts')],
    outfile: join(out, 'suite.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: REPO,
    extensionTestsPath: join(out, 'suite.js'),
    extensionTestsEnv: { PYFLOW_REPO: REPO },
    launchArgs: [join(REPO, 'examples'), '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--user-data-dir', join(out, 'user-data')],
  });
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(`test:desktop failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
