import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { segment } from '../../extension/core/xl3m/segment';
import { answerBudget, mergeRanges, rankSegments, selectKeyContext, selectLexicalContext } from '../../extension/core/xl3m/select';
import { TiktokenTokenizer, tokenizeFile } from '../../extension/core/tokens/tokenizer';
import { TokenCountCache } from '../../extension/core/tokens/tokenCountCache';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());
const body = (name: string, n: number) => Array.from({ length: n }, (_, i) => `const ${name}${i} = ${i}; // ${name} line ${i}`).join('\n') + '\n';
const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts'].map((path, i) =>
  tokenizeFile({ path, absPath: `/r/${path}`, text: body(path[0]!, 30 + i * 10), bytes: 0 }, tokenizer),
);
const segments = segment(files, tokenizer, { maxTokens: 256, overlapTokens: 20 });

describe('select', () => {
  test('budget = window - question - answer reserve - overhead - 5% margin', () => {
    assert.equal(answerBudget({ contextWindow: 10000, questionTokens: 100, answerReserve: 1000, overhead: 200 }), 10000 - 100 - 1000 - 200 - 500);
    assert.equal(answerBudget({ contextWindow: 1000, questionTokens: 900, answerReserve: 1000 }), 0);
  });

  test('takes the best segments that fit the budget and lays them out in repository order', () => {
    assert.ok(segments.length >= 6, `${segments.length} segments`);
    const scores = segments.map((_, i) => -i); // earlier = better
    scores[segments.length - 1] = 10; // the last segment is the best
    const budget = segments[segments.length - 1]!.tokens + segments[0]!.tokens + 5;
    const ctx = selectKeyContext(files, segments, scores, { budget, tokenizer });
    assert.deepEqual(ctx.segments, [segments.length - 1, 0]);
    assert.ok(ctx.tokens <= budget);
    const measured = tokenizer.count(ctx.text);
    assert.ok(measured <= budget * 1.02, `measured on the text itself: ${measured} > ${budget}`);
    const headers = [...ctx.text.matchAll(/^--- (.+):(\d+)-(\d+) ---$/gm)].map((m) => m[1]);
    assert.deepEqual(headers, [...headers].sort(), 'repository order');
  });

  test('merges the overlap of consecutive segments so no line is sent twice', () => {
    const scores = segments.map(() => 1);
    const ctx = selectKeyContext(files, segments, scores, { budget: 1e9, tokenizer });
    assert.equal(ctx.segments.length, segments.length);
    for (const [i, f] of files.entries()) assert.deepEqual(ctx.ranges.get(i), [{ start: 1, end: f.lines.length }]);
  });

  test('pinned files are always in, even when they score worst; unscored segments are never chosen', () => {
    const scores: (number | undefined)[] = segments.map((_, i) => (i === 0 ? undefined : i));
    const pinned = new Set(['a.ts']);
    const ctx = selectKeyContext(files, segments, scores, { budget: files[0]!.tokens + 300, pinned, tokenizer });
    assert.deepEqual(ctx.ranges.get(0), [{ start: 1, end: files[0]!.lines.length }]);
    assert.ok(!ctx.segments.includes(0));
  });

  test('without a model: the best lines of the best files until the budget is full, pinned files whole and first, repository order', () => {
    const sources = files.map((f) => f.file);
    const evidence = files.map(() => ({ ranges: [{ start: 5, end: 12 }] }));
    const scores = [0, 1, 3, 2]; // c.ts best, then d.ts, then b.ts; a.ts matched nothing
    const budget = 2 * (files[2]!.lineTokens.subarray(4, 12).reduce((a, b) => a + b, 0) + 20);
    const ctx = selectLexicalContext(sources, evidence, scores, { budget, tokenizer });
    assert.deepEqual([...ctx.ranges.keys()], [2, 3], 'the two best files that fit, in repository order');
    assert.deepEqual(ctx.ranges.get(2), [{ start: 5, end: 12 }]);
    assert.ok(ctx.tokens <= budget);
    assert.ok(tokenizer.count(ctx.text) <= budget * 1.02);
    assert.match(ctx.text, /^--- c\.ts:5-12 ---\n/);
    const pinned = selectLexicalContext(sources, evidence, scores, { budget: 1e6, tokenizer, pinned: new Set(['a.ts']) });
    assert.deepEqual(pinned.ranges.get(0), [{ start: 1, end: files[0]!.lines.length }], 'a pinned file is in whole, however it scored');
  });

  test('without a model: a file whose text is gone (changed since it was ranked: a long-lived host reads texts again) is passed over', () => {
    const sources = files.map((f, i) => (i === 2 ? { ...f.file, text: '' } : f.file));
    const evidence = files.map(() => ({ ranges: [{ start: 5, end: 12 }] }));
    const ctx = selectLexicalContext(sources, evidence, [0, 1, 3, 2], { budget: 1e6, tokenizer });
    assert.deepEqual([...ctx.ranges.keys()], [1, 3], 'c.ts, the best, has nothing to show');
    assert.doesNotMatch(ctx.text, /c\.ts/);
  });

  test('a long-lived host tokenizes a file for the key context once while its text is unchanged', () => {
    const sources = files.map((f) => ({ ...f.file }));
    const evidence = files.map(() => ({ ranges: [{ start: 5, end: 12 }] }));
    const scores = [0, 1, 3, 2];
    let counted = 0;
    const counting = { name: tokenizer.name, count: (text: string) => (counted++, tokenizer.count(text)) };
    const cache = new TokenCountCache();
    const first = selectLexicalContext(sources, evidence, scores, { budget: 1e6, tokenizer: counting, tokenCache: cache });
    const firstCounts = counted;
    const again = selectLexicalContext(sources, evidence, scores, { budget: 1e6, tokenizer: counting, tokenCache: cache });
    assert.deepEqual(again, first, 'the same context from the kept counts');
    assert.equal(counted - firstCounts, 3, "only the pieces' headers counted again, no file");
    assert.deepEqual(selectLexicalContext(sources, evidence, scores, { budget: 1e6, tokenizer }), first, 'the same as with nothing kept');
    sources[2] = { ...sources[2]!, text: sources[2]!.text.replace('c0', 'a longer name for c0') };
    const before = counted;
    const edited = selectLexicalContext(sources, evidence, scores, { budget: 1e6, tokenizer: counting, tokenCache: cache });
    assert.ok(counted - before > 3, 'an edited file is tokenized again');
    assert.deepEqual(edited, selectLexicalContext(sources, evidence, scores, { budget: 1e6, tokenizer }));
  });

  test('rankSegments and mergeRanges', () => {
    assert.deepEqual(rankSegments([1, undefined, 3, NaN, 3]), [2, 4, 0]);
    assert.deepEqual(
      mergeRanges([
        { start: 10, end: 20 },
        { start: 1, end: 5 },
        { start: 6, end: 8 },
        { start: 15, end: 30 },
      ]),
      [
        { start: 1, end: 8 },
        { start: 10, end: 30 },
      ],
    );
  });
});
