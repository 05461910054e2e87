import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunQueue } from '../../extension/core/runQueue';

describe('RunQueue', () => {
  test('runs one at a time, in the order asked, each told how many are ahead', async () => {
    const queue = new RunQueue();
    const order: string[] = [];
    const waits: [string, number][] = [];
    let inside = 0;
    const job = (name: string) =>
      queue.run(
        name,
        async () => {
          inside++;
          assert.equal(inside, 1, 'one at a time');
          order.push(`${name} start`);
          await new Promise((r) => setImmediate(r));
          order.push(`${name} end`);
          inside--;
          return name;
        },
        { onWait: (ahead) => waits.push([name, ahead]) },
      );
    assert.deepEqual(await Promise.all([job('a'), job('b'), job('c')]), ['a', 'b', 'c']);
    assert.deepEqual(order, ['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    assert.deepEqual(waits, [
      ['b', 1],
      ['c', 2],
    ]);
    assert.equal(queue.running, undefined);
  });

  test('a call cancelled while it waits leaves at once; the ones behind it still wait their turn', async () => {
    const queue = new RunQueue();
    let releaseFirst!: () => void;
    const first = queue.run('first', () => new Promise<void>((r) => (releaseFirst = r)));
    const controller = new AbortController();
    const cancelled = queue.run('cancelled', async () => assert.fail('must not run'), { signal: controller.signal });
    let thirdStarted = false;
    const third = queue.run('third', async () => void (thirdStarted = true));
    controller.abort(new Error('gone'));
    await assert.rejects(cancelled, /gone/);
    await new Promise((r) => setImmediate(r));
    assert.equal(thirdStarted, false, 'the third waits for the first');
    assert.equal(queue.running?.label, 'first');
    releaseFirst();
    await Promise.all([first, third]);
    assert.equal(thirdStarted, true);
  });

  test('a run that fails lets the next one run', async () => {
    const queue = new RunQueue();
    const failing = queue.run('failing', async () => {
      throw new Error('boom');
    });
    const next = queue.run('next', async () => 'ran');
    await assert.rejects(failing, /boom/);
    assert.equal(await next, 'ran');
  });
});
