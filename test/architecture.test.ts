import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/* The import table of STYLE.md §1: dependencies point one way only. */

const REPO = resolve(__dirname, '..');
const RULES: Record<string, { mayImport: RegExp[] }> = {
  'src/core': { mayImport: [/^\.\//] },
  'src/protocol': { mayImport: [/^\.\//, /^\.\.\/core\//] },
  'src/analysis': { mayImport: [/^\.\//, /^\.\.\/protocol\//, /^\.\.\/core\//, /^ts-morph$/] },
  'src/runner': { mayImport: [/^\.\//, /^\.\.\/core\//, /^\.\.\/protocol\//, /^node:/, /^esbuild$/] },
  'src/view': { mayImport: [/^\.\//, /^\.\.\/core\//, /^\.\.\/\.\.\/webview\/(layout|render|vnode|shapes)\.js$/, /^node:/, /^elkjs\//] },
  'src/executors': { mayImport: [/^\.\//, /^\.\.\/\.\.\/core\//, /^node:/, /^bullmq$/, /^ioredis$/] },
  'src/cli': { mayImport: [/^\.\//, /^\.\.\/(core|protocol|analysis|runner|view|executors)\//, /^node:/] },
  'src/extension': { mayImport: [/^\.\//, /^\.\.\/(core|protocol|analysis|runner)\//, /^node:/, /^vscode$/] },
  webview: { mayImport: [/^\.\//, /^worker-text:\.\//, /^\.\.\/src\/protocol\//, /^\.\.\/src\/core\//, /^elkjs\//, /^@vscode-elements\//] },
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(['"]([^'"]+)['"]\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

describe('architecture', () => {
  for (const [dir, rule] of Object.entries(RULES)) {
    it(`${dir} imports only what it may`, () => {
      const offenders: string[] = [];
      for (const file of files(join(REPO, dir))) {
        for (const spec of imports(file)) {
          // A relative import that stays inside the directory (src/core/engine/x.ts importing ../nodes.js) is its own.
          if (spec.startsWith('.') && resolve(dirname(file), spec).startsWith(join(REPO, dir) + sep)) continue;
          if (!rule.mayImport.some((re) => re.test(spec))) offenders.push(`${relative(REPO, file)} imports ${spec}`);
        }
      }
      assert.deepEqual(offenders, []);
    });
  }

  it('only src/extension mentions the vscode module', () => {
    const users = files(join(REPO, 'src')).filter((f) => /from ['"]vscode['"]/.test(readFileSync(f, 'utf8')));
    assert.ok(users.length > 0);
    assert.deepEqual(users.filter((f) => !f.includes('/src/extension/')), []);
  });
});
