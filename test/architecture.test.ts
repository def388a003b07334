import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ViewModule } from '../src/core/viewModule.js';

/* The import table of STYLE.md §1: dependencies point one way only. Dynamic imports count as imports. */

const REPO = resolve(__dirname, '..');

interface Rule {
  /** What the module's files may import (statically or dynamically). */
  mayImport: RegExp[];
  /** What they may load with `import()` besides that. */
  mayLoad?: RegExp[];
}

/** The most specific matching key wins: `src/drawing/index.ts` (the Node entry) before `src/drawing`. */
const RULES: Record<string, Rule> = {
  'src/core': { mayImport: [/^\.\//], mayLoad: [/^pyflow\/view$/] },
  'src/protocol': { mayImport: [/^\.\//, /^\.\.\/core\//] },
  'src/analysis': { mayImport: [/^\.\//, /^\.\.\/protocol\//, /^\.\.\/core\//, /^ts-morph$/] },
  'src/cache': { mayImport: [/^\.\//, /^\.\.\/(core|protocol)\//, /^node:/] },
  'src/runner': { mayImport: [/^\.\//, /^\.\.\/(core|protocol|cache)\//, /^\.\.\/executors\/workerHost\.js$/, /^node:/, /^esbuild$/] },
  'src/drawing': { mayImport: [/^\.\//, /^\.\.\/core\//, /^\.\.\/protocol\//, /^elkjs\//] },
  'src/drawing/index.ts': { mayImport: [/^\.\//, /^\.\.\/core\//, /^node:/] },
  // What every executor shares (src/executors/shared.ts, the runner's hook workerHost.ts).
  'src/executors': { mayImport: [/^\.\//, /^\.\.\/core\//] },
  // The fallback fingerprint of an op module (a hash of its file), for both executors.
  'src/executors/shared.ts': { mayImport: [/^\.\.\/core\//, /^node:(crypto|fs|url)$/] },
  'src/executors/threads': { mayImport: [/^\.\//, /^\.\.\/(shared|workerHost)\.js$/, /^\.\.\/\.\.\/core\//, /^node:/, /^piscina$/] },
  'src/executors/cluster': { mayImport: [/^\.\//, /^\.\.\/(shared|workerHost)\.js$/, /^\.\.\/\.\.\/core\//, /^node:/, /^bullmq$/, /^ioredis$/] },
  'src/cli': { mayImport: [/^\.\//, /^\.\.\/(core|protocol|analysis|runner|drawing|cache|executors)\//, /^node:/, /^\.\.\/\.\.\/package\.json$/] },
  // The cluster's worker bundles op modules (as the runner does), loaded with dist/cli-cluster.js only.
  'src/cli/clusterCommands.ts': { mayImport: [/^\.\//, /^\.\.\/(core|protocol|runner|executors)\//, /^node:/, /^esbuild$/] },
  'src/extension': { mayImport: [/^\.\//, /^\.\.\/(core|protocol|analysis|runner|cache)\//, /^node:/, /^vscode$/] },
  webview: {
    mayImport: [
      /^\.\//,
      /^worker-text:\.\//,
      /^\.\.\/src\/(protocol|core|drawing)\//,
      /^\.\.\/\.\.\/src\/(protocol|core|drawing)\//,
      /^elkjs\//,
      /^@vscode-elements\//,
      /^uplot$/,
    ],
  },
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Import {
  spec: string;
  dynamic: boolean;
}

const STATIC_IMPORT = /^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;
/** Every `import(` and `require(` call; its argument must be one string literal, or the test cannot tell what it loads. */
// `import()` with nothing inside is text about imports (a message), not a load.
const DYNAMIC_IMPORT = /\b(?:import|require)\(\s*([^)]+?)\s*\)/g;

/** The files that load a module computed at run time, and what it is: nothing else may. */
const COMPUTED_LOADS: Record<string, string> = {
  'src/runner/main.ts': "the user's bundled script",
  'src/runner/esbuildApi.ts': 'the esbuild package shipped in dist/esbuild',
  'src/cli/graph.ts': "the graph command's bundle (dist/cli-graph.js)",
  'src/cli/cluster.ts': "the cluster commands' bundle (dist/cli-cluster.js)",
  'src/cli/clusterCommands.ts': "a worker's op module, bundled by esbuild under the code root",
  'src/executors/threads/poolWorker.ts': 'an op module named by pool.fn, in a worker thread',
  'src/analysis/lazy.ts': 'the extractor bundle (dist/extractor.js)',
};
const COMPUTED = /^a non-literal /;

function imports(text: string): Import[] {
  const code = text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  const found: Import[] = [...code.matchAll(STATIC_IMPORT)].map((m) => ({ spec: m[1] ?? m[2]!, dynamic: false }));
  for (const m of code.matchAll(DYNAMIC_IMPORT)) {
    const literal = /^(['"])([^'"`]+)\1$/.exec(m[1]!);
    found.push({ spec: literal ? literal[2]! : `a non-literal import(${m[1]})`, dynamic: true });
  }
  return found;
}

function ruleFor(file: string): Rule | undefined {
  const path = relative(REPO, file);
  const key = Object.keys(RULES)
    .filter((k) => path === k || path.startsWith(`${k}/`))
    .sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : RULES[key];
}

describe('architecture', () => {
  for (const dir of new Set(Object.keys(RULES).map((k) => k.replace(/\/[^/]+\.ts$/, '')))) {
    it(`${dir} imports only what it may`, () => {
      const offenders: string[] = [];
      for (const file of files(join(REPO, dir))) {
        const rule = ruleFor(file)!;
        for (const { spec, dynamic } of imports(readFileSync(file, 'utf8'))) {
          // A relative import that stays inside the directory (src/core/engine/x.ts importing ../nodes.js) is its own.
          if (spec.startsWith('.') && resolve(dirname(file), spec).startsWith(join(REPO, dir) + sep)) continue;
          const computedLoad = COMPUTED_LOADS[relative(REPO, file)] === undefined ? [] : [COMPUTED];
          const allowed = [...rule.mayImport, ...(dynamic ? [...(rule.mayLoad ?? []), ...computedLoad] : [])];
          if (!allowed.some((re) => re.test(spec))) offenders.push(`${relative(REPO, file)} imports ${spec}`);
        }
      }
      assert.deepEqual(offenders, []);
    });
  }

  it('the import reader sees static, side-effect and dynamic imports, and flags computed ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../core/b.js';",
      "export { c } from './c.js';",
      "import './side.js';",
      "const m = await import('pyflow/view');",
      'const n = await import(NAME);',
      "const o = require('./o.js');",
      'const p = require(path);',
      "// import { commented } from 'not-seen';",
    ].join('\n');
    assert.deepEqual(imports(text), [
      { spec: './a.js', dynamic: false },
      { spec: '../core/b.js', dynamic: false },
      { spec: './c.js', dynamic: false },
      { spec: './side.js', dynamic: false },
      { spec: 'pyflow/view', dynamic: true },
      { spec: 'a non-literal import(NAME)', dynamic: true },
      { spec: './o.js', dynamic: true },
      { spec: 'a non-literal import(path)', dynamic: true },
    ]);
  });

  it('`pyflow/view`, which the core loads for G.view(), is the drawing module: package exports and build agree', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    assert.deepEqual(pkg.exports['./view'], {
      import: { types: './dist/lib/view.d.mts', default: './dist/lib/view.mjs' },
      require: { types: './dist/lib/view.d.ts', default: './dist/lib/view.cjs' },
    });
    const build = readFileSync(join(REPO, 'esbuild.mjs'), 'utf8');
    for (const out of ['lib/view.cjs', 'lib/view.mjs']) {
      assert.match(build, new RegExp(`entryPoints: \\['src/drawing/index\\.ts'\\], outfile: \`\\$\\{DIST\\}/${out.replace('.', '\\.')}\``));
    }
    // Type-level: src/drawing/index.ts provides everything the core's ViewModule asks for (npm run typecheck).
    const provides: typeof import('../src/drawing/index.js') extends ViewModule ? true : false = true;
    assert.equal(provides, true);
  });

  it('only src/extension mentions the vscode module', () => {
    const users = files(join(REPO, 'src')).filter((f) => /from ['"]vscode['"]/.test(readFileSync(f, 'utf8')));
    assert.ok(users.length > 0);
    assert.deepEqual(
      users.filter((f) => !f.includes('/src/extension/')),
      [],
    );
  });
});
