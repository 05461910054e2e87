// What the status bar and the progress lines say about the index: counts as a person reads them,
// a time left only once a rate is known, and "updated ... ago" in words that fit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ago, describeProgress, indexedText, indexingText } from '../../extension/core/report/progressText';

describe('index status text', () => {
  test('"26,088 files indexed, updated 2 min ago", and the other spans of time', () => {
    const now = 1_800_000_000_000;
    assert.equal(indexedText(26_088, now - 2 * 60_000 - 5_000, now), '26,088 files indexed, updated 2 min ago');
    assert.equal(indexedText(1, now, now), '1 file indexed, updated just now');
    assert.equal(ago(42_000), '42 s ago');
    assert.equal(ago(3 * 3600_000 + 1), '3 h ago');
    assert.equal(ago(-5), 'just now', 'a clock that went back is not "in the future"');
  });

  test('"indexing 12,400 of 36,770 files, 14s left" once a rate is known', () => {
    assert.equal(indexingText(12_400, 36_770, 1_750), 'indexing 12,400 of 36,770 files, 14s left');
    assert.equal(indexingText(0, 36_770, 0), 'indexing 0 of 36,770 files');
  });

  test('the gathering line of a first build says how far, how fast and how long still; a warm one what it reused', () => {
    assert.equal(
      describeProgress({ stage: 'gather', files: 5000, skipped: 3, bytes: 1, read: 4000, toRead: 20000, filesPerSecond: 2000 }),
      'indexing: 4.0k of 20.0k files read · 2.0k files/s · ETA 8s',
    );
    assert.equal(
      describeProgress({ stage: 'gather', files: 26088, skipped: 977, bytes: 1, read: 1, toRead: 1, filesPerSecond: 0 }),
      'gathering: 26088 files, 977 skipped (1 file read, the rest unchanged)',
    );
  });

  test("the ranking line of a first build says how far the words' analysis is; once done, what was ranked", () => {
    assert.equal(
      describeProgress({ stage: 'rank', files: 26088, analysed: 12_800, toAnalyse: 26_088, filesPerSecond: 4000 }),
      'indexing words: 12.8k of 26.1k files · 4.0k files/s · ETA 4s',
    );
    assert.equal(describeProgress({ stage: 'rank', files: 26088, analysed: 26_088, toAnalyse: 26_088, filesPerSecond: 4000 }), 'ranked 26088 files');
    assert.equal(describeProgress({ stage: 'rank', files: 26088 }), 'ranked 26088 files');
  });
});
