import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { ts } from 'ts-morph';
import { hasReturn as staticHasReturn } from '../../src/analysis/functions.js';
import { hasReturn as runtimeHasReturn } from '../../src/core/introspect.js';

/*
 * The extractor applies the runtime's output rule to the syntax tree; the runtime applies it to the text of
 * the compiled function. Both are run here on the same functions, compiled as the runner compiles them.
 */

const FUNCTIONS = [
  'function f(a: number) { console.log({ return: a }); }',
  'function f(it: Iterator<number>) { it.return?.(); }',
  'function f(x: { return: number }): void { console.log(x); }',
  "function f() { console.log('return', `return ${1}`, /return/); /* return */ }",
  'function f() { const $return = 1; console.log($return); }',
  'function f() { const _return = 1; console.log(_return); }',
  'function f() { class C { #return = 1; get() { return this.#return; } } console.log(C); }',
  'function f() { class C { #return = 1; } console.log(C); }',
  'function f(a = () => 1) { console.log(a); }',
  'function f() { const g = () => { return 1; }; g(); }',
  'function f() { const o = { return() { console.log(1); } }; o.return(); }',
  'function f() { type T = { return: 1 }; interface I { return: 2 } const x: T | I = { return: 1 }; console.log(x); }',
  'function f() { console.log(`${(() => { return 1; })()}`); }',
  '(x: number) => x',
  '(x: number) => { console.log(x); }',
  'async function f() { await Promise.resolve(); }',
];

async function compiled(source: string): Promise<Function> {
  const { code } = await esbuild.transform(`export default ${source}`, { loader: 'ts', format: 'cjs', target: 'node20', keepNames: true });
  const module = { exports: {} as { default: Function } };
  new Function('module', 'exports', code)(module, module.exports);
  return module.exports.default;
}

function parsed(source: string): ts.Node {
  const sf = ts.createSourceFile('/ws/f.ts', `export default ${source}`, ts.ScriptTarget.Latest, true);
  let fn: ts.Node | undefined;
  const find = (node: ts.Node): void => {
    if (!fn && (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node))) fn = node;
    ts.forEachChild(node, find);
  };
  find(sf);
  return fn!;
}

describe('the extractor and the runtime agree on which functions return', () => {
  it('for properties, methods and private names called return, types, comments, strings and nested functions', async () => {
    const runtime = await Promise.all(FUNCTIONS.map(async (source) => [source, runtimeHasReturn(await compiled(source))]));
    const statics = FUNCTIONS.map((source) => [source, staticHasReturn(parsed(source))]);
    assert.deepEqual(statics, runtime);
  });
});
