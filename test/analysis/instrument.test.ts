import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { instrumentAddCalls } from '../../src/analysis/instrument.js';
import { GraphBuilder } from '../../src/core/index.js';
import { SITE_MARKER } from '../../src/core/introspect.js';

const FILE = '/ws/pipe.ts';

/** The (line, column) of every marker the instrumented text carries, from the marker itself. */
function markers(text: string): string[] {
  return [...text.matchAll(/"\\u0000pyflow-site\\u0000([^"]*)"/g)].map((m) => m[1]!.split('\\u0000').slice(1).join(':'));
}

describe('instrumentAddCalls: add call sites written into the code for the runner', () => {
  it('marks curried add calls with their own line and the column of `add`, and moves no line', () => {
    const src = [
      "import { GraphBuilder } from 'pyflow';",
      'const G = new GraphBuilder();',
      'const a = G.add(inc)(1);',
      'const b = G.add(inc, { persist: true })(a);',
      'const c = G.add(',
      '  inc,',
      ')(b);',
      'for (const x of xs) out = G.add(inc)(out);',
    ].join('\n');
    const out = instrumentAddCalls(FILE, src)!;
    assert.deepEqual(markers(out), ['3:13', '4:13', '5:13', '8:29']);
    assert.equal(out.split('\n').length, src.split('\n').length);
    for (const [i, line] of src.split('\n').entries()) assert.ok(out.split('\n')[i]!.startsWith(line.split('add(')[0]!), `line ${i + 1} keeps its start`);
    assert.match(out, /G\.add\(inc, undefined, "\\u0000pyflow-site/);
    assert.match(out, /G\.add\(inc, \{ persist: true \}, "\\u0000pyflow-site/);
    assert.match(out, /inc, undefined, "[^"]*",\n\)\(b\)/, 'a trailing comma stays valid');
  });

  it('leaves other add methods, curried adds of other libraries and non-curried calls alone', () => {
    const head = "import { GraphBuilder } from 'pyflow';\nimport * as R from 'ramda';\nconst G = new GraphBuilder();\n";
    assert.equal(instrumentAddCalls(FILE, `${head}const s = new Set(); s.add(1); moment().add(1, "day"); const f = G.add(inc); f(2);`), undefined);
    assert.equal(instrumentAddCalls(FILE, `${head}G.add(...fns)(1); G.add?.(inc)(1); G.add(a, b, c)(1);`), undefined);
    // Ramda's add is curried too: a third argument would break R.add(1)(2).
    assert.equal(instrumentAddCalls(FILE, `${head}const three = R.add(1)(2); const H = makeGraph(); H.add(inc)(1);`), undefined);
    assert.equal(
      instrumentAddCalls(FILE, 'class GraphBuilder { add(x) { return (y) => x + y; } }\nconst G = new GraphBuilder();\nG.add(1)(2);'),
      undefined,
      "a GraphBuilder that is not pyflow's",
    );
    assert.equal(instrumentAddCalls(FILE, 'const x = 1;'), undefined);
  });

  it('knows renamed and namespace imports of GraphBuilder', () => {
    const renamed = instrumentAddCalls(FILE, "import { GraphBuilder as GB } from 'pyflow';\nconst g = new GB();\ng.add(inc)(1);")!;
    assert.deepEqual(markers(renamed), ['3:3']);
    const namespaced = instrumentAddCalls(FILE, "import * as pf from 'pyflow';\nconst g = new pf.GraphBuilder({ alias: 'x' });\ng.add(inc)(1);")!;
    assert.deepEqual(markers(namespaced), ['3:3']);
  });

  it('the library takes the written site instead of capturing a stack; plain graphs ignore it', () => {
    const G = new GraphBuilder({ callSites: true });
    const marker = `${SITE_MARKER}${FILE}\u000012\u00007`;
    const a = (G.add as (...args: unknown[]) => (...xs: unknown[]) => unknown)((x: number) => x + 1, undefined, marker)(1) as {
      _producer: { callSite: unknown };
    };
    assert.deepEqual(a._producer.callSite, { file: FILE, line: 12, column: 7 });
    const b = G.add((x: number) => x + 1)(2);
    assert.equal(G.operations[1]!.callSite?.file, __filename, 'without a marker the stack is captured');
    assert.equal(b.get(), 3);
    const plain = new GraphBuilder();
    (plain.add as (...args: unknown[]) => (...xs: unknown[]) => unknown)((x: number) => x, undefined, marker)(1);
    assert.equal(plain.operations[0]!.callSite, undefined);
  });
});
