import { join } from 'node:path';
import type { Esbuild } from './bundleScript.js';

/** Set to `wasm` to bundle with the portable WebAssembly build even where the native binary runs. */
export const ESBUILD_ENV = 'PYFLOW_ESBUILD';

export interface EsbuildChoice {
  esbuild: Esbuild;
  kind: 'native' | 'wasm';
  /** Why the native binary was not used (absent when it was, or when `PYFLOW_ESBUILD=wasm` chose). */
  nativeError?: string;
}

/**
 * The esbuild that bundles user scripts: the native binary shipped in `dist/esbuild` when it runs on this
 * platform, else the portable WebAssembly build in `dist/esbuild-wasm` (slower to start, same output).
 * A package built for one platform (`vsce package --target`) holds that platform's binary only; the
 * universal package holds the build machine's binary and the WebAssembly build for every other platform.
 */
export async function loadEsbuild(dist: string, env: NodeJS.ProcessEnv = process.env): Promise<EsbuildChoice> {
  let nativeError: string | undefined;
  if (env[ESBUILD_ENV] !== 'wasm') {
    try {
      const native = load(join(dist, 'esbuild'));
      await native.transform('');
      return { esbuild: native, kind: 'native' };
    } catch (error) {
      nativeError = `no native esbuild in ${join(dist, 'esbuild')} runs on ${process.platform}-${process.arch} (${firstLine(error)})`;
    }
  }
  try {
    const wasm = load(join(dist, 'esbuild-wasm'));
    await wasm.transform('');
    return { esbuild: wasm, kind: 'wasm', ...(nativeError ? { nativeError } : {}) };
  } catch (error) {
    const native = nativeError ? `${nativeError}, and ` : '';
    throw new Error(`esbuild does not run here: ${native}the portable esbuild in ${join(dist, 'esbuild-wasm')} failed: ${firstLine(error)}`);
  }
}

function load(dir: string): Esbuild {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(dir) as Esbuild;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
