// A long-lived host's rehearsal of its last question (core/rehearsal.ts): it runs the set number of
// times once questions pause, a question stops it (waiting or running, the run's signal aborted), and
// its configuration never reaches a model.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { REHEARSALS, Rehearsal, rehearsalConfig } from '../../extension/core/rehearsal';
import { runConfigOf } from '../../extension/core/config/runConfig';
import { DEFAULTS } from '../../extension/core/options';

describe('the rehearsal of the last question', () => {
  /** A run that keeps the thread busy for `ms` (a timer would be late by as much on a loaded machine). */
  const busyFor = (ms: number) => async () => {
    for (const until = performance.now() + ms; performance.now() < until;);
  };

  test('runs after the pause, and stops once a run was no faster than the one before', async () => {
    const rehearsal = new Rehearsal();
    const durations = [60, 30, 40, 40, 40];
    let ran = 0;
    rehearsal.remember(() => busyFor(durations[ran++]!)());
    const done = new Promise<number>((resolve) => rehearsal.schedule(10, (n) => resolve(n)));
    assert.equal(ran, 0, 'not before the pause');
    assert.equal(await done, 3, 'the third was no faster than the second');
    assert.equal(ran, 3);
    assert.ok(REHEARSALS.least >= 2);
    // once per question: the next pause rehearses nothing until another question is remembered
    await rehearsal.now();
    assert.equal(ran, 3);
  });

  test('runs at most REHEARSALS.most times while each run is faster', async () => {
    const rehearsal = new Rehearsal();
    const durations = [200, 150, 110, 80, 55, 40, 30];
    let ran = 0;
    rehearsal.remember(() => busyFor(durations[ran++]!)());
    const ms = await new Promise<number[]>((resolve) => void rehearsal.now((_, each) => resolve(each)));
    assert.equal(ms.length, REHEARSALS.most);
    assert.equal(ran, REHEARSALS.most);
  });

  test('a question stops it while it waits: nothing runs', async () => {
    const rehearsal = new Rehearsal();
    let ran = 0;
    rehearsal.remember(async () => void ran++);
    rehearsal.schedule(20);
    rehearsal.stop();
    await sleep(60);
    assert.equal(ran, 0);
  });

  test('a question stops it while it runs: its signal is aborted and no further run starts', async () => {
    const rehearsal = new Rehearsal();
    const signals: AbortSignal[] = [];
    let said: number | undefined;
    rehearsal.remember((signal) => {
      signals.push(signal);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    const running = rehearsal.now((n) => (said = n));
    rehearsal.stop();
    await running;
    assert.equal(signals.length, 1);
    assert.ok(signals[0]!.aborted);
    assert.equal(said, 0);
  });

  test('its configuration has no model and asks for no answer', () => {
    const config = runConfigOf({ ...DEFAULTS, baseUrl: 'http://127.0.0.1:9/v1', model: 'm', localModel: '/models/x.gguf' });
    assert.ok(config.server && config.answer);
    const rehearsed = rehearsalConfig(config);
    assert.equal(rehearsed.server, undefined);
    assert.equal(rehearsed.localModel, undefined);
    assert.equal(rehearsed.answer, false);
    assert.deepEqual({ ...rehearsed, server: config.server, localModel: config.localModel, answer: config.answer }, config, 'the rest as asked');
  });
});
