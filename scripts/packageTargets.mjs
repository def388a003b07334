// `npm run package:targets [-- TARGET...]`: one .vsix per VS Code platform, dist/pyflow-<target>.vsix, each with
// the esbuild binary of its platform only (the universal dist/pyflow.vsix of `npm run package` holds this
// machine's binary and the portable WebAssembly build instead). The binaries are the @esbuild/<platform>
// packages of the esbuild version installed here, fetched with `npm pack` and checked against package-lock.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** VS Code's platform targets and the esbuild package that runs on each (Alpine's musl runs the static Linux binaries). */
export const TARGETS = {
  'linux-x64': '@esbuild/linux-x64',
  'linux-arm64': '@esbuild/linux-arm64',
  'linux-armhf': '@esbuild/linux-arm',
  'alpine-x64': '@esbuild/linux-x64',
  'alpine-arm64': '@esbuild/linux-arm64',
  'darwin-x64': '@esbuild/darwin-x64',
  'darwin-arm64': '@esbuild/darwin-arm64',
  'win32-x64': '@esbuild/win32-x64',
  'win32-arm64': '@esbuild/win32-arm64',
};

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The unpacked @esbuild/<platform> package of the installed esbuild's version, cached in node_modules/.cache. */
function esbuildPlatformPackage(name) {
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  const dir = join(ROOT, 'node_modules', '.cache', 'pyflow-esbuild', `${name.replace('/', '+')}@${version}`);
  if (existsSync(join(dir, 'package', 'package.json'))) return join(dir, 'package');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync(npm, ['pack', `${name}@${version}`, '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' }),
  );
  const locked = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages[`node_modules/${name}`];
  if (locked?.version !== version || locked.integrity !== packed.integrity) {
    throw new Error(
      `${name}@${version}: the fetched package (${packed.integrity}) is not the one package-lock.json names (${locked?.version} ${locked?.integrity})`,
    );
  }
  execFileSync('tar', ['-xzf', packed.filename, '-C', dir], { cwd: dir });
  return join(dir, 'package');
}

function packageTarget(target) {
  const name = TARGETS[target];
  if (!name) throw new Error(`unknown target "${target}"; one of: ${Object.keys(TARGETS).join(', ')}`);
  const out = join('dist', `pyflow-${target}.vsix`);
  console.log(`${target}: ${name}`);
  // Everything the extension needs is bundled (no npm dependencies). Relative links in the readme would need a
  // repository URL to be rewritten; the extension's readme has none.
  execFileSync(npm, ['run', '--silent', 'package', '--', '--target', target, '--no-dependencies', '--no-rewrite-relative-links', '--out', out], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
    env: { ...process.env, PYFLOW_ESBUILD_PLATFORM: esbuildPlatformPackage(name) },
  });
  return out;
}

const requested = process.argv.slice(2);
const targets = requested.length > 0 ? requested : Object.keys(TARGETS);
try {
  for (const target of targets) console.log(`wrote ${packageTarget(target)}`);
} finally {
  // dist/ as `npm run package` leaves it: this machine's binary and the WebAssembly build.
  execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
}
