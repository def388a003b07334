import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, PyflowError, type TraceKind } from '../../src/core/index.js';
import { siteMarker } from '../../src/core/introspect.js';
import { SEED_A5_TRACE } from './seedTraces.js';

function adding(a: number, b: number): number {
  return a + b;
}

/** The line of the caller's next statement... of the line this is called on. */
function lineHere(): number {
  return Number(/:(\d+):\d+\)?$/.exec(new Error().stack!.split('\n')[2]!)![1]);
}

/** Runs `add`, which must throw a PyflowError `code` whose message is `message` with `AT` standing for this file:line:column. */
function assertAddError(add: () => unknown, code: string, line: number, message: string): void {
  assert.throws(add, (e: unknown) => {
    assert.ok(e instanceof PyflowError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.callSite?.line, line, 'the location of the add call');
    assert.match(e.callSite!.file, /options\.test\.ts$/);
    assert.equal(e.message, message.replace('AT', `${e.callSite!.file}:${line}:${e.callSite!.column}`));
    return true;
  });
}

describe('add() options are checked', () => {
  it('a wrong type, a misspelt or an unknown option is BAD_OPTION naming the option, the op and the add call', () => {
    const G = new GraphBuilder();
    const cases: [options: object, problem: string][] = [
      [{ color: 123 }, 'option "color" must be a colour name or "#rrggbb", got 123 (number)'],
      [{ alias: 5 }, 'option "alias" must be a non-empty string, got 5 (number)'],
      [{ rank: 'top' }, 'option "rank" must be a whole number (equal ranks share a row), got "top"'],
      [{ colour: 'red' }, 'unknown option "colour" (did you mean "color"?); the options are nOut, persist, rank, shape, color, fontsize, alias, outputAlias, cache, version'],
      [{ n_out: 2 }, 'unknown option "n_out" (did you mean "nOut"?); the options are nOut, persist, rank, shape, color, fontsize, alias, outputAlias, cache, version'],
      [{ fontsize: -1 }, 'option "fontsize" must be a number > 0, got -1 (number)'],
      [{ nOut: 1.5 }, 'option "nOut" must be a whole number >= 0, got 1.5 (number)'],
      [{ persist: 'yes' }, 'option "persist" must be true or false, got "yes"'],
      [{ shape: '' }, 'option "shape" must be a Graphviz shape name such as "box" or "cylinder", got ""'],
      [{ outputAlias: ['a', 2] }, 'option "outputAlias" must be a non-empty string, or an array of them (one per output), got an array of 2'],
    ];
    for (const [options, problem] of cases) {
      assertAddError(() => G.add(adding, options as never)(1, 2), 'BAD_OPTION', lineHere(), `G.add(adding, …) at AT: ${problem}`);
    }
    assertAddError(() => G.add(adding, 'red' as never), 'BAD_OPTION', lineHere(), 'G.add(adding, …) at AT: options must be an object such as { nOut: … }, got "red"');
    assertAddError(() => G.add(adding, { alias: 'sum', rank: 'top' } as never), 'BAD_OPTION', lineHere(),
      'G.add(adding, { alias: "sum" }) at AT: option "rank" must be a whole number (equal ranks share a row), got "top"');
    assert.equal(G.operations.length, 0, 'nothing was added');
    // Options left undefined are options not given; the counter did not move.
    const x = G.add(adding, { rank: undefined, color: 'lightblue', shape: 'cylinder', fontsize: 9.5, alias: 'sum', outputAlias: 'total', persist: true, nOut: 1 })(1, 2);
    assert.equal(x.uid, 'total_3');
    assert.equal(x.get(), 3);
  });

  it('under the runner, the location is the one its bundler wrote into the call', () => {
    const G = new GraphBuilder();
    const site = siteMarker({ file: '/home/user/pipeline.ts', line: 12, column: 5 });
    assert.throws(() => (G.add as (...a: unknown[]) => unknown)(adding, { colour: 'red' }, site), (e: PyflowError) =>
      e.code === 'BAD_OPTION' && e.message.startsWith('G.add(adding, …) at /home/user/pipeline.ts:12:5: unknown option "colour"') &&
      e.callSite?.line === 12);
  });

  it('new GraphBuilder options are checked the same way', () => {
    const line = lineHere() + 1;
    assert.throws(() => new GraphBuilder({ alias: 5 } as never), (e: PyflowError) =>
      e.code === 'BAD_OPTION' && e.callSite?.line === line && /^new GraphBuilder\(…\) at .*options\.test\.ts:\d+:\d+: option "alias" must be a non-empty string, got 5 \(number\)$/.test(e.message));
    assert.throws(() => new GraphBuilder({ verbos: true } as never), /unknown option "verbos" \(did you mean "verbose"\?\)/);
    assert.throws(() => new GraphBuilder({ concurrency: 0 }), /option "concurrency" must be a whole number >= 1, got 0/);
  });
});

describe('an OperationNode given as an input', () => {
  it('is BAD_ARGUMENT naming the op, the argument and the add call, directly or inside an array or object; nothing is added', () => {
    const G = new GraphBuilder();
    const show = G.add(function show(x: number): void { void x; })(1);
    const a = G.add(adding)(1, 2);
    const message = 'argument 2 is (or holds) the OperationNode show_0, which has no value to pass: an op without outputs (no return, or nOut: 0) ' +
      'is evaluated with op.run(); pass a DataNode (an op\'s output) instead';
    assertAddError(() => G.add(adding)(a, show as never), 'BAD_ARGUMENT', lineHere(), `G.add(adding, …)(…) at AT: ${message}`);
    assertAddError(() => G.add(adding, { alias: 'sum' })(a, [1, { op: show }] as never), 'BAD_ARGUMENT', lineHere(), `G.add(adding, { alias: "sum" })(…) at AT: ${message}`);
    const both = (xs: unknown, more: unknown) => [xs, more];
    assertAddError(() => G.add(both)([1, 2], { data: a, op: show }), 'BAD_ARGUMENT', lineHere(),
      `G.add(both, …)(…) at AT: ${message}`);
    assert.deepEqual(G.operations.map((op) => op.uid), ['show_0', 'adding_2']);
    assert.equal(G.add(adding)(a, 4).uid, 'data_8', 'the counter did not move');
  });
});

describe('a trace listener that throws', () => {
  const kinds: TraceKind[] = ['computing', 'activated', 'running', 'finished', 'stillNeeded', 'released', 'deactivated'];
  for (const kind of kinds) {
    it(`on a ${kind} event: the evaluation fails with a PyflowError whose cause is the listener's error; the graph stays usable`, () => {
      const lines: string[] = [];
      const G = new GraphBuilder({ verbose: true, log: (line) => lines.push(line) });
      const return2 = (a: number, b: number): [number, number] => [a + 1, b + 1];
      const broken = new Error('listener broke');
      let throwing = true;
      G.subscribe((e) => {
        if (throwing && e.kind === kind) {
          throwing = false;
          throw broken;
        }
      });
      const a1 = G.add(adding)(1, 2);
      const [, a3] = G.add(return2, { nOut: 2 })(a1, 3);
      const a4 = G.add(adding)(a1, 5);
      const a5 = G.add(adding)(a4, a3!);
      assert.throws(() => a5.get(), (e: unknown) => {
        assert.ok(e instanceof PyflowError, `a PyflowError, not ${String(e)}`);
        // (A listener of `released` fails the release: RELEASE_FAILED, whose cause is the listener's failure.)
        const failure = e.code === 'RELEASE_FAILED' ? (e.cause as PyflowError) : e;
        assert.equal(failure.code, 'LISTENER_FAILED');
        assert.match(failure.message, new RegExp(`^a trace listener of graph "graph" threw on the ${kind} event of \\w+: listener broke$`));
        assert.equal(failure.cause, broken);
        return true;
      });
      assert.ok(G.operations.every((op) => !op.isActivated()), 'nothing stays activated');
      for (const d of [a1, a4, a3!]) d.releaseMemory();
      lines.length = 0;
      assert.equal(a5.get(), 12);
      assert.equal(lines.join('\n'), SEED_A5_TRACE);
    });
  }
});
