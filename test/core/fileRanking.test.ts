import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { combineScores, modelFileScores, rankAllFiles } from '../../extension/core/lexical/fileRanking';
import type { FileEvidence } from '../../extension/core/lexical/lexicalRanking';
import { condenseQuestion } from '../../extension/core/lexical/question';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import type { Segment } from '../../extension/core/types';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

const seg = (index: number, fileIndices: number[]): Segment => ({
  index,
  tokens: 100,
  text: '',
  pieces: fileIndices.map((fileIndex) => ({ fileIndex, path: `f${fileIndex}`, start: 1, end: 10, tokens: 100 / fileIndices.length })),
});
const evidence = (score: number): FileEvidence => ({ score, kind: 'source', ranges: [{ start: 1, end: 5 }], mentioned: false });

describe('file ranking', () => {
  test('a shared segment gives its files no score; a file scored alone has its own; the parts of a big file add up', () => {
    const segments = [seg(0, [0, 1, 2]), seg(1, [3]), seg(2, [4]), seg(3, [4]), seg(4, [5])];
    const scores = [-0.5, -1.0, -1.2, -1.2, -1.15];
    const model = modelFileScores(segments, scores, new Map([[1, -0.9]]));
    assert.equal(model.has(0), false, 'shared and not scored alone: no model score');
    assert.equal(model.get(1), -0.9);
    assert.equal(model.get(3), -1.0);
    assert.ok(model.get(4)! > -1.2 && model.get(4)! > model.get(5)!, `two parts at -1.2 beat one at -1.15: ${model.get(4)}`);
  });

  test('fusion: the model lifts a file the lexical ranking missed; agreement wins; model mode puts model-scored files first', () => {
    const lexical = [evidence(9), evidence(8), evidence(0), evidence(7)];
    const model = new Map([
      [2, -0.5],
      [1, -0.6],
      [3, -2],
    ]);
    const fused = combineScores(lexical, model, 'fused');
    const order = fused
      .map((s, i) => [s, i])
      .sort((a, b) => b[0]! - a[0]!)
      .map(([, i]) => i);
    assert.equal(order[0], 1, 'second in both rankings');
    assert.ok(fused[2]! > 0, 'no lexical evidence, yet ranked by the model');
    const modelFirst = combineScores(lexical, model, 'model');
    const modelOrder = modelFirst
      .map((s, i) => [s, i])
      .sort((a, b) => b[0]! - a[0]!)
      .map(([, i]) => i);
    assert.deepEqual(modelOrder, [2, 1, 3, 0]);
    assert.deepEqual(combineScores(lexical, undefined), [9, 8, 0, 7], 'no model: the lexical scores');
  });

  test('every file is listed, most relevant first, with a relevance relative to the best, its kind and whether the answer reads it', () => {
    const files = ['a.py', 'b.py', 'c.md'].map((path) => ({ path, absPath: `/r/${path}`, text: '', bytes: 0 }));
    const lexical = [evidence(2), evidence(8), { ...evidence(4), kind: 'docs' as const }];
    const ranked = rankAllFiles({ files, lexical, scores: [2, 8, 4], keyContext: new Map([[1, [{ start: 3, end: 9 }]]]), pinned: new Set(['a.py']) });
    assert.deepEqual(
      ranked.map((f) => f.path),
      ['a.py', 'b.py', 'c.md'],
      'pinned first, then by score',
    );
    assert.equal(ranked[1]!.relevance, 1);
    assert.equal(ranked[2]!.relevance, 0.5);
    assert.equal(ranked[2]!.kind, 'docs');
    assert.deepEqual(ranked[1]!.ranges, [{ start: 3, end: 9 }], 'key-context lines where it is in the key context');
    assert.equal(ranked[1]!.inKeyContext, true);
    assert.equal(ranked[2]!.inKeyContext, false);
    assert.equal(ranked[0]!.pinned, true);
  });

  test('the order is a sort of every file by pinned, score, then place: files that score 0 (most) between those above and below, whatever the mix', () => {
    let x = 7;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 30; round++) {
      const n = 1 + Math.floor(next() * 60);
      const files = Array.from({ length: n }, (_, i) => ({ path: `f${i}.py`, absPath: `/r/f${i}.py`, text: '', bytes: 0 }));
      // zeros (and a -0), positives, negatives (a fused score with no rank), ties, a NaN now and then
      const scores = files.map(() => {
        const r = next();
        return r < 0.5 ? (r < 0.05 ? -0 : 0) : r < 0.7 ? Math.round(next() * 3) : r < 0.9 ? -next() : round % 10 === 9 && r > 0.98 ? NaN : next();
      });
      const pinned = new Set(files.filter(() => next() < 0.1).map((f) => f.path));
      const ranked = rankAllFiles({ files, lexical: scores.map(() => evidence(0)), scores, keyContext: new Map(), pinned });
      const isPinned = files.map((f) => (pinned.has(f.path) ? 1 : 0));
      const expected = files.map((_, i) => i).sort((a, b) => isPinned[b]! - isPinned[a]! || scores[b]! - scores[a]! || a - b);
      assert.deepEqual(
        ranked.map((f) => f.path),
        expected.map((i) => files[i]!.path),
        `round ${round}: ${JSON.stringify(scores)}`,
      );
    }
  });
});

describe('question condensing', () => {
  test('a question that fits is kept whole', () => {
    const c = condenseQuestion('Why does ccode(sinc(x)) fail?', 100, tokenizer, () => 1);
    assert.equal(c.text, 'Why does ccode(sinc(x)) fail?');
    assert.equal(c.tokens, c.originalTokens);
  });

  test('a long report keeps its title and the lines with the rarest words, in order, within the limit', () => {
    const noise = Array.from({ length: 300 }, (_, i) => `  at common frame line ${i} in the the the`).join('\n');
    const q = `Crash in lambdify with Piecewise\n${noise}\nValueError raised by lambdify_piecewise_printer\n${noise}`;
    const weight = (t: string) => (['lambdify', 'piecewise', 'printer', 'valueerror', 'raised'].includes(t) ? 8 : 0.1);
    const c = condenseQuestion(q, 200, tokenizer, weight);
    assert.ok(c.tokens <= 200, `${c.tokens}`);
    assert.ok(c.originalTokens > 1000);
    assert.ok(c.text.startsWith('Crash in lambdify with Piecewise\n'), 'the title first');
    assert.match(c.text, /ValueError raised by lambdify_piecewise_printer/);
    const frames = [...c.text.matchAll(/frame line (\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      frames,
      [...frames].sort((a, b) => a - b),
      'kept lines stay in their order',
    );
  });

  test('a pasted log: lines that repeat an earlier one but for their numbers are left out', () => {
    const log = Array.from({ length: 300 }, (_, i) => `08:${i % 60}:00 INFO worker[${i}] heartbeat ok queue=${i * 7}`);
    log.splice(150, 0, 'Why does the billing service lose its deployment codename?');
    const c = condenseQuestion(`Deploy log\n${log.join('\n')}`, 200, tokenizer, (t) => (['billing', 'codename', 'deployment'].includes(t) ? 9 : 1));
    assert.match(c.text, /billing service lose its deployment codename/);
    assert.ok((c.text.match(/heartbeat/g) ?? []).length <= 1, c.text);
  });

  test('one enormous line is cut to fit', () => {
    const c = condenseQuestion('x'.repeat(50_000), 300, tokenizer, () => 1);
    assert.ok(c.tokens <= 300 && c.tokens > 100, `${c.tokens}`);
  });
});
