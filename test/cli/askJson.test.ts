// `xl3m ask --json` is written in pieces (a server's caller writes the first files while the rest
// are made): what is written must be, byte for byte, the JSON of the contract (`toJson`).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toJson, writeJson } from '../../extension/cli/ask';
import type { AskResult } from '../../extension/core/pipeline';
import type { RankedFile } from '../../extension/core/types';

function written(result: AskResult): string[] {
  const pieces: string[] = [];
  writeJson(result, { write: (text: string) => pieces.push(text) } as unknown as NodeJS.WritableStream);
  return pieces;
}

function file(i: number): RankedFile {
  const f: RankedFile = {
    path: `src/${i % 7 === 0 ? 'odd "quoted" \\ ü\u2028' : 'a'}/file${i}.ts`,
    location: `/repo/src/file${i}.ts`,
    score: i % 5 === 0 ? 0 : 1 / (i + 1),
    relevance: 1 / (i + 3),
    kind: i % 3 === 0 ? 'test' : 'source',
    ranges: i % 4 === 0 ? [] : [{ start: i, end: i + 10 }],
    inKeyContext: i % 11 === 0,
  };
  if (i % 13 === 0) f.modelScore = -(i + 1) / 7;
  if (i % 17 === 0) f.mentioned = true;
  if (i % 19 === 0) f.pinned = true;
  if (i % 23 === 0) f.definitions = [{ name: `f${i}`, kind: 'function', line: i }];
  return f;
}

const result = (files: RankedFile[], extra: Partial<AskResult> = {}): AskResult =>
  ({
    question: 'q',
    files,
    answer: 'See `src/a/file1.ts:1`.',
    skipped: [{ path: '.env', reason: 'secret' }],
    notes: [],
    keyContext: '',
    stats: { files: files.length, totalSeconds: 0.25 },
    ...extra,
  }) as unknown as AskResult;

describe('the JSON written in pieces', () => {
  test('is the JSON of the contract, for many files, none, a partial run with notes', () => {
    for (const r of [
      result(Array.from({ length: 4500 }, (_, i) => file(i))),
      result([]),
      result([file(1)], { partial: '2 segments failed', notes: ['the question was condensed'] }),
    ]) {
      const text = written(r).join('');
      assert.equal(text, JSON.stringify(toJson(r)) + '\n');
      assert.deepEqual(JSON.parse(text), toJson(r));
    }
  });

  test('no piece holds more than a few thousand files', () => {
    const pieces = written(result(Array.from({ length: 4500 }, (_, i) => file(i))));
    assert.ok(pieces.length >= 4, `${pieces.length} pieces`);
    assert.ok(Math.max(...pieces.map((p) => p.length)) < 500_000);
  });
});
