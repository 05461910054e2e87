// The warm index: what a long-lived host keeps between questions. A repeat question reads no
// unchanged file and ranks score for score as a cold run; an edit, an addition, a deletion and a
// rename are seen by the next question.
import assert from 'node:assert/strict';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import type { ProgressEvent } from '../../extension/core/types';
import { age, countingFs, ranking } from '../support/warmFiles';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { WarmIndex } from '../../extension/core/warmIndex';
import { NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

describe('the warm index', () => {
  let repo: ReturnType<typeof needleRepo>;
  before(() => {
    repo = needleRepo({ maxFiles: 300, depth: 0.4 });
    age(repo.root);
  });
  after(() => repo.dispose());
  const roots = () => [{ path: repo.root, name: 'repo' }];

  test('a repeat question reads no file and ranks exactly as a cold run; another question too', async () => {
    const index = new WarmIndex();
    const counting = countingFs();
    const first = await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: counting.fs, tokenizer, index });
    assert.equal(first.stats.filesRead, repo.files);
    assert.equal(first.stats.filesReused, 0);
    counting.reset();
    const again = await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: counting.fs, tokenizer, index });
    assert.deepEqual(counting.read, [], 'no file read again');
    assert.equal(again.stats.filesReused, repo.files);
    const cold = await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: nodeFileSystem, tokenizer });
    assert.deepEqual(ranking(again), ranking(cold));
    assert.deepEqual(ranking(first), ranking(cold));
    assert.equal(again.files[0]!.path, repo.needlePath);
    const other = 'How are request retries and timeouts configured?';
    const warmOther = await ask({ question: other, roots: roots() }, { fs: counting.fs, tokenizer, index });
    assert.deepEqual(counting.read, []);
    assert.deepEqual(ranking(warmOther), ranking(await ask({ question: other, roots: roots() }, { fs: nodeFileSystem, tokenizer })));
  });

  test("a first build says how far its words' analysis is, file by file; a warm question has nothing to analyse and says nothing of it", async () => {
    const index = new WarmIndex();
    const progress: { analysed: number; toAnalyse: number }[] = [];
    const onProgress = (e: ProgressEvent) => {
      if (e.stage === 'rank' && e.toAnalyse !== undefined) progress.push({ analysed: e.analysed!, toAnalyse: e.toAnalyse });
    };
    await ask({ question: NEEDLE_QUESTION, roots: roots(), onProgress }, { fs: nodeFileSystem, tokenizer, index });
    assert.ok(progress.length >= 2, `reported as it goes (${progress.length} reports)`);
    assert.ok(
      progress.every((p) => p.toAnalyse === repo.files),
      'out of every file',
    );
    assert.ok(
      progress.every((p, i) => i === 0 || p.analysed > progress[i - 1]!.analysed),
      'growing',
    );
    assert.equal(progress.at(-1)!.analysed, repo.files, 'the last report: all of them');
    progress.length = 0;
    await ask({ question: NEEDLE_QUESTION, roots: roots(), onProgress }, { fs: nodeFileSystem, tokenizer, index });
    assert.deepEqual(progress, []);
  });

  test('an edit, an added file, a deleted file and a rename are seen by the next question, and only they are read', async () => {
    const index = new WarmIndex();
    const counting = countingFs();
    await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: counting.fs, tokenizer, index });
    const [edited, deleted, renamed] = repo.paths.filter((p) => p !== repo.needlePath);
    writeFileSync(join(repo.root, edited!), '// The secret deployment codename of the billing service moved to the vault service.\n');
    writeFileSync(join(repo.root, 'added.ts'), 'export const billingServiceCodename = "secret deployment codename";\n');
    unlinkSync(join(repo.root, deleted!));
    renameSync(join(repo.root, renamed!), join(repo.root, `${renamed!}.renamed.ts`));
    counting.reset();
    const after = await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: counting.fs, tokenizer, index });
    const paths = after.files.map((f) => f.path);
    assert.ok(paths.includes('added.ts') && paths.includes(`${renamed}.renamed.ts`));
    assert.ok(!paths.includes(deleted!) && !paths.includes(renamed!));
    assert.deepEqual(
      counting.read.map((f) => f.slice(repo.root.length + 1)).sort(),
      [edited!, 'added.ts', `${renamed}.renamed.ts`].sort(),
      'only the changed files are read',
    );
    assert.deepEqual(ranking(after), ranking(await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: nodeFileSystem, tokenizer })));
    assert.ok(after.files.findIndex((f) => f.path === edited) < 10, 'the edit counts at once');
  });

  test('a file modified within the clock tick of its reading is read again (it could change unseen)', async () => {
    const index = new WarmIndex();
    const counting = countingFs();
    age(repo.root);
    const fresh = join(repo.root, 'fresh.ts');
    writeFileSync(fresh, 'export const fresh = 1;\n');
    await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: counting.fs, tokenizer, index });
    counting.reset();
    await ask({ question: NEEDLE_QUESTION, roots: roots() }, { fs: counting.fs, tokenizer, index });
    assert.deepEqual(counting.read, [fresh]);
  });
});
