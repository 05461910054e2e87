// The warm index on disk (store/): a new process starts from what an earlier one wrote, reads only
// the files that changed, and ranks exactly as a cold run; a damaged, cut-short, foreign or unwritable
// cache, or one that would lie inside the repository, costs a cold run and a note, never a wrong
// ranking; a skipped file (a secret) leaves nothing in it.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { nodeFileSystem, type FileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { cacheFolder } from '../../extension/core/store/cacheFolder';
import { clearCache, listCache, trimCache } from '../../extension/core/store/cacheContents';
import { DiskIndex } from '../../extension/core/store/diskIndex';
import { Vocabulary } from '../../extension/core/lexical/wordIndex';
import { terms } from '../../extension/core/lexical/bm25';
import { stem } from '../../extension/core/lexical/stem';
import { runSummary } from '../../extension/core/report/runSummary';
import { age, countingFs, listingFs, ranking } from '../support/warmFiles';
import { decodeHeader, INDEX_FORMAT } from '../../extension/core/store/indexFile';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

const QUESTIONS = ['Where is the warm index written to disk, and how is a damaged file detected?', 'How are line ranges of a file chosen?'];
const SECRET_WORD = 'zqxvault7731';
const PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${SECRET_WORD}${'A'.repeat(200)}\n-----END RSA PRIVATE KEY-----\n`;

/** These files' and folders' modification times an hour back, the rest left as they are (age() would change every file's, and so have every file read again). */
function backdate(...paths: string[]) {
  const past = new Date(Date.now() - 3600_000);
  for (const p of paths) utimesSync(p, past, past);
}

describe('the warm index on disk', () => {
  let repo: string;
  let cache: string;
  const roots = () => [{ path: repo, name: 'repo' }];
  const options = () => ({ folder: cache, maxBytes: 512 * 2 ** 20 });
  /** One question as a new process asks it: the index read from disk, written back after. */
  const askFresh = async (question: string, fs: FileSystem = nodeFileSystem) => {
    const disk = await DiskIndex.of([repo], options());
    const index = await disk.load();
    const result = await ask({ question, roots: roots() }, { fs, tokenizer, index });
    return { result, saved: await disk.save(), disk };
  };
  const cold = (question: string) => ask({ question, roots: roots() }, { fs: nodeFileSystem, tokenizer });
  /** A new process's question from the index on disk, which reads no file but the one skipped for its content (nothing of it is kept, so it is read each time). */
  const askWarm = async (question: string) => {
    const counting = countingFs();
    const asked = await askFresh(question, counting.fs);
    assert.equal(asked.result.stats.index, 'disk');
    assert.deepEqual(
      counting.read.map((f) => f.slice(repo.length + 1)),
      ['deploy-notes.txt'],
      'only the file skipped for its content is read',
    );
    return asked;
  };

  before(() => {
    // a real repository: this project's own sources, with a secret by name and one by content
    repo = mkdtempSync(join(tmpdir(), 'xl3m-disk-repo-'));
    cpSync(join(__dirname, '../../extension'), join(repo, 'extension'), { recursive: true });
    writeFileSync(join(repo, '.env'), `TOKEN=${SECRET_WORD}\n`);
    writeFileSync(join(repo, 'deploy-notes.txt'), `how the warm index is deployed\n${PRIVATE_KEY}`);
    age(repo);
  });
  after(() => rmSync(repo, { recursive: true, force: true }));
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'xl3m-disk-cache-'));
  });

  test('a new process reads no unchanged file and ranks exactly as a cold run', async () => {
    const first = await askFresh(QUESTIONS[0]!);
    assert.equal(first.result.stats.index, 'new');
    assert.equal(first.saved, undefined, 'written without a note');
    assert.equal(readdirSync(cache).filter((n) => n.endsWith('.index')).length, 1);
    assert.equal(statSync(cache).mode & 0o777, 0o700, 'the folder is private to the user');
    assert.equal(statSync(first.disk.location).mode & 0o777, 0o600);

    for (const question of QUESTIONS) {
      const { result, saved } = await askWarm(question);
      assert.equal(saved, undefined);
      assert.match(runSummary(result.stats), new RegExp(`\\(1 read, ${result.stats.files} unchanged since the index on disk, in \\d+\\.\\d s\\)`));
      assert.deepEqual(ranking(result), ranking(await cold(question)), question);
      assert.ok(result.files[0]!.path.startsWith('extension/'));
    }
  });

  test('a new process lists again only the folders not kept on disk: the one that holds the skipped files', async () => {
    await askFresh(QUESTIONS[0]!);
    const listing = listingFs();
    const { result } = await askFresh(QUESTIONS[1]!, listing.fs);
    assert.deepEqual(listing.listed, [repo], 'every folder under extension/ replayed from the index');
    assert.deepEqual(ranking(result), ranking(await cold(QUESTIONS[1]!)));
    assert.deepEqual(
      result.skipped.map((s) => s.path),
      (await cold(QUESTIONS[1]!)).skipped.map((s) => s.path),
    );
  });

  test('an edit, an addition, a deletion and a rename are seen by the next process', async () => {
    await askFresh(QUESTIONS[0]!);
    const target = join(repo, 'extension/core/store/notes.ts');
    writeFileSync(target, '// where the warm index is written to disk: a damaged file is detected by its checksum\nexport const damagedIndex = 1;\n');
    writeFileSync(
      join(repo, 'extension/core/files/fileKind.ts'),
      readFileSync(join(repo, 'extension/core/files/fileKind.ts'), 'utf8') + '\n// warm index disk\n',
    );
    unlinkSync(join(repo, 'extension/core/store/cacheFolder.ts'));
    renameSync(join(repo, 'extension/core/store/indexFile.ts'), join(repo, 'extension/core/store/renamedIndexFile.ts'));
    try {
      const { result } = await askFresh(QUESTIONS[0]!);
      assert.equal(result.stats.index, 'disk');
      const paths = result.files.map((f) => f.path);
      assert.ok(paths.includes('extension/core/store/notes.ts'));
      assert.ok(paths.includes('extension/core/store/renamedIndexFile.ts'));
      assert.ok(!paths.includes('extension/core/store/indexFile.ts') && !paths.includes('extension/core/store/cacheFolder.ts'));
      assert.deepEqual(ranking(result), ranking(await cold(QUESTIONS[0]!)));
    } finally {
      rmSync(repo, { recursive: true, force: true });
      cpSync(join(__dirname, '../../extension'), join(repo, 'extension'), { recursive: true });
      writeFileSync(join(repo, '.env'), `TOKEN=${SECRET_WORD}\n`);
      writeFileSync(join(repo, 'deploy-notes.txt'), `how the warm index is deployed\n${PRIVATE_KEY}`);
      age(repo);
    }
  });

  test('a skipped file leaves nothing in the cache: neither a secret by name nor one by content', async () => {
    await askFresh(QUESTIONS[0]!);
    const bytes = readFileSync(
      readdirSync(cache)
        .map((n) => join(cache, n))
        .find((f) => f.endsWith('.index'))!,
    );
    assert.ok(bytes.includes('warm'), 'the words of the files read are there');
    assert.ok(!bytes.includes(SECRET_WORD), 'no word of a secret');
    assert.ok(!bytes.includes('deploy-notes.txt') && !bytes.includes('.env'), 'not even their names');
  });

  test('a first build cancelled while it reads keeps what it read: the next process reads only the rest, ranks as a cold run, and nothing of a skipped file is kept', async () => {
    // a secret by content in a folder that holds nothing else left out: its name is in that folder's listing
    const secretByContent = join(repo, 'extension/core/store/deploy-keys.txt');
    writeFileSync(secretByContent, PRIVATE_KEY);
    age(repo);
    try {
      // the cancel lands when half the files are read (counted as they are read, not timed)
      const total = (await cold(QUESTIONS[0]!)).stats.files;
      const controller = new AbortController();
      const half = Math.floor(total / 2);
      let reads = 0;
      const cancelling: FileSystem = {
        ...nodeFileSystem,
        readFile: async (f) => {
          const data = await nodeFileSystem.readFile(f);
          if (++reads === half) controller.abort(new Error('cancelled'));
          return data;
        },
      };
      const disk = await DiskIndex.of([repo], options());
      const index = await disk.load();
      await assert.rejects(ask({ question: QUESTIONS[0]!, roots: roots(), signal: controller.signal }, { fs: cancelling, tokenizer, index }));
      assert.equal(await disk.save(), undefined, 'what was read is written without a note');
      const bytes = readFileSync(disk.location);
      assert.ok(!bytes.includes('BEGIN RSA') && !bytes.includes('deploy-keys.txt'), 'nothing of a skipped file, not even its name');

      const counting = countingFs();
      const next = await askFresh(QUESTIONS[0]!, counting.fs);
      assert.equal(next.result.stats.index, 'disk');
      assert.ok(next.result.stats.filesReused >= half - 40, `the files read before the cancel are reused (${next.result.stats.filesReused} of ${half} or so)`);
      assert.ok(counting.read.length <= total - half + 40, `only the rest is read (${counting.read.length} of ${total})`);
      assert.deepEqual(ranking(next.result), ranking(await cold(QUESTIONS[0]!)));
    } finally {
      rmSync(secretByContent, { force: true });
    }
  });

  test('after a few changes the next process appends them to the index as a journal record, and the one after reads it back: no unchanged file read, the ranking of a cold run', async () => {
    const header = (file: string) => decodeHeader(readFileSync(file)).header;
    const first = await askFresh(QUESTIONS[0]!);
    const whole = { header: header(first.disk.location), bytes: statSync(first.disk.location).size };
    const folder = join(repo, 'extension/core/journaled');
    const added = join(folder, 'zebrafinch.ts');
    const edited = join(repo, 'extension/core/files/fileKind.ts');
    const original = readFileSync(edited, 'utf8');
    try {
      // a new folder, a new file with a word the vocabulary has never met, an edited file
      mkdirSync(folder);
      writeFileSync(added, '// where the warm index keeps its zebrafinchjournal on disk\nexport const zebrafinchJournal = 1;\n');
      writeFileSync(edited, `${original}\n// warm index disk journal\n`);
      backdate(folder, added, edited, join(repo, 'extension/core'));
      const second = await askFresh(QUESTIONS[0]!);
      assert.equal(second.saved, undefined);
      assert.deepEqual(header(second.disk.location), whole.header, 'the whole index is not written again');
      const grown = statSync(second.disk.location).size - whole.bytes;
      assert.ok(grown > 0 && grown < 64 * 1024, `a record of the changes appended (${grown} bytes)`);
      // the new file deleted again: a second record
      rmSync(folder, { recursive: true });
      backdate(join(repo, 'extension/core'));
      const third = await askFresh(QUESTIONS[1]!);
      assert.deepEqual(header(third.disk.location), whole.header);
      assert.ok(statSync(third.disk.location).size > whole.bytes + grown);
      mkdirSync(folder);
      writeFileSync(added, '// where the warm index keeps its zebrafinchjournal on disk\nexport const zebrafinchJournal = 1;\n');
      backdate(folder, added, join(repo, 'extension/core'));
      await askFresh(QUESTIONS[1]!);

      for (const question of [...QUESTIONS, 'Where is zebrafinchJournal defined?']) {
        const { result, saved } = await askWarm(question);
        assert.equal(saved, undefined);
        assert.deepEqual(ranking(result), ranking(await cold(question)), question);
      }
      assert.equal((await askFresh('Where is zebrafinchJournal defined?')).result.files[0]!.path, 'extension/core/journaled/zebrafinch.ts');
    } finally {
      rmSync(folder, { recursive: true, force: true });
      writeFileSync(edited, original);
      age(repo);
    }
  });

  test('a journal record cut short (a process killed while appending) is detected: a note, the files after it read again, the ranking of a cold run, the index written whole', async () => {
    const first = await askFresh(QUESTIONS[0]!);
    const wholeBytes = statSync(first.disk.location).size;
    const added = join(repo, 'extension/core/store/journalCut.ts');
    try {
      writeFileSync(added, '// the journal of the warm index, cut short\nexport const cut = 1;\n');
      backdate(added, join(repo, 'extension/core/store'));
      await askFresh(QUESTIONS[0]!);
      const grown = readFileSync(first.disk.location);
      assert.ok(grown.length > wholeBytes);
      writeFileSync(first.disk.location, grown.subarray(0, grown.length - 7));
      const counting = countingFs();
      const { result, saved } = await askFresh(QUESTIONS[0]!, counting.fs);
      assert.ok(
        result.notes.some((n) => /damaged record.*cut short/.test(n)),
        result.notes.join('\n'),
      );
      assert.ok(
        counting.read.some((f) => f.endsWith('journalCut.ts')),
        'the file of the lost record is read again',
      );
      assert.ok(counting.read.length <= 3, `and little else (${counting.read.length} files)`);
      assert.equal(saved, undefined);
      assert.deepEqual(ranking(result), ranking(await cold(QUESTIONS[0]!)));
      const after = await askFresh(QUESTIONS[0]!);
      assert.deepEqual(after.result.notes, []);
      assert.deepEqual(ranking(after.result), ranking(await cold(QUESTIONS[0]!)));
    } finally {
      rmSync(added, { force: true });
      age(repo);
    }
  });

  test('two processes appending at once: the next reads the first record, passes over the other (it follows another vocabulary), and ranks as a cold run', async () => {
    await askFresh(QUESTIONS[0]!);
    const a = join(repo, 'extension/core/store/journalA.ts');
    const b = join(repo, 'extension/core/store/journalB.ts');
    try {
      writeFileSync(a, '// alphajournalword of the warm index\nexport const a = 1;\n');
      writeFileSync(b, '// betajournalword of the warm index\nexport const b = 1;\n');
      backdate(a, b, join(repo, 'extension/core/store'));
      // both read the same index, each sees both new files, then each appends its record
      const one = await DiskIndex.of([repo], options());
      const two = await DiskIndex.of([repo], options());
      const [i1, i2] = [await one.load(), await two.load()];
      await ask({ question: QUESTIONS[0]!, roots: roots() }, { fs: nodeFileSystem, tokenizer, index: i1 });
      await ask({ question: QUESTIONS[1]!, roots: roots() }, { fs: nodeFileSystem, tokenizer, index: i2 });
      assert.equal(await one.save(), undefined);
      assert.equal(await two.save(), undefined);
      const counting = countingFs();
      const { result } = await askFresh(QUESTIONS[0]!, counting.fs);
      assert.equal(result.stats.index, 'disk');
      assert.deepEqual(result.notes, []);
      assert.deepEqual(ranking(result), ranking(await cold(QUESTIONS[0]!)));
      assert.ok(counting.read.length <= 3, `the first record's files are not read again (${counting.read.length} read)`);
    } finally {
      rmSync(a, { force: true });
      rmSync(b, { force: true });
      age(repo);
    }
  });

  for (const [name, damage] of [
    ['cut short', (data: Buffer) => data.subarray(0, Math.floor(data.length / 2))],
    ['garbage', (data: Buffer) => Buffer.alloc(data.length, 0x41)],
    ['a flipped byte', (data: Buffer) => Buffer.from(data.map((b, i) => (i === data.length - 100 ? b ^ 0xff : b)))],
    ['from another format', (data: Buffer) => Buffer.from(data.toString('latin1').replace(`"format":${INDEX_FORMAT}`, '"format":9'), 'latin1')],
  ] as const) {
    test(`a cache file ${name} is detected: a cold run with a note, the same ranking, the file rebuilt`, async () => {
      const first = await askFresh(QUESTIONS[0]!);
      writeFileSync(first.disk.location, damage(readFileSync(first.disk.location)));
      const { result } = await askFresh(QUESTIONS[0]!);
      assert.equal(result.stats.index, 'new');
      assert.equal(result.stats.filesReused, 0);
      assert.ok(
        result.notes.some((n) => n.includes('was not used') && n.includes('rebuilt')),
        result.notes.join('\n'),
      );
      assert.deepEqual(ranking(result), ranking(await cold(QUESTIONS[0]!)));
      const again = await askFresh(QUESTIONS[0]!);
      assert.equal(again.result.stats.index, 'disk', 'rebuilt and read back');
    });
  }

  test('a cache folder that cannot be written (a file in its way): the run works and says so', async () => {
    const blocked = join(cache, 'blocked');
    writeFileSync(blocked, 'a file, not a folder');
    const disk = await DiskIndex.of([repo], { folder: join(blocked, 'xl3m'), maxBytes: 2 ** 30 });
    const result = await ask({ question: QUESTIONS[0]!, roots: roots() }, { fs: nodeFileSystem, tokenizer, index: await disk.load() });
    assert.ok(result.files.length > 0);
    assert.match((await disk.save()) ?? '', /could not be written .*(ENOTDIR|EEXIST)/);
  });

  test('a cache folder inside the repository is never written', async () => {
    const inside = join(repo, '.cache-here');
    const disk = await DiskIndex.of([repo], { folder: inside, maxBytes: 2 ** 30 });
    const result = await ask({ question: QUESTIONS[0]!, roots: roots() }, { fs: nodeFileSystem, tokenizer, index: await disk.load() });
    assert.ok(result.notes.some((n) => n.includes('lies inside the repository')));
    assert.equal(await disk.save(), undefined);
    assert.throws(() => statSync(inside), /ENOENT/);
  });

  test('the folder keeps within its size limit, the index used least recently going first', async () => {
    const other = mkdtempSync(join(tmpdir(), 'xl3m-disk-other-'));
    try {
      writeFileSync(join(other, 'a.ts'), 'export const warm = 1;\n');
      const small = await DiskIndex.of([other], options());
      await ask({ question: 'warm', roots: [{ path: other, name: 'other' }] }, { fs: nodeFileSystem, tokenizer, index: await small.load() });
      await small.save();
      const past = new Date(Date.now() - 60_000);
      utimesSync(small.location, past, past);
      const big = await askFresh(QUESTIONS[0]!);
      const listed = await listCache(cache);
      assert.deepEqual(
        listed.map((e) => e.file),
        [big.disk.location, small.location],
      );
      assert.deepEqual(await trimCache(cache, listed[0]!.bytes), [small.location]);
      assert.deepEqual(
        (await listCache(cache)).map((e) => e.file),
        [big.disk.location],
      );
      // an index alone over the limit is not kept, with a note
      const tiny = await DiskIndex.of([repo], { folder: cache, maxBytes: 1000 });
      const index = await tiny.load();
      index.files.retainUnder([repo], new Set(), () => true); // forget everything: the next save writes
      await ask({ question: QUESTIONS[0]!, roots: roots() }, { fs: nodeFileSystem, tokenizer, index });
      assert.match((await tiny.save()) ?? '', /larger than the cache's limit/);
      assert.deepEqual(await listCache(cache), []);
      assert.deepEqual(await clearCache(cache), { files: 0, bytes: 0 });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('the cache folder', () => {
  test('XL3M_CACHE_DIR, else the platform user cache folder', () => {
    assert.equal(cacheFolder({ XL3M_CACHE_DIR: '/x/y' }, 'linux', '/home/u'), '/x/y');
    assert.equal(cacheFolder({}, 'linux', '/home/u'), '/home/u/.cache/xl3m');
    assert.equal(cacheFolder({ XDG_CACHE_HOME: '/c' }, 'linux', '/home/u'), '/c/xl3m');
    assert.equal(cacheFolder({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u'), '/home/u/.cache/xl3m');
    assert.equal(cacheFolder({}, 'darwin', '/Users/u'), '/Users/u/Library/Caches/xl3m');
    assert.match(cacheFolder({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), /AppData.Local.xl3m$/);
  });
});

describe('the vocabulary on disk', () => {
  test('restored, it finds the same words by stem, and grows as before', () => {
    const fresh = new Vocabulary();
    for (const w of ['parseTemplate', 'parser', 'parsing', 'template_cache', 'Cache', 'caching']) fresh.id(w);
    for (const s of ['pars', 'cach', 'templat']) fresh.wordsWithStem(s, 'light');
    const restored = new Vocabulary(fresh.toSnapshot());
    assert.deepEqual(new Vocabulary(fresh.toSnapshot()).toSnapshot(), fresh.toSnapshot(), 'written again unchanged, the same snapshot');
    for (const s of ['pars', 'cach', 'templat', 'none']) assert.deepEqual([...restored.wordsWithStem(s, 'light')], [...fresh.wordsWithStem(s, 'light')], s);
    for (const w of ['reparse', 'cached']) assert.equal(restored.id(w), fresh.id(w));
    assert.equal(restored.id('parser'), fresh.id('parser'), 'a known word keeps its id');
    for (const s of ['pars', 'cach']) assert.deepEqual([...restored.wordsWithStem(s, 'light')], [...fresh.wordsWithStem(s, 'light')], `${s} after growing`);
    assert.deepEqual(restored.toSnapshot(), fresh.toSnapshot(), 'grown, the stems read from disk and the new ones merged in order: as if never written');
    assert.deepEqual([...new Vocabulary(restored.toSnapshot()).wordsWithStem('cach', 'light')], [...fresh.wordsWithStem('cach', 'light')]);
  });

  test("a word's parts and stems, kept for the next question, are those of its terms", () => {
    const words = ['parseTemplate', 'template_cache', 'HTTPServer2', 'caching', 'x'];
    const vocabulary = new Vocabulary();
    for (const w of words) vocabulary.id(w);
    const restored = new Vocabulary(vocabulary.toSnapshot());
    for (const stemming of ['none', 'plural', 'light'] as const)
      for (const v of [vocabulary, vocabulary, restored])
        for (const w of words)
          assert.deepEqual(
            v.partsWithStems(v.id(w), stemming),
            terms(w).flatMap((p) => [p, stem(p, stemming)]),
            `${w}, ${stemming}`,
          );
    assert.deepEqual(vocabulary.partsWithStems(vocabulary.id('parseTemplate'), 'light'), [
      'parse',
      'pars',
      'template',
      'templat',
      'parsetemplate',
      'parsetemplat',
    ]);
  });
});
