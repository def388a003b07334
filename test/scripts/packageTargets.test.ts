import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEsbuild } from '../../src/runner/esbuildApi.js';
import { startRun } from '../../src/runner/startRun.js';

/*
 * `npm run package:targets`: one .vsix per VS Code platform, each holding its platform's esbuild binary only.
 * Built in a copy of the repository (packaging rebuilds dist/ for production). The Linux x64 package runs here.
 */

const REPO = resolve(__dirname, '..', '..');
const TARGETS = ['linux-x64', 'darwin-arm64', 'win32-x64'];

/** What an executable is built for, from its header: ELF, Mach-O or PE, and the machine. */
function executableKind(bytes: Buffer): string {
  if (bytes.readUInt32BE(0) === 0x7f454c46)
    return `elf-${({ 0x3e: 'x64', 0xb7: 'arm64', 0x28: 'arm' } as Record<number, string>)[bytes.readUInt16LE(18)] ?? 'other'}`;
  if (bytes.readUInt32LE(0) === 0xfeedfacf)
    return `macho-${({ 0x01000007: 'x64', 0x0100000c: 'arm64' } as Record<number, string>)[bytes.readUInt32LE(4)] ?? 'other'}`;
  if (bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    return `pe-${({ 0x8664: 'x64', 0xaa64: 'arm64' } as Record<number, string>)[bytes.readUInt16LE(pe + 4)] ?? 'other'}`;
  }
  return 'unknown';
}

const EXPECTED: Record<string, { binary: string; kind: string }> = {
  'linux-x64': { binary: 'extension/dist/esbuild/node_modules/@esbuild/linux-x64/bin/esbuild', kind: 'elf-x64' },
  'darwin-arm64': { binary: 'extension/dist/esbuild/node_modules/@esbuild/darwin-arm64/bin/esbuild', kind: 'macho-arm64' },
  'win32-x64': { binary: 'extension/dist/esbuild/node_modules/@esbuild/win32-x64/esbuild.exe', kind: 'pe-x64' },
};

describe('platform packages', () => {
  const copy = mkdtempSync(join(tmpdir(), 'pyflow-package-'));
  const vsix = (target: string): string => join(copy, 'dist', `pyflow-${target}.vsix`);
  const list = (target: string): string[] =>
    execFileSync('unzip', ['-Z1', vsix(target)], { encoding: 'utf8' })
      .trim()
      .split('\n');

  before(() => {
    for (const entry of readdirSync(REPO)) {
      if (!['node_modules', 'dist', '.git', 'test-results'].includes(entry)) cpSync(join(REPO, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    execFileSync(process.execPath, ['scripts/packageTargets.mjs', ...TARGETS], { cwd: copy, stdio: ['ignore', 'ignore', 'inherit'] });
  });

  for (const target of TARGETS) {
    it(`${target}: the manifest names the platform and the package holds its esbuild binary only`, () => {
      const files = list(target);
      const manifest = execFileSync('unzip', ['-p', vsix(target), 'extension.vsixmanifest'], { encoding: 'utf8' });
      const binaries = files.filter((f) => /^extension\/dist\/esbuild\/node_modules\/@esbuild\/[^/]+\/(bin\/esbuild|esbuild\.exe)$/.test(f));
      const binary = execFileSync('unzip', ['-p', vsix(target), EXPECTED[target]!.binary], { maxBuffer: 64 << 20 });
      assert.deepEqual(
        {
          platform: /TargetPlatform="([^"]+)"/.exec(manifest)?.[1],
          binaries,
          kind: executableKind(binary),
          wasm: files.filter((f) => f.includes('esbuild-wasm')),
          extractor: files.includes('extension/dist/extractor.js'),
        },
        { platform: target, binaries: [EXPECTED[target]!.binary], kind: EXPECTED[target]!.kind, wasm: [], extractor: true },
      );
    });
  }

  it('the linux-x64 package, unpacked, bundles and runs a script with its own esbuild, runner and library', async (t) => {
    if (`${process.platform}-${process.arch}` !== 'linux-x64') return t.skip('runs on linux-x64 only');
    const unpacked = mkdtempSync(join(tmpdir(), 'pyflow-vsix-'));
    execFileSync('unzip', ['-q', vsix('linux-x64'), '-d', unpacked]);
    const dist = join(unpacked, 'extension', 'dist');
    const choice = await loadEsbuild(dist, {});
    let stdout = '';
    const handle = startRun(
      {
        file: join(REPO, 'examples', 'quickstart.ts'),
        target: { kind: 'script' },
        runnerPath: join(dist, 'runner.js'),
        libraryPath: join(dist, 'lib', 'index.mjs'),
        esbuild: choice.esbuild,
        timeoutMs: 0,
      },
      {
        onMessage: () => undefined,
        onOutput: (text, stream) => {
          if (stream === 'stdout') stdout += text;
        },
      },
    );
    assert.deepEqual({ kind: choice.kind, outcome: (await handle.done).status, stdout }, { kind: 'native', outcome: 'done', stdout: '11\n' });
  });
});
