import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinModules } from 'node:module';
import type { BuildOptions, Plugin } from 'esbuild';
import type { SerializedError } from '../protocol/index.js';

/** The part of esbuild's API the runner uses (the extension ships its own copy of esbuild). */
export type Esbuild = typeof import('esbuild');

/**
 * The bundle, the user's source files in it (absolute paths; pyflow's own library left out), and the op modules it
 * names for worker threads (`new URL('./ops.ts', import.meta.url)`), each bundled on its own: file URL → bundle, and
 * file URL → fingerprint of the code it runs (for result-cache keys).
 */
export type BundleResult =
  | { ok: true; path: string; sources: string[]; workerModules: Record<string, string>; workerFingerprints: Record<string, string> }
  | { ok: false; error: SerializedError };

/**
 * The workspace's own packages are not bundled: they are loaded from its node_modules at run time (native
 * modules, large libraries), by absolute path since the bundle lives in a temporary directory.
 */
const workspacePackages: Plugin = {
  name: 'pyflow-workspace-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === RESOLVING || args.path === 'pyflow' || args.path.startsWith('pyflow/')) return undefined;
      if (args.path.startsWith('node:') || builtinModules.includes(args.path.split('/')[0]!)) return { external: true };
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: RESOLVING });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};
const RESOLVING = Symbol('resolving');

/** Rewrites a user source file before it is bundled (the extension passes the analysis's `instrumentAddCalls`). */
export type SourceTransform = (file: string, text: string) => string | undefined;

function loaderOf(file: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  return /\.tsx$/.test(file) ? 'tsx' : /\.jsx$/.test(file) ? 'jsx' : /\.[cm]?js$/.test(file) ? 'js' : 'ts';
}

/**
 * `import … from 'pyflow'` (and 'pyflow/view', 'pyflow/cluster', 'pyflow/cache') loads the chosen library from where
 * it is (not bundled in), so that it finds the files beside it (the worker pool's thread entry, piscina) and a
 * worker's op module imports the same copy.
 */
function externalLibrary(libraryPath: string): Plugin {
  return {
    name: 'pyflow-library',
    setup(build) {
      build.onResolve({ filter: /^pyflow(\/(view|cluster|cache))?$/ }, (args) => {
        const esm = args.path === 'pyflow' ? libraryPath : libraryPath.replace(/index\.mjs$/, `${args.path.slice('pyflow/'.length)}.mjs`);
        return args.kind === 'require-call' ? { path: esm.replace(/\.mjs$/, '.cjs'), external: true } : { path: pathToFileURL(esm).href, external: true };
      });
    },
  };
}

/** A literal op module a script names for worker threads: `new URL('./ops.ts', import.meta.url)`. */
const WORKER_MODULE_REF = /new\s+URL\(\s*(['"])(\.{1,2}\/[^'"\n]+?\.[cm]?[jt]sx?)\1\s*,\s*import\.meta\.url\s*\)/g;

/**
 * Prepares the user's own files (not node_modules): applies `transform`, makes `import.meta.url` the file's own URL
 * (the bundle lives elsewhere), and notes the op modules they name for worker threads in `workerModules`.
 */
function userSources(transform: SourceTransform | undefined, workerModules: Set<string>): Plugin {
  return {
    name: 'pyflow-user-sources',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.namespace !== 'file' || /[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        // The text read here is what esbuild gets, changed or not (returning undefined would make it read it again).
        const text = await readFile(args.path, 'utf8');
        return { contents: prepareSource(args.path, transform?.(args.path, text) ?? text, workerModules), loader: loaderOf(args.path) };
      });
    },
  };
}

function prepareSource(file: string, text: string, workerModules: Set<string>): string {
  for (const match of text.matchAll(WORKER_MODULE_REF)) workerModules.add(resolve(dirname(file), match[2]!));
  return text.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(file).href));
}

/**
 * What an op module's bundle runs: its code with every workspace file it imports (esbuild drops comments and
 * reformats, so neither changes it), and the installed version of each package it loads from node_modules.
 */
function bundleFingerprint(bundle: string, metafile: import('esbuild').Metafile | undefined): string {
  const packages = new Set<string>();
  for (const output of Object.values(metafile?.outputs ?? {})) {
    for (const imported of output.imports) if (imported.external) packages.add(packageVersion(imported.path));
  }
  return createHash('sha256')
    .update(readFileSync(bundle))
    .update(JSON.stringify([...packages].sort()))
    .digest('hex');
}

/**
 * `name@version` of the package a file in node_modules belongs to. A package linked from elsewhere (`file:../utils`,
 * a workspace) is its entry file's path and content hash; a built-in is its name.
 */
function packageVersion(path: string): string {
  const match = /^(.*[\\/]node_modules[\\/])((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path);
  if (!match) return isAbsolute(path) && existsSync(path) ? `${path}#${createHash('sha256').update(readFileSync(path)).digest('hex')}` : path;
  try {
    const manifest = JSON.parse(readFileSync(join(match[1]!, match[2]!, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return `${manifest.name ?? match[2]}@${manifest.version ?? 'unknown'}`;
  } catch {
    return `${match[2]}@unreadable`;
  }
}

/** Bundles the user's script to one ESM file with source maps, and each op module it names for worker threads. */
export async function bundleScript(
  request: { file: string; text?: string; libraryPath: string; esbuild: Esbuild; transform?: SourceTransform },
  outDir: string,
): Promise<BundleResult> {
  const outfile = join(outDir, 'script.mjs');
  const loader = loaderOf(request.file);
  const transform = request.transform;
  const workerModules = new Set<string>();
  const text = request.text === undefined ? undefined : prepareSource(request.file, transform?.(request.file, request.text) ?? request.text, workerModules);
  const workingDir = dirname(request.file);
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourceRoot: '',
    banner: {
      js: `import { createRequire as __pyflowCreateRequire } from 'node:module'; const require = __pyflowCreateRequire(${JSON.stringify(request.file)});`,
    },
    logLevel: 'silent',
    keepNames: true,
    metafile: true,
    absWorkingDir: workingDir,
    plugins: [externalLibrary(request.libraryPath), workspacePackages, userSources(transform, workerModules)],
  };
  try {
    const result = await request.esbuild.build({
      ...(text === undefined
        ? { entryPoints: [request.file] }
        : { stdin: { contents: text, sourcefile: request.file, resolveDir: dirname(request.file), loader } }),
      ...common,
      outfile,
    });
    const inputs = Object.keys(result.metafile?.inputs ?? {});
    // Modules named by other op modules are found as these are bundled: the set grows while it is walked.
    const bundled: Record<string, string> = {};
    const fingerprints: Record<string, string> = {};
    for (const module of workerModules) {
      const out = join(outDir, 'workers', `${Object.keys(bundled).length}-${basename(module).replace(/\.[^.]+$/, '')}.mjs`);
      const worker = await request.esbuild.build({ ...common, entryPoints: [module], outfile: out });
      inputs.push(...Object.keys(worker.metafile?.inputs ?? {}));
      bundled[pathToFileURL(module).href] = pathToFileURL(out).href;
      fingerprints[pathToFileURL(module).href] = bundleFingerprint(out, worker.metafile);
    }
    const sources = [...new Set(inputs.map((input) => resolve(workingDir, input)))];
    return { ok: true, path: outfile, sources, workerModules: bundled, workerFingerprints: fingerprints };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    const message =
      errors.length > 0
        ? errors
            .slice(0, 5)
            .map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : ''}${e.text}`)
            .join('\n')
        : String(error);
    const out: SerializedError = { name: 'BuildError', message: `Could not build ${request.file}: ${where ? '' : ''}${message}` };
    if (first?.location) out.source = { file: first.location.file, line: first.location.line, column: first.location.column + 1 };
    return { ok: false, error: out };
  }
}
