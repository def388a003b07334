import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataNode, GraphBuilder, OperationNode } from '../../src/core/index.js';

/*
 * pyflow's rule for an op's outputs: a function whose body has a `return` statement has one output, one without is an
 * output-less leaf (`add()(...)` returns its OperationNode). Comments, strings and regular expressions must not hide a
 * `return`, nor count as one.
 */

function kind(fn: (...args: never[]) => unknown): string {
  const made: unknown = new GraphBuilder().add(fn)();
  return made instanceof DataNode ? 'data' : made instanceof OperationNode ? 'op' : typeof made;
}

describe('which functions have an output', () => {
  it('a `return` in the body gives an output; none gives an output-less op', () => {
    assert.equal(
      kind(function f() {
        return 1;
      }),
      'data',
    );
    assert.equal(
      kind(function f() {
        console.debug('side effect');
      }),
      'op',
    );
    assert.equal(
      kind(() => 1),
      'data',
    );
    assert.equal(
      kind(() => {
        console.debug('side effect');
      }),
      'op',
    );
    assert.equal(kind(Math.random), 'data', 'native functions are assumed to return');
  });

  it('a string holding `//` or `/*` (a URL) does not hide a `return` after it', () => {
    assert.equal(
      kind(function url() {
        const base = 'https://';
        return `${base}example.com`;
      }),
      'data',
    );
    assert.equal(
      kind(function wrap() {
        const open = '/*';
        return `${open}*/`;
      }),
      'data',
    );
    assert.equal(
      new GraphBuilder()
        .add(function url(host: string) {
          const base = 'https://';
          return base + host;
        })('example.com')
        .get(),
      'https://example.com',
    );
  });

  it('a quote in a regular expression does not start a string that would hide a `return`', () => {
    assert.equal(
      kind(function unquote() {
        const t = "'a'".replace(/'/g, '');
        return t;
      }),
      'data',
    );
    assert.equal(
      kind(function halves() {
        const x = 10 / 2;
        const y = x / 5;
        return `${x}/${y}`;
      }),
      'data',
      'division is not a regular expression',
    );
  });

  it('templates nested in `${…}`, and regular expressions after keywords or `)`, do not hide a `return`', () => {
    const sources = [
      "function render(items) {\n  const html = `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;\n  return html;\n}",
      "function f(xs) {\n  const s = `${xs.map((x) => `it's ${x}`)}`;\n  return s;\n}",
      'function f(a) {\n  const s = `${a ? "`" : \'\'}`;\n  return s;\n}',
      "function f(s) {\n  switch (true) {\n    case /'/.test(s): return 1;\n  }\n}",
      'function f(s) {\n  if (s) /"/.test(s);\n  return 2;\n}',
      'function f(a) { let i = a; i++ / 2; return i }',
      "function urls(xs, base) {\n  const u = `${xs.map((x) => `${base}/${x}`).join('/')}`;\n  return u;\n}",
    ];
    for (const source of sources) {
      const fn = new Function(`return (${source})`)() as () => unknown;
      assert.equal(kind(fn), 'data', source);
    }
  });

  it('`return` only in a comment, a string, a template or a regular expression is not a return', () => {
    assert.equal(
      kind(function f() {
        /* return 1; */ console.debug('x');
      }),
      'op',
    );
    assert.equal(
      kind(function f() {
        // return 1;
        console.debug('x');
      }),
      'op',
    );
    assert.equal(
      kind(function f() {
        console.debug('return 1;');
      }),
      'op',
    );
    assert.equal(
      kind(function f() {
        console.debug(`return ${1}`);
      }),
      'op',
    );
    assert.equal(
      kind(function f() {
        console.debug(/return/.test('x'));
      }),
      'op',
    );
  });
});
