// `tsx bench/indexStore.ts --root DIR [--lmdb DIR/node_modules/lmdb]`: how the warm index of a large
// repository is best kept on disk, measured on the same index in one run: the snapshot xl3m writes
// (store/indexFile.ts: v8.serialize in columns, one file renamed into place) against LMDB (`lmdb`,
// one record per file and one for the vocabulary, in one transaction; the package is not a
// dependency of xl3m: install it anywhere and name its folder). For each: writing the whole index,
// reading it back into a usable index, writing after one file changed, and the size on disk.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { ask } from '../extension/core/pipeline';
import { TiktokenTokenizer } from '../extension/core/tokens/tokenizer';
import { WarmIndex } from '../extension/core/warmIndex';
import { decodeIndex, encodeIndex, isKept, writeIndexFile } from '../extension/core/store/indexFile';
import type { FileWords } from '../extension/core/lexical/wordIndex';
import { Vocabulary } from '../extension/core/lexical/wordIndex';

/** What this benchmark uses of `lmdb` (not a dependency: no types installed). */
interface Lmdb {
  putSync(key: string, value: unknown): void;
  get(key: string): never;
  getRange(range: { start: string; end: string }): Iterable<{ key: string; value: unknown }>;
  transactionSync<T>(fn: () => T): T;
  close(): Promise<void>;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const time = <T>(fn: () => T): [T, number] => {
  const started = performance.now();
  const value = fn();
  return [value, performance.now() - started];
};
const timeAsync = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
};

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((a, n) => a + statSync(join(dir, n)).size, 0);
}

async function main() {
  const root = arg('--root');
  if (!root) throw new Error('--root DIR is required');
  const tokenizer = new TiktokenTokenizer();
  const index = new WarmIndex();
  await ask(
    { question: 'Where is the component template parsed into an abstract syntax tree?', roots: [{ path: root, name: 'r' }] },
    { fs: nodeFileSystem, tokenizer, index },
  );
  tokenizer.dispose();
  const rows: string[][] = [];
  const ms = (n: number) => `${Math.round(n)}`;

  // the snapshot
  {
    const dir = mkdtempSync(join(tmpdir(), 'xl3m-store-v8-'));
    const file = join(dir, 'repo.index');
    const [data, encode] = time(() => encodeIndex(index.files, index.lexical, [root]));
    const [, write] = await timeAsync(() => writeIndexFile(file, data));
    const [restored, read] = time(() => decodeIndex(readFileSync(file)));
    // after one edit the whole file is written again
    const [, update] = await timeAsync(async () => writeIndexFile(file, encodeIndex(restored.files, restored.lexical, [root])));
    rows.push(['v8 snapshot (xl3m)', ms(encode + write), ms(read), ms(update), (folderBytes(dir) / 2 ** 20).toFixed(1)]);
    rmSync(dir, { recursive: true, force: true });
  }

  // LMDB
  const lmdbPath = arg('--lmdb');
  if (lmdbPath) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { open } = require(lmdbPath) as { open(options: object): Lmdb };
    const dir = mkdtempSync(join(tmpdir(), 'xl3m-store-lmdb-'));
    const db = open({ path: join(dir, 'db'), compression: false });
    // typed arrays as bytes (msgpack's own form for them), made views again when read
    const bytes = (a: Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const ids = (b: Uint8Array) => new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    const records: [string, unknown][] = [];
    for (const [location, entry] of index.files.all()) {
      if (!isKept(entry)) continue;
      const w = index.lexical.knownWordsOf(entry.file!)!;
      const words = {
        ...w,
        path: bytes(w.path),
        words: bytes(w.words),
        lineStarts: bytes(w.lineStarts),
        lineLengths: bytes(w.lineLengths),
        definitions: bytes(w.definitions),
      };
      records.push([location, { path: entry.file!.path, size: entry.size, mtimeMs: entry.mtimeMs, readAt: entry.readAt, bytes: entry.file!.bytes, words }]);
    }
    const snapshot = index.lexical.vocabulary.toSnapshot();
    const vocabulary = {
      words: snapshot.words,
      splitLengths: bytes(snapshot.splitLengths),
      stems: snapshot.stems.map((s) => ({ ...s, offsets: bytes(s.offsets), ids: bytes(s.ids) })),
    };
    const [, write] = time(() =>
      db.transactionSync(() => {
        for (const [k, v] of records) db.putSync(`f:${k}`, v);
        db.putSync('vocabulary', vocabulary);
      }),
    );
    const [count, read] = time(() => {
      const stored = db.get('vocabulary') as unknown as typeof vocabulary;
      const v = new Vocabulary({
        words: stored.words,
        splitLengths: ids(stored.splitLengths),
        stems: stored.stems.map((s) => ({ ...s, offsets: ids(s.offsets), ids: ids(s.ids) })),
      });
      let n = 0;
      for (const { value } of db.getRange({ start: 'f:', end: 'f;' })) {
        const w = (value as { words: Record<string, Uint8Array> }).words;
        const restored: Partial<FileWords> = {
          path: ids(w.path!),
          words: ids(w.words!),
          lineStarts: ids(w.lineStarts!),
          lineLengths: ids(w.lineLengths!),
          definitions: ids(w.definitions!),
        };
        if (restored.words!.length >= 0) n++;
      }
      if (v.size === 0) throw new Error('no vocabulary');
      return n;
    });
    if (count !== records.length) throw new Error(`LMDB gave back ${count} of ${records.length} records`);
    // after one edit: that file's record and the vocabulary (which the edit may have grown)
    const [, update] = time(() =>
      db.transactionSync(() => {
        db.putSync(`f:${records[0]![0]}`, records[0]![1]);
        db.putSync('vocabulary', vocabulary);
      }),
    );
    await db.close();
    rows.push(['LMDB (lmdb, one record a file)', ms(write), ms(read), ms(update), (folderBytes(join(dir, 'db')) / 2 ** 20).toFixed(1)]);
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`${[...index.files.all()].filter(([, e]) => isKept(e)).length} files kept, ${index.lexical.vocabulary.size} distinct words\n`);
  console.log('| store | write all (ms) | read back (ms) | write after one edit (ms) | on disk (MB) |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

void main();
