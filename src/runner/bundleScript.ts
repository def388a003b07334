import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import type { SerializedError } from '../protocol/index.js';

/** The part of esbuild's API the runner uses (the extension ships its own copy of esbuild). */
export type Esbuild = typeof import('esbuild');

/** The bundle, and the user's source files in it (absolute paths; pyflow's own library left out). */
export type BundleResult = { ok: true; path: string; sources: string[] } | { ok: false; error: SerializedError };

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

/**
 * `pyflow/view` is our drawing module beside the bundled core. The user's own imports of it are bundled; the
 * library's on-demand `import('pyflow/view')` (G.view() outside the extension) stays a run-time import, since under
 * the runner G.view() goes to the host: the drawing module and its layout engine stay out of every run's bundle.
 */
function drawingModule(libraryDir: string, viewPath: string): Plugin {
  return {
    name: 'pyflow-view',
    setup(build) {
      build.onResolve({ filter: /^pyflow\/view$/ }, (args) =>
        dirname(args.importer) === libraryDir ? { path: pathToFileURL(viewPath).href, external: true } : { path: viewPath });
    },
  };
}

/** Rewrites a user source file before it is bundled (the extension passes the analysis's `instrumentAddCalls`). */
export type SourceTransform = (file: string, text: string) => string | undefined;

function loaderOf(file: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  return /\.tsx$/.test(file) ? 'tsx' : /\.jsx$/.test(file) ? 'jsx' : /\.[cm]?js$/.test(file) ? 'js' : 'ts';
}

/** Applies `transform` to the user's own files (not to node_modules or pyflow's bundled core). */
function transformSources(transform: SourceTransform, libraryDir: string): Plugin {
  return {
    name: 'pyflow-transform-sources',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.namespace !== 'file' || /[\\/]node_modules[\\/]/.test(args.path) || args.path.startsWith(libraryDir)) return undefined;
        // The text read here is what esbuild gets, changed or not (returning undefined would make it read it again).
        const text = await readFile(args.path, 'utf8');
        return { contents: transform(args.path, text) ?? text, loader: loaderOf(args.path) };
      });
    },
  };
}

/** Bundles the user's script to one ESM file with source maps; `pyflow` resolves to our bundled core. */
export async function bundleScript(
  request: { file: string; text?: string; libraryPath: string; esbuild: Esbuild; transform?: SourceTransform },
  outDir: string,
): Promise<BundleResult> {
  const outfile = join(outDir, 'script.mjs');
  const loader = loaderOf(request.file);
  const transform = request.transform;
  const text = request.text === undefined || !transform ? request.text : (transform(request.file, request.text) ?? request.text);
  const workingDir = dirname(request.file);
  const libraryDir = dirname(request.libraryPath);
  const viewPath = request.libraryPath.replace(/index\.mjs$/, 'view.mjs');
  try {
    const result = await request.esbuild.build({
      ...(text === undefined
        ? { entryPoints: [request.file] }
        : { stdin: { contents: text, sourcefile: request.file, resolveDir: dirname(request.file), loader } }),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      sourcemap: 'linked',
      sourceRoot: '',
      alias: { pyflow: request.libraryPath },
      banner: { js: `import { createRequire as __pyflowCreateRequire } from 'node:module'; const require = __pyflowCreateRequire(${JSON.stringify(request.file)});` },
      logLevel: 'silent',
      keepNames: true,
      metafile: true,
      absWorkingDir: workingDir,
      plugins: [drawingModule(libraryDir, viewPath), workspacePackages, ...(transform ? [transformSources(transform, libraryDir)] : [])],
    });
    const sources = Object.keys(result.metafile?.inputs ?? {}).map((input) => resolve(workingDir, input)).filter((input) => dirname(input) !== libraryDir);
    return { ok: true, path: outfile, sources };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors ?? [];
    const first = errors[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    const message = errors.length > 0
      ? errors.slice(0, 5).map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : ''}${e.text}`).join('\n')
      : String(error);
    const out: SerializedError = { name: 'BuildError', message: `Could not build ${request.file}: ${where ? '' : ''}${message}` };
    if (first?.location) out.source = { file: first.location.file, line: first.location.line, column: first.location.column + 1 };
    return { ok: false, error: out };
  }
}
