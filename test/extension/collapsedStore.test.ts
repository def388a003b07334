import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COLLAPSED_FILES, collapsedOfFile, withCollapsed } from '../../src/extension/collapsedStore.js';
import { isWebviewToHost } from '../../src/protocol/index.js';

const message = (file: string, graph: string, paths: string[]) => ({ type: 'groups/collapsed' as const, file, graph, paths });

describe('collapsed groups kept in the workspace state', () => {
  it('keeps each graph of the file shown, and reads back only what was kept', () => {
    const once = withCollapsed(undefined, '/ws/a.ts', message('/ws/a.ts', 'g', ['cleaning']));
    const twice = withCollapsed(once, '/ws/a.ts', message('/ws/a.ts', 'h', ['model/fit']));
    assert.deepEqual(twice, { '/ws/a.ts': { g: ['cleaning'], h: ['model/fit'] } });
    assert.deepEqual(collapsedOfFile(twice, '/ws/a.ts'), { g: ['cleaning'], h: ['model/fit'] });
    assert.equal(collapsedOfFile(twice, '/ws/b.ts'), undefined);
  });

  it('a message naming another file than the one the panel shows keeps nothing', () => {
    const kept = { '/ws/a.ts': { g: ['cleaning'] } };
    assert.equal(withCollapsed(kept, '/ws/a.ts', message('/ws/other.ts', 'g', [])), undefined);
    assert.equal(withCollapsed(kept, undefined, message('/ws/a.ts', 'g', [])), undefined);
    assert.deepEqual(kept, { '/ws/a.ts': { g: ['cleaning'] } });
  });

  it('names of the prototype chain reach no prototype: rejected by the guard, kept as plain entries by the store', () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      assert.equal(isWebviewToHost(message(name, 'g', ['x'])), false, `file ${name}`);
      assert.equal(isWebviewToHost(message('/ws/a.ts', name, ['x'])), false, `graph ${name}`);
    }
    assert.equal(isWebviewToHost(message('/ws/a.ts', 'g', ['a//b'])), false, 'an empty group name');
    assert.ok(isWebviewToHost(message('/ws/a.ts', 'g', ['cleaning/constructor'])), 'a path is a value, never a key');
    // The store alone, had a name slipped through: own entries only, Object.prototype untouched.
    const kept = withCollapsed(JSON.parse('{"__proto__": {"g": ["x"]}}'), '__proto__', message('__proto__', 'constructor', ['a']));
    assert.deepEqual(Object.getPrototypeOf(kept), Object.prototype);
    assert.deepEqual(Object.entries(kept!), [['__proto__', { constructor: ['a'], g: ['x'] }]]);
    assert.equal(collapsedOfFile({}, 'constructor'), undefined);
    assert.equal(collapsedOfFile({ '/ws/a.ts': {} }, '/ws/a.ts'), undefined);
    assert.equal(({} as Record<string, unknown>).g, undefined);
  });

  it(`forgets the least recently changed files past ${COLLAPSED_FILES}`, () => {
    let kept: unknown;
    for (let i = 0; i <= COLLAPSED_FILES; i++) kept = withCollapsed(kept, `/ws/${i}.ts`, message(`/ws/${i}.ts`, 'g', [`p${i}`]));
    kept = withCollapsed(kept, '/ws/1.ts', message('/ws/1.ts', 'g', ['again']));
    const files = Object.keys(kept as object);
    assert.equal(files.length, COLLAPSED_FILES);
    assert.deepEqual([files[0], files.at(-1)], ['/ws/2.ts', '/ws/1.ts']);
    assert.equal(collapsedOfFile(kept, '/ws/0.ts'), undefined);
    assert.deepEqual(collapsedOfFile(kept, '/ws/1.ts'), { g: ['again'] });
  });
});
