import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Debouncer } from '../../src/extension/debounce.js';

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('Debouncer (the graph view redraw after edits)', () => {
  it('runs only the last task scheduled, once', async () => {
    const debouncer = new Debouncer(5);
    const ran: number[] = [];
    const done = new Promise<void>((resolveDone) => {
      debouncer.schedule(() => ran.push(1));
      debouncer.schedule(() => ran.push(2));
      debouncer.schedule(() => {
        ran.push(3);
        resolveDone();
      });
    });
    await done;
    assert.deepEqual(ran, [3]);
    assert.equal(debouncer.pending, false);
  });

  it('disposing drops the pending task and leaves no timer behind', () => {
    const before = timers();
    const debouncer = new Debouncer(60_000);
    debouncer.schedule(() => assert.fail('a disposed debouncer ran its task'));
    assert.equal(timers(), before + 1);
    debouncer.dispose();
    assert.equal(debouncer.pending, false);
    assert.equal(timers(), before);
  });
});
