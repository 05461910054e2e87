// What a long-lived host holds of the files between questions: their words, not their texts (a
// 100,000-file repository's texts are 400 MB in memory). A text asked for again (the key context,
// a definition listed) is read from disk if the file is unchanged since it was read, else not used.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FileCache, readTextIfUnchanged, type TextRereader } from '../../extension/core/files/fileCache';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { WarmIndex } from '../../extension/core/warmIndex';
import { age, ranking } from '../support/warmFiles';
import { NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());
/** An answer that is its key context's first line of each file: what the texts read again gave. */
const answerFrom = async (keyContext: string) =>
  keyContext
    .split('\n')
    .filter((l) => l.startsWith('--- '))
    .join('\n');

describe("a long-lived host's texts", () => {
  test('are let go once the words are made, read again when shown or sent, and the same run results as with every text kept', async () => {
    const repo = needleRepo({ maxFiles: 200, depth: 0.4 });
    try {
      age(repo.root);
      const reread: string[] = [];
      const counting: TextRereader = (location, read) => (reread.push(location), readTextIfUnchanged(location, read));
      const lean = new WarmIndex(new FileCache(counting));
      const keeping = new WarmIndex();
      const roots = [{ path: repo.root, name: 'repo' }];
      for (const question of [NEEDLE_QUESTION, 'How are request retries and timeouts configured?', NEEDLE_QUESTION]) {
        reread.length = 0;
        // an answer is written (from the key context, the texts read again)
        const a = await ask({ question, roots }, { fs: nodeFileSystem, tokenizer, index: lean, answerer: answerFrom });
        const b = await ask({ question, roots }, { fs: nodeFileSystem, tokenizer, index: keeping, answerer: answerFrom });
        assert.deepEqual(ranking(a), ranking(b));
        assert.equal(a.keyContext, b.keyContext);
        assert.ok(a.keyContext.length > 0);
        assert.equal(a.answer, b.answer);
        // only the files the key context read were read again, not every file
        assert.ok(reread.length > 0 && reread.length < repo.files / 4, `${reread.length} of ${repo.files} read again`);
      }
      // a file changed since it was read: its text is not used (the next question reads it afresh)
      const [location, entry] = [...lean.files.all()].find(([, e]) => e.file !== undefined)!;
      const before = entry.file!.text;
      assert.ok(before.length > 0);
      lean.files.letGoOfTexts();
      appendFileSync(location, '\nchanged after it was read\n');
      assert.equal(entry.file!.text, '');
      const next = await ask({ question: NEEDLE_QUESTION, roots }, { fs: nodeFileSystem, tokenizer, index: lean });
      assert.equal(next.stats.filesRead, 1);
    } finally {
      repo.dispose();
    }
  });

  test('are not kept by the words found in them (a long word is a piece of its text, which V8 keeps whole)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const root = mkdtempSync(join(tmpdir(), 'xl3m-held-'));
    try {
      // 60 files of 500 KB: words of 13 letters or more, shared and each file's own
      mkdirSync(join(root, 'src'));
      const files = 60;
      for (let f = 0; f < files; f++) {
        const lines: string[] = [];
        for (let l = 0, bytes = 0; bytes < 500_000 - 100; l++) {
          lines.push(`  const ownIdentifierOfFile${f}Line${l % 20} = sharedDescriptiveIdentifier${l % 50}(otherSharedArgument${l % 7});`);
          bytes += lines.at(-1)!.length + 1;
        }
        writeFileSync(join(root, 'src', `part${f}.ts`), lines.join('\n'));
      }
      age(root);
      const textBytes = files * 500_000;
      const index = new WarmIndex(new FileCache(readTextIfUnchanged));
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      await ask({ question: 'Where is ownIdentifierOfFile7Line3 used?', roots: [{ path: root, name: 'r' }] }, { fs: nodeFileSystem, tokenizer, index });
      gc();
      const grown = process.memoryUsage().heapUsed - heapBefore;
      // what stays: the words (typed arrays, outside the heap), the vocabulary, and the few texts the key context read again
      assert.ok(grown < textBytes / 3, `the heap grew by ${(grown / 1e6).toFixed(1)} MB over ${textBytes / 1e6} MB of text`);
      assert.ok([...index.files.all()].length === files);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
