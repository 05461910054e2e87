import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { bm25, bm25Prefilter, terms } from '../../extension/core/lexical/bm25';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { Bm25Scorer } from '../../extension/core/model/scorers/bm25Scorer';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { tempRepo } from '../support/tempRepo';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

describe('BM25', () => {
  test('terms split identifiers (camelCase, snake_case, digits) and keep the whole identifier', () => {
    assert.deepEqual(terms('parseHTTPResponse max_retry_count v2Api'), [
      'parse',
      'http',
      'response',
      'parsehttpresponse',
      'max',
      'retry',
      'count',
      'max_retry_count',
      'api',
      'v2api',
    ]);
  });

  test('rarer terms weigh more, repeated terms saturate, longer documents are penalised', () => {
    const docs = ['retry backoff retry', 'retry the request', 'the the the the', 'backoff', 'retry backoff ' + 'filler '.repeat(50)];
    const s = bm25(docs, 'retry backoff');
    assert.equal(s[2], 0, 'no shared term');
    assert.ok(s[0]! > s[1]!, 'both terms beat one');
    assert.ok(s[0]! > s[4]!, 'the same terms in a longer document score lower');
    assert.ok(bm25(docs, 'request')[1]! > bm25(docs, 'retry')[1]!, 'a rare term weighs more than a common one');
  });

  test('the pre-filter keeps the best fraction, in repository order', () => {
    const docs = ['a', 'cache eviction policy', 'b', 'cache', 'c'];
    assert.deepEqual(bm25Prefilter(docs, 'cache eviction', 0.4), [1, 3]);
    assert.deepEqual(bm25Prefilter(docs, 'cache eviction', 0), [1], 'at least one');
  });

  test('with no model: the needle file is ranked first by BM25, and no answer is made', async () => {
    const repo = needleRepo({ depth: 0.42 });
    try {
      const result = await ask(
        { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'r' }] },
        { fs: nodeFileSystem, tokenizer, scorer: new Bm25Scorer() },
      );
      assert.equal(result.files[0]!.path, repo.needlePath);
      assert.equal(result.answer, '');
      assert.equal(result.stats.requests, 0);
    } finally {
      repo.dispose();
    }
  });

  test('the pre-filter sends only the chosen share of segments to the scorer', async () => {
    const repo = tempRepo(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.ts`, `export const value${i} = ${i};\n`.repeat(60)])));
    try {
      const scorer = new Bm25Scorer();
      let sent = 0;
      const counting = {
        ...scorer,
        description: scorer.description,
        stats: scorer.stats,
        score: (r: Parameters<Bm25Scorer['score']>[0], q: string, o: Parameters<Bm25Scorer['score']>[2]) => ((sent += r.length), scorer.score(r, q, o)),
      };
      const result = await ask(
        { question: 'value7', roots: [{ path: repo.root, name: 'r' }], prefilter: 0.25, segment: { maxTokens: 256 }, refineTop: 0 },
        { fs: nodeFileSystem, tokenizer, scorer: counting },
      );
      assert.equal(result.stats.candidateSegments, Math.ceil(result.stats.segments * 0.25));
      assert.equal(sent, result.stats.candidateSegments);
      assert.equal(result.partial, undefined, 'segments left out by the pre-filter are not failures');
    } finally {
      repo.dispose();
    }
  });
});
