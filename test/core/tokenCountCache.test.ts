import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { Bm25Scorer } from '../../extension/core/model/scorers/bm25Scorer';
import { TokenCountCache } from '../../extension/core/tokens/tokenCountCache';
import { TiktokenTokenizer, tokenizeFile, type Tokenizer } from '../../extension/core/tokens/tokenizer';
import { needleRepo } from '../support/needleRepo';

const tiktoken = new TiktokenTokenizer();
after(() => tiktoken.dispose());

/** tiktoken, counting the text it is given (file runs, headers and the question alike). */
function countingTokenizer(): Tokenizer & { chars: number; texts: string[] } {
  return {
    name: tiktoken.name,
    chars: 0,
    texts: [],
    count(text: string) {
      this.chars += text.length;
      this.texts.push(text);
      return tiktoken.count(text);
    },
  };
}

describe('TokenCountCache', () => {
  test("a key context's ranges are counted as the whole file counts their lines, each run of lines once", () => {
    const text = Array.from({ length: 2000 }, (_, i) => `export const value${i} = compute(${i}, 'line ${i} of a long file');`).join('\n') + '\n';
    const file = { path: 'long.ts', absPath: '/repo/long.ts', text, bytes: text.length };
    const whole = tokenizeFile(file, tiktoken);
    const cache = new TokenCountCache();
    const counting = countingTokenizer();
    const same = (tf: { lineTokens: Uint32Array }, from: number, to: number) => {
      for (let line = from; line <= to; line++) assert.equal(tf.lineTokens[line - 1], whole.lineTokens[line - 1], `line ${line}`);
    };
    const part = cache.tokenizeRanges(file, counting, [{ start: 500, end: 560 }]);
    same(part, 500, 560);
    assert.equal(part.lineTokens.length, 2000);
    assert.ok(counting.chars < text.length / 10, `only the runs that hold the range are counted (${counting.chars} of ${text.length} characters)`);
    const chars = counting.chars;
    cache.tokenizeRanges(file, counting, [{ start: 520, end: 540 }]);
    assert.equal(counting.chars, chars, 'lines already counted are not counted again');
    const more = cache.tokenizeRanges(file, counting, [{ start: 1500, end: 1510 }]);
    same(more, 500, 560);
    same(more, 1500, 1510);
    assert.equal(cache.get(file, cache.hash(file)), undefined, 'counts of some lines are never handed out as the whole file');
    assert.deepEqual(cache.tokenize(file, tiktoken).lineTokens, whole.lineTokens);
    assert.deepEqual(cache.tokenizeRanges(file, counting, [{ start: 1, end: 5 }]).lineTokens, whole.lineTokens, 'and whole counts, once kept, serve any range');
  });

  test('a second question tokenizes only the files that changed, and ranks as a fresh run does', async () => {
    const repo = needleRepo({ maxFiles: 80, depth: 0.5 });
    try {
      const cache = new TokenCountCache();
      const question = 'What is the secret deployment codename of the billing service?';
      const run = (tokenizer: Tokenizer, withCache: boolean) =>
        ask(
          { question, roots: [{ path: repo.root, name: 'r' }] },
          { fs: nodeFileSystem, tokenizer, scorer: new Bm25Scorer(), ...(withCache ? { tokenCache: cache } : {}) },
        );

      const first = countingTokenizer();
      const a = await run(first, true);
      assert.equal(cache.size, a.stats.files);
      const second = countingTokenizer();
      const b = await run(second, true);
      assert.deepEqual(b.files, a.files);
      assert.equal(b.stats.tokens, a.stats.tokens);
      // what is still counted: segment headers and the question, not the files' texts
      assert.ok(second.chars < first.chars / 20, `second run counted ${second.chars} characters, the first ${first.chars}`);

      // one file changes, one disappears: the changed one is counted again, the gone one forgotten
      const changed = a.files[1]!.path;
      writeFileSync(join(repo.root, changed), 'export const replaced = "entirely new text about billing";\n');
      const gone = a.files[2]!.path;
      rmSync(join(repo.root, gone));
      const third = countingTokenizer();
      const c = await run(third, true);
      const fresh = await run(countingTokenizer(), false);
      assert.deepEqual(c.files, fresh.files);
      assert.equal(c.stats.tokens, fresh.stats.tokens);
      assert.equal(cache.size, fresh.stats.files);
      assert.ok(
        third.texts.some((t) => t.includes('entirely new text about billing')),
        'the changed file was counted',
      );
      assert.ok(third.chars < first.chars / 20, 'and only it');
    } finally {
      repo.dispose();
    }
  });
});
