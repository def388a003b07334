import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** The copy of the pyflow library a run uses, and a note for the user when it is not the one they might expect. */
export interface RunLibrary {
  /** The library's ESM entry, what `import … from 'pyflow'` in the script is bundled against. */
  path: string;
  note?: string;
}

type ExportTarget = string | { import?: ExportTarget; default?: ExportTarget } | undefined;

function esmEntry(target: ExportTarget): string | undefined {
  if (typeof target === 'string' || target === undefined) return target;
  return esmEntry(target.import ?? target.default);
}

function readPackage(file: string): { version?: string; exports?: Record<string, ExportTarget> } {
  return JSON.parse(readFileSync(file, 'utf8')) as { version?: string; exports?: Record<string, ExportTarget> };
}

/**
 * The pyflow a script's `import … from 'pyflow'` means: the one installed where the script is (resolved from its
 * directory as Node and the editor resolve it, so the run uses the library whose types the editor shows), else the
 * copy shipped in `dist` (the extension's or the CLI's own).
 */
export function libraryFor(script: string, dist: string): RunLibrary {
  const bundled = join(dist, 'lib', 'index.mjs');
  let manifest: string;
  try {
    manifest = createRequire(resolve(script)).resolve('pyflow/package.json');
  } catch {
    return { path: bundled };
  }
  const pkg = readPackage(manifest);
  const entry = esmEntry(pkg.exports?.['.']);
  const path = entry === undefined ? undefined : join(dirname(manifest), entry);
  if (path === undefined || !existsSync(path)) return { path: bundled };
  const ownVersion = readPackage(join(dist, '..', 'package.json')).version;
  const note =
    pkg.version === ownVersion
      ? undefined
      : `note: this run uses the pyflow ${pkg.version} installed at ${dirname(manifest)} (this tool ships ${ownVersion}); if the run misbehaves, install pyflow ${ownVersion} there (docs/install.md).`;
  return note ? { path, note } : { path };
}
