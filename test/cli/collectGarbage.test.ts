// When a long-lived process collects its garbage as questions pause: a collection also throws away
// the ranking's optimized code, so it is done only when the garbage is worth it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { worthCollecting } from '../../extension/cli/collectGarbage';

const MB = 2 ** 20;

test('a pause collects the first time, then only when the garbage passes 64 MB or a tenth of what is held', () => {
  assert.equal(worthCollecting(900 * MB, undefined), true, 'the first pause (after the cold question) collects');
  // a small index (26,000 files held 168 MB; a question left 11-24 MB): 64 MB decides
  assert.equal(worthCollecting(192 * MB, 168 * MB), false);
  assert.equal(worthCollecting(240 * MB, 168 * MB), true);
  // a large one: a tenth of what is held decides
  assert.equal(worthCollecting(769 * MB, 700 * MB), false, '69 MB: past 64 MB, not past a tenth of 700');
  assert.equal(worthCollecting(800 * MB, 700 * MB), true);
  // less used than held (V8 collected meanwhile): nothing to do
  assert.equal(worthCollecting(150 * MB, 168 * MB), false);
});
