// The content's postings (lexical/postings.ts), kept by a host that answers many questions: the
// ranking is exactly the one a pass over every file's words makes (same files, scores, ranges),
// question after question while files are edited, added and deleted, and for files the postings
// cannot hold; the segments are built again as their files go, and stay few.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { countQuestionTerms, DEFAULT_LEXICAL_PARAMS, rankFilesLexically, type LexicalParams } from '../../extension/core/lexical/lexicalRanking';
import { ContentPostings } from '../../extension/core/lexical/postings';
import { LexicalIndex, type LexicalFile } from '../../extension/core/lexical/wordIndex';

/** Declared names from line patterns here (syntax trees are structure.test.ts's): the words are what is compared. */
const PARAMS: LexicalParams = { ...DEFAULT_LEXICAL_PARAMS, structure: false };

/** The ranking as a comparable value: every file's score, kind and ranges, in the files' order. */
function ranking(files: readonly LexicalFile[], question: string, index: LexicalIndex, params = PARAMS) {
  return rankFilesLexically(files, question, params, undefined, index).files.map((e, i) => [files[i]!.path, e.score, e.kind, e.ranges, e.mentioned]);
}

/** What `index` ranks and a new index (no postings, every file's words) ranks are the same, and something matched. */
function assertSame(files: readonly LexicalFile[], question: string, index: LexicalIndex, params?: LexicalParams) {
  const kept = ranking(files, question, index, params);
  const plain = ranking(files, question, new LexicalIndex(undefined, { structure: false }), params);
  assert.deepEqual(kept, plain, question);
  assert.ok(
    kept.some(([, score]) => (score as number) > 0),
    `nothing matched "${question}"`,
  );
}

const QUESTIONS = [
  'Where are the callbacks registered, and how is a callback called?',
  'parse_config raises ValueError: the setting is missing',
  'TypeError: Cannot read properties of undefined (reading "render")\n    at mountComponent (src/render/mount.ts:52:10)',
  'how does the cache evict entries',
];

/** A repository of `n` small files in a few folders, words shared among them, some by stem alone. */
function repository(n: number, seed = 1): LexicalFile[] {
  const words = [
    'callback',
    'callbacks',
    'registered',
    'register',
    'parse_config',
    'ValueError',
    'setting',
    'cache',
    'evict',
    'entries',
    'render',
    'mountComponent',
    'the',
  ];
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
  const files = Array.from({ length: n }, (_, i) => {
    const lines = Array.from(
      { length: 20 + (next() % 150) },
      (_, l) => `line ${l} ${words[next() % words.length]} ${words[next() % words.length]} value_${next() % 50}`,
    );
    return { path: `src/${['render', 'cache', 'config', 'util'][i % 4]}/file${i}.ts`, text: lines.join('\n') };
  });
  // the file that raises the error one question quotes, and one that holds its words out of order
  files.push({ path: 'src/render/errors.ts', text: 'if (!target) throw new TypeError(`Cannot read properties of undefined (reading "${key}")`)' });
  files.push({ path: 'src/render/words.ts', text: 'undefined properties; read of reading: cannot render' });
  return files;
}

describe('postings', () => {
  test("rank as every file's words do, question after question, while files are edited, added and deleted", () => {
    const index = new LexicalIndex(undefined, { structure: false });
    index.keepPostings();
    let files = repository(300);
    for (const q of QUESTIONS) assertSame(files, q, index);
    assert.equal(index.postingsFor(PARAMS.chunkLines)!.shape.files, files.length, 'the questions were counted from the postings');
    const raises = countQuestionTerms(files, QUESTIONS[2]!, PARAMS, undefined, index).raises;
    assert.ok(raises[files.findIndex((f) => f.path === 'src/render/errors.ts')]! > 0.5, 'the raiser is found');
    assert.equal(raises[files.findIndex((f) => f.path === 'src/render/words.ts')], 0);
    // an edit (a new file object: the host's for a changed file), an added file and a deleted one
    files = files.map((f, i) => (i === 7 ? { path: f.path, text: f.text + '\nthe callback is registered here, twice: callback' } : f));
    files = [...files.slice(0, 100), ...files.slice(101), { path: 'src/new/evict.ts', text: 'export function evict(cache) { return cache.entries }' }];
    for (const q of QUESTIONS) assertSame(files, q, index);
    // a branch switch: a third of the files rewritten, others gone
    files = files.filter((_, i) => i % 5 !== 0).map((f, i) => (i % 3 === 0 ? { path: f.path, text: `${f.text}\nrender the cache entries` } : f));
    for (const q of QUESTIONS) assertSame(files, q, index);
  });

  test('a file held twice, a word past 65,535 times in a chunk and a chunk past 65,535 are counted from the words, the same', () => {
    const index = new LexicalIndex(undefined, { structure: false });
    index.keepPostings();
    const shared = { path: 'src/twice.ts', text: 'the callback registered\n'.repeat(90) };
    const files = [
      ...repository(40),
      shared,
      { path: 'src/many.ts', text: 'callback '.repeat(70_000) },
      // 65,537 chunks of 60 lines: the last chunk's number does not fit 16 bits
      { path: 'src/long.txt', text: '\n'.repeat(60 * 65_537) + 'the callback at the end' },
      shared,
    ];
    for (const q of QUESTIONS) assertSame(files, q, index);
  });

  test("chunks of another size (a measurement's parameters) are counted with postings of that size", () => {
    const index = new LexicalIndex(undefined, { structure: false });
    index.keepPostings();
    const files = repository(120);
    assertSame(files, QUESTIONS[0]!, index);
    assertSame(files, QUESTIONS[0]!, index, { ...PARAMS, chunkLines: 25 });
    assertSame(files, QUESTIONS[1]!, index);
  });

  test("a real repository (this project's sources) ranks the same, first question and the next", () => {
    const root = join(__dirname, '../../extension');
    const files: LexicalFile[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else files.push({ path: relative(root, full), text: readFileSync(full, 'utf8') });
      }
    };
    walk(root);
    assert.ok(files.length > 50);
    const index = new LexicalIndex(undefined, { structure: false });
    index.keepPostings();
    for (const q of [...QUESTIONS, 'where is the warm index written to disk', 'how are segments compacted in the postings']) assertSame(files, q, index);
  });

  test('segments: as many as the files need, built again as their files go, few after many edits', () => {
    const index = new LexicalIndex(undefined, { structure: false });
    const postings = new ContentPostings(60);
    let files = repository(200).map((f) => index.wordsOf(f));
    const update = () => {
      for (const step of postings.update(files, index.vocabulary.size)) void step;
    };
    update();
    assert.equal(postings.shape.files, 202);
    assert.equal(postings.shape.segments, 1);
    // forty questions, each after one file's edit: a segment each, merged as they pile up
    for (let k = 0; k < 40; k++) {
      files = files.map((fw, i) => (i === k ? index.wordsOf({ path: `edit${k}.ts`, text: `callback ${k}` }) : fw));
      update();
      assert.ok(postings.shape.segments <= 10, `${postings.shape.segments} segments after ${k + 1} edits`);
    }
    // the segment mostly of files gone is built again from those still there
    files = files.slice(150);
    update();
    assert.equal(postings.shape.files, 52);
  });
});
