import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/** The file system and hashing the fingerprinter (src/analysis/fingerprint.ts) reads code with. */
export interface NodeFingerprintHost {
  readFile(file: string): string | undefined;
  resolveImport(specifier: string, from: string): { file: string } | { package: string; version: string } | { builtin: true } | undefined;
  hash(text: string): string;
  displayName(file: string): string;
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export const nodeFingerprintHost: NodeFingerprintHost = {
  readFile(file) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  resolveImport(specifier, from) {
    if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) return { builtin: true };
    if (specifier === 'pyflow' || specifier.startsWith('pyflow/')) return { builtin: true };
    if (specifier.startsWith('.') || isAbsolute(specifier)) {
      const file = resolveFile(resolve(dirname(from), specifier));
      return file === undefined ? undefined : { file };
    }
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
    const version = installedVersion(name, dirname(from));
    return version === undefined ? undefined : { package: name, version };
  },
  hash(text) {
    return createHash('sha256').update(text).digest('hex');
  },
  displayName(file) {
    return basename(file);
  },
};

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

/** A relative import's file, as TypeScript and esbuild find it (`./lib.js` may name `lib.ts`). */
function resolveFile(path: string): string | undefined {
  const candidates = [path, ...EXTENSIONS.map((ext) => path + ext), ...EXTENSIONS.map((ext) => join(path, `index${ext}`))];
  const js = /\.([cm]?)js(x?)$/.exec(path);
  if (js) candidates.push(`${path.slice(0, -js[0].length)}.${js[1]}ts${js[2]}`);
  return candidates.find(isFile);
}

/** The version of the package `name` as Node finds it from `dir` (the nearest node_modules up the tree). */
function installedVersion(name: string, dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const manifest = join(at, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        return String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version ?? 'unknown');
      } catch {
        return 'unreadable';
      }
    }
    if (dirname(at) === at) return undefined;
  }
}
