// The warm index as one file, so that a new process (the CLI, an editor started again) starts warm:
// every kept file's size, modification time and reading time, what its text is not (its content
// reasons), and its words as vocabulary ids; the vocabulary and its stem indexes. No text is stored:
// a restored file reads its text from disk when something asks for it (the key context, a model).
//
// Node's own structured-clone serializer (`v8`, as Jest's haste map keeps its index) writes the
// index's shape; its large id arrays go after it as raw, aligned sections, so that reading them back
// makes views on the bytes read, not copies (measured against LMDB in BENCHMARKS.md). A file is never
// trusted blindly: a header names the format, the byte order and the roots, a CRC-32 covers all that
// follows it, and every word id is checked against the vocabulary before anything is used. A file
// is written whole to a private temporary name and renamed over the old one, so a reader (another
// process) sees the old index or the new one, and a process killed mid-write leaves the old one.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { crc32 } from 'node:zlib';
import { FileCache, fileOfEntry, readTextIfUnchanged, TextOnDisk, type FileCacheEntry, type TextRereader } from '../files/fileCache';
import { FolderCache, type FolderListing } from '../files/folderCache';
import ignore from 'ignore';
import { LexicalIndex, Vocabulary, type FileWords, type VocabularySnapshot } from '../lexical/wordIndex';
import type { SourceFile } from '../types';

/** Raised when what a file holds changes: an index of another format is rebuilt, not read. */
export const INDEX_FORMAT = 6;
const MAGIC = 'xl3m-index\n';
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Sections start at multiples of this in the file, so that a file read into memory whole lends them as they are. */
const ALIGN = 8;
/** A typed array this large goes out of the serialized shape, into a section. */
const SECTION_MIN_BYTES = 4096;

export interface IndexHeader {
  format: number;
  littleEndian: boolean;
  /** The folders the index covers (real paths), for `xl3m cache status`. */
  roots: string[];
  files: number;
  savedAt: number;
  /** Bytes of the serialized shape, then of each section (each padded to ALIGN). */
  shapeBytes: number;
  sections: number[];
  /** CRC-32 of everything after the header line, padding included. */
  crc32: number;
}

/** The hooks Node's serializers call for typed arrays (documented, not in @types/node). */
interface HostObjects {
  _writeHostObject(view: NodeJS.TypedArray): void;
  _readHostObject(): NodeJS.TypedArray;
}
const defaultHostObjects = {
  write: (v8.DefaultSerializer.prototype as unknown as HostObjects)._writeHostObject,
  read: (v8.DefaultDeserializer.prototype as unknown as HostObjects)._readHostObject,
};

/**
 * v8's serializer with the large id arrays written as references to sections. A section is one
 * array, or many written one after another (`gathered`: a column of every file's words, never
 * copied into one array, so that writing the index costs no second copy of it).
 */
class SectionSerializer extends v8.DefaultSerializer {
  readonly sections: Uint32Array[][] = [];
  constructor(private readonly gathered: ReadonlyMap<Uint32Array, Uint32Array[]> = new Map()) {
    super();
  }
  _writeHostObject(view: NodeJS.TypedArray) {
    const parts = view instanceof Uint32Array ? (this.gathered.get(view) ?? (view.byteLength >= SECTION_MIN_BYTES ? [view] : undefined)) : undefined;
    if (parts) {
      this.writeUint32(1);
      this.writeUint32(this.sections.push(parts) - 1);
    } else {
      this.writeUint32(0);
      defaultHostObjects.write.call(this, view);
    }
  }
}

class SectionDeserializer extends v8.DefaultDeserializer {
  constructor(
    shape: Buffer,
    private readonly sections: readonly Uint32Array[],
  ) {
    super(shape);
  }
  _readHostObject() {
    if (this.readUint32() === 0) return defaultHostObjects.read.call(this);
    const section = this.sections[this.readUint32()];
    if (!section) throw new UnusableIndexError('it names a section it does not hold');
    return section;
  }
}

const padding = (n: number) => (ALIGN - (n % ALIGN)) % ALIGN;

/**
 * The kept files in columns, so that reading them back is a few copies, not one object per array:
 * the strings joined by NUL (no path holds one), the numbers in typed arrays, and every file's words
 * concatenated, with where each file's part starts (`offsets`, one more than there are files).
 */
interface StoredFiles {
  locations: string;
  paths: string;
  /** size, mtimeMs, readAt, bytes, chars: five per file. */
  numbers: Float64Array;
  /** Why the text would not be sent with secrets included (null: not asked yet); the other case is always "nothing": only such files are kept. */
  reasonsWithSecrets: (string | undefined | null)[];
  /** Each file's import keys (FileWords.imports), joined by NUL ('' for a file whose words are not kept). */
  imports: string;
  /** pathLength, contentLength, definitionLength, lines, textLines: five per file; lines = 0xffffffff for a file whose words are not kept. */
  counts: Uint32Array;
  path: Column;
  words: Column;
  lineStarts: Column;
  lineLengths: Column;
  definitions: Column;
}

interface Column {
  values: Uint32Array;
  offsets: Uint32Array;
}

/** A folder's listing as kept (FolderCache.keptOnDisk: only files and folders in it): names joined by NUL, `kinds` a letter each (f: file, d: folder). */
interface StoredFolder {
  location: string;
  mtimeMs: number;
  listedAt: number;
  rulesKey: string;
  gitignore: { size: number; mtimeMs: number; text: string } | null;
  names: string;
  kinds: string;
}

interface Payload {
  vocabulary: VocabularySnapshot;
  files: StoredFiles;
  folders: StoredFolder[];
}

/** What the disk gives back: a file cache and a lexical index whose files read their text when asked. */
export interface RestoredIndex {
  files: FileCache;
  lexical: LexicalIndex;
  folders: FolderCache;
  header: IndexHeader;
  journal: JournalState;
}

export class UnusableIndexError extends Error {
  override name = 'UnusableIndexError';
}

/** What reading this file found is kept on disk: text that would be sent. A file skipped for its content (a secret, a generated file, not text) leaves nothing. */
export function isKept(entry: FileCacheEntry): boolean {
  return !('reason' in entry.outcome) && entry.file !== undefined && entry.contentReasons[0] === undefined;
}

const NO_WORDS = 0xffffffff;
const WORD_COLUMNS = ['path', 'words', 'lineStarts', 'lineLengths', 'definitions'] as const;

/** A kept file as it is written: its place, its reading, and its words when known. */
interface KeptFile {
  location: string;
  entry: FileCacheEntry;
  file: SourceFile;
  words?: FileWords;
}

/** Every file whose reading is kept on disk, with its words when known. */
function keptFiles(files: FileCache, lexical: LexicalIndex): KeptFile[] {
  const kept: KeptFile[] = [];
  for (const [location, entry] of files.all()) {
    if (isKept(entry)) kept.push({ location, entry, file: entry.file!, words: lexical.knownWordsOf(entry.file!) });
  }
  return kept;
}

/**
 * The files in columns. With `gathered`, each word column's values are a stand-in that the
 * serializer writes as every file's array in place (a whole index: no second copy of it); without,
 * they are joined into one array (a journal record: a few files).
 */
function storedFilesOf(kept: readonly KeptFile[], gathered?: Map<Uint32Array, Uint32Array[]>): StoredFiles {
  const n = kept.length;
  const numbers = new Float64Array(n * 5);
  const counts = new Uint32Array(n * 5);
  const columns = Object.fromEntries(
    WORD_COLUMNS.map((name) => {
      const offsets = new Uint32Array(n + 1);
      let total = 0;
      const parts: Uint32Array[] = [];
      for (const [i, k] of kept.entries()) {
        offsets[i] = total;
        const part = k.words?.[name];
        if (part?.length) parts.push(part);
        total += part?.length ?? 0;
      }
      offsets[n] = total;
      let values: Uint32Array;
      if (gathered) gathered.set((values = new Uint32Array(0)), parts);
      else {
        values = new Uint32Array(total);
        let at = 0;
        for (const part of parts) {
          values.set(part, at);
          at += part.length;
        }
      }
      return [name, { values, offsets }];
    }),
  ) as Record<(typeof WORD_COLUMNS)[number], Column>;
  for (const [i, { entry, file, words }] of kept.entries()) {
    numbers.set([entry.size, entry.mtimeMs, entry.readAt, file.bytes, file.chars ?? file.text.length], i * 5);
    counts.set(words ? [words.pathLength, words.contentLength, words.definitionLength, words.lines, words.textLines] : [0, 0, 0, NO_WORDS, 0], i * 5);
  }
  return {
    locations: kept.map((k) => k.location).join('\0'),
    paths: kept.map((k) => k.file.path).join('\0'),
    numbers,
    reasonsWithSecrets: kept.map((k) => k.entry.contentReasons[1]),
    imports: kept.map((k) => k.words?.imports ?? '').join('\0'),
    counts,
    ...columns,
  };
}

/** The folder listings that may be written (FolderCache.keptOnDisk), as stored. */
function storedFoldersOf(listings: Iterable<[string, FolderListing]>): StoredFolder[] {
  const stored: StoredFolder[] = [];
  for (const [location, l] of listings) {
    if (!FolderCache.keptOnDisk(l)) continue;
    stored.push({
      location,
      mtimeMs: l.mtimeMs,
      listedAt: l.listedAt,
      rulesKey: l.rulesKey,
      gitignore: l.gitignore ? { size: l.gitignore.size, mtimeMs: l.gitignore.mtimeMs, text: l.gitignore.text } : null,
      names: l.entries.map((e) => e.name).join('\0'),
      kinds: l.entries.map((e) => (e.kind === 'folder' ? 'd' : 'f')).join(''),
    });
  }
  return stored;
}

/**
 * The file's bytes for this index. Only files whose text would be sent are kept, and of them no
 * text: their size, times, and words.
 */
export function encodeIndex(files: FileCache, lexical: LexicalIndex, roots: readonly string[], folders?: FolderCache): Buffer[] {
  const gathered = new Map<Uint32Array, Uint32Array[]>();
  const stored = storedFilesOf(keptFiles(files, lexical), gathered);
  const n = stored.numbers.length / 5;
  const serializer = new SectionSerializer(gathered);
  serializer.writeHeader();
  const storedFolders = storedFoldersOf(folders?.all() ?? []);
  serializer.writeValue({ vocabulary: lexical.vocabulary.toSnapshot(), files: stored, folders: storedFolders } satisfies Payload);
  const shape = serializer.releaseBuffer();
  const body: Buffer[] = [];
  const zeros = Buffer.alloc(ALIGN);
  const sectionBytes: number[] = [];
  body.push(shape, zeros.subarray(0, padding(shape.length)));
  for (const parts of serializer.sections) {
    let bytes = 0;
    for (const a of parts) {
      body.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      bytes += a.byteLength;
    }
    body.push(zeros.subarray(0, padding(bytes)));
    sectionBytes.push(bytes);
  }
  const crc = crcOf(body);
  const header: IndexHeader = {
    format: INDEX_FORMAT,
    littleEndian: LITTLE_ENDIAN,
    roots: [...roots],
    files: n,
    savedAt: Date.now(),
    shapeBytes: shape.length,
    sections: sectionBytes,
    crc32: crc,
  };
  // the header line padded with spaces, so that what follows starts aligned
  let head = `${MAGIC}${JSON.stringify(header)}`;
  head += ' '.repeat(padding(Buffer.byteLength(head) + 1)) + '\n';
  return [Buffer.from(head, 'utf8'), ...body];
}

/**
 * CRC-32 of the parts one after another. Small parts (a file's column: 130,000 of them over 26,000
 * files) are copied through one scratch buffer first: a call per part cost twenty times the CRC.
 */
function crcOf(parts: readonly Buffer[]): number {
  const scratch = Buffer.allocUnsafe(1 << 20);
  let filled = 0;
  let crc = 0;
  for (const part of parts) {
    if (filled + part.length > scratch.length) {
      crc = crc32(scratch.subarray(0, filled), crc);
      filled = 0;
    }
    if (part.length > scratch.length) crc = crc32(part, crc);
    else filled += part.copy(scratch, filled);
  }
  return crc32(scratch.subarray(0, filled), crc);
}

/** The header alone (for a listing), or why it cannot be read. */
export function decodeHeader(data: Buffer): { header: IndexHeader; bodyStart: number } {
  if (data.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new UnusableIndexError('not an xl3m index');
  const end = data.indexOf(10, MAGIC.length);
  if (end < 0) throw new UnusableIndexError('its header is cut off');
  let header: IndexHeader;
  try {
    header = JSON.parse(data.subarray(MAGIC.length, end).toString('utf8')) as IndexHeader;
  } catch {
    throw new UnusableIndexError('its header is garbled');
  }
  if (typeof header !== 'object' || header === null || !Array.isArray(header.roots)) throw new UnusableIndexError('its header is garbled');
  return { header, bodyStart: end + 1 };
}

/** The bytes of the whole index the header describes (its header line included): what follows them is its journal. */
export function wholeIndexBytes(header: IndexHeader, bodyStart: number): number {
  return bodyStart + [header.shapeBytes, ...header.sections].reduce((a, n) => a + n + padding(n), 0);
}

/** The index a file holds; `UnusableIndexError` says why there is none (another format, cut short, garbled). */
export function decodeIndex(data: Buffer, reread: TextRereader = readTextIfUnchanged): RestoredIndex {
  const { header, bodyStart } = decodeHeader(data);
  if (header.format !== INDEX_FORMAT) throw new UnusableIndexError(`it was written in another format (${header.format}, this xl3m reads ${INDEX_FORMAT})`);
  if (header.littleEndian !== LITTLE_ENDIAN) throw new UnusableIndexError('it was written on a machine of the other byte order');
  const sizes = [header.shapeBytes, ...header.sections];
  if (!sizes.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new UnusableIndexError('its header is garbled');
  const bodyBytes = sizes.reduce((a, n) => a + n + padding(n), 0);
  if (data.length - bodyStart < bodyBytes) throw new UnusableIndexError(`it is cut short (${data.length - bodyStart} of ${bodyBytes} bytes)`);
  const body = data.subarray(bodyStart, bodyStart + bodyBytes);
  if (crc32(body) !== header.crc32) throw new UnusableIndexError('its checksum does not match (it was damaged)');
  // each section as a view on the bytes read where they lie aligned in memory (a whole-file read), else a copy
  const sections: Uint32Array[] = [];
  let at = bodyStart + header.shapeBytes + padding(header.shapeBytes);
  for (const bytes of header.sections) {
    if (bytes % 4 !== 0) throw new UnusableIndexError('its header is garbled');
    const start = data.byteOffset + at;
    sections.push(
      start % 4 === 0 ? new Uint32Array(data.buffer, start, bytes / 4) : new Uint32Array(Uint8Array.prototype.slice.call(data, at, at + bytes).buffer),
    );
    at += bytes + padding(bytes);
  }
  let stored: Payload;
  let vocabulary: Vocabulary;
  try {
    const deserializer = new SectionDeserializer(data.subarray(bodyStart, bodyStart + header.shapeBytes), sections);
    deserializer.readHeader();
    stored = deserializer.readValue() as Payload;
    vocabulary = new Vocabulary(stored.vocabulary);
  } catch (err) {
    throw new UnusableIndexError(`it cannot be read (${(err as Error).message})`);
  }
  const files = new FileCache(reread);
  const lexical = new LexicalIndex(vocabulary);
  restoreFiles(stored.files, lexical, files);
  const folders = restoredFolders(stored.folders);
  const journal = applyJournal(data.subarray(bodyStart + bodyBytes), header.crc32, lexical, files, folders);
  return { files, lexical, folders, header, journal };
}

/** Puts the stored files into the caches (a file of the same place replaced), each checked: a file that does not hold together makes them all unusable. */
function restoreFiles(f: StoredFiles, lexical: LexicalIndex, files: FileCache) {
  const vocabulary = lexical.vocabulary;
  const locations = f.locations === '' ? [] : f.locations.split('\0');
  const paths = f.paths === '' ? [] : f.paths.split('\0');
  const n = locations.length;
  const imports = typeof f.imports === 'string' ? (n === 0 ? [] : f.imports.split('\0')) : undefined;
  const fits =
    paths.length === n &&
    imports?.length === n &&
    f.numbers.length === n * 5 &&
    f.counts.length === n * 5 &&
    f.reasonsWithSecrets.length === n &&
    WORD_COLUMNS.every((c) => f[c].offsets.length === n + 1 && f[c].offsets[n] === f[c].values.length) &&
    [f.path, f.words, f.definitions].every((c) => largest(c.values) < vocabulary.size);
  if (!fits) throw new UnusableIndexError('its parts do not hold together');
  const column = (c: Column, i: number) => c.values.subarray(c.offsets[i]!, c.offsets[i + 1]!);
  for (let i = 0; i < n; i++) {
    const [size, mtimeMs, readAt, bytes, chars] = f.numbers.subarray(i * 5, i * 5 + 5) as unknown as number[];
    const { file, entry } = restoredFile(
      locations[i]!,
      paths[i]!,
      { size: size!, mtimeMs: mtimeMs!, readAt: readAt!, bytes: bytes!, chars: chars! },
      f.reasonsWithSecrets[i],
      files,
    );
    files.restore(locations[i]!, entry);
    const [pathLength, contentLength, definitionLength, lines, textLines] = f.counts.subarray(i * 5, i * 5 + 5) as unknown as number[];
    if (lines === NO_WORDS) continue;
    const words: FileWords = {
      path: column(f.path, i),
      words: column(f.words, i),
      lineStarts: column(f.lineStarts, i),
      lineLengths: column(f.lineLengths, i),
      definitions: column(f.definitions, i),
      pathLength: pathLength!,
      contentLength: contentLength!,
      definitionLength: definitionLength!,
      lines: lines!,
      textLines: textLines!,
      imports: imports![i]!,
    };
    if (words.lineStarts.length !== lines! + 1 || words.lineLengths.length !== lines || words.lineStarts[lines!] !== words.words.length)
      throw new UnusableIndexError(`the lines of ${paths[i]} do not hold together`);
    lexical.remember(file, words);
  }
}

// The journal: what changed since the whole index was written, appended to its file as records, so
// that a question after an edit writes the files it read again, not the whole index (79 MB on the
// 26,000-file monorepo). A record holds the files and folders written or rewritten since the state
// it follows, the places removed, and the words the vocabulary gained (ids from `vocabularyFrom`
// on). Each record carries its length, a CRC-32 and the whole index's CRC-32: a record cut short
// (a process killed while appending) or damaged ends the journal there, with a note; one that follows
// another vocabulary than the one read so far (two processes appending at once) is passed over, its
// files read again. Past a share of the index, the whole index is written again instead.
const RECORD_MAGIC = Buffer.from('xl3mJRNL', 'latin1');
const RECORD_HEAD = RECORD_MAGIC.length + 8;

interface JournalRecord {
  index: number;
  vocabularyFrom: number;
  words: string[];
  files: StoredFiles;
  removed: string[];
  folders: StoredFolder[];
  removedFolders: string[];
}

/** What the journal after an index held. */
export interface JournalState {
  /** Its bytes (0: none). */
  bytes: number;
  records: number;
  /** Records passed over: they followed another vocabulary (two processes appending at once). */
  passedOver: number;
  /** Why the journal was read only up to some point (a record cut short or damaged); it is then written whole again. */
  damaged?: string;
}

function applyJournal(tail: Buffer, indexCrc: number, lexical: LexicalIndex, files: FileCache, folders: FolderCache): JournalState {
  const state: JournalState = { bytes: tail.length, records: 0, passedOver: 0 };
  let at = 0;
  while (at < tail.length) {
    if (tail.length - at < RECORD_HEAD || !tail.subarray(at, at + RECORD_MAGIC.length).equals(RECORD_MAGIC)) {
      state.damaged = 'a record of its journal is garbled';
      break;
    }
    const length = tail.readUInt32LE(at + RECORD_MAGIC.length);
    const crc = tail.readUInt32LE(at + RECORD_MAGIC.length + 4);
    const payload = tail.subarray(at + RECORD_HEAD, at + RECORD_HEAD + length);
    if (payload.length !== length) {
      state.damaged = 'the last record of its journal is cut short';
      break;
    }
    if (crc32(payload) !== crc) {
      state.damaged = 'a record of its journal does not match its checksum';
      break;
    }
    at += RECORD_HEAD + length;
    let record: JournalRecord;
    try {
      record = v8.deserialize(payload) as JournalRecord;
    } catch {
      state.damaged = 'a record of its journal cannot be read';
      break;
    }
    if (record.index !== indexCrc || record.vocabularyFrom !== lexical.vocabulary.size || !Array.isArray(record.words)) {
      state.passedOver++;
      continue;
    }
    try {
      lexical.vocabulary.append(record.words);
      restoreFiles(record.files, lexical, files);
      for (const location of record.removed) files.forget(location);
      const changedFolders = restoredFolders(record.folders);
      for (const [location, listing] of changedFolders.all()) folders.store(location, listing);
      for (const location of record.removedFolders) folders.forget(location);
    } catch (err) {
      // the words were checked before they were added, and a record is checked before any of its files is used: this one is whole or not at all
      throw new UnusableIndexError(`a record of its journal does not hold together (${(err as Error).message})`);
    }
    state.records++;
  }
  return state;
}

/** What changed since the state the disk holds, as a journal record's bytes (magic, length, CRC-32, payload). */
export function encodeJournalRecord(
  indexCrc: number,
  lexical: LexicalIndex,
  vocabularyFrom: number,
  changed: {
    files: readonly [string, FileCacheEntry][];
    removed: readonly string[];
    folders: readonly [string, FolderListing][];
    removedFolders: readonly string[];
  },
): Buffer {
  const kept: KeptFile[] = changed.files.map(([location, entry]) => ({ location, entry, file: entry.file!, words: lexical.knownWordsOf(entry.file!) }));
  const record: JournalRecord = {
    index: indexCrc,
    vocabularyFrom,
    words: lexical.vocabulary.words.slice(vocabularyFrom),
    files: storedFilesOf(kept),
    removed: [...changed.removed],
    folders: storedFoldersOf(changed.folders),
    removedFolders: [...changed.removedFolders],
  };
  const payload = v8.serialize(record);
  const head = Buffer.alloc(RECORD_HEAD);
  RECORD_MAGIC.copy(head);
  head.writeUInt32LE(payload.length, RECORD_MAGIC.length);
  head.writeUInt32LE(crc32(payload), RECORD_MAGIC.length + 4);
  return Buffer.concat([head, payload]);
}

/**
 * Appends a record to the index file if it still holds the index the record follows (another process
 * may have written a whole one since); false when it does not, and nothing is written.
 */
export async function appendJournalRecord(file: string, indexCrc: number, record: Buffer): Promise<boolean> {
  const handle = await fsp.open(file, 'a+');
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    let header: IndexHeader;
    try {
      header = decodeHeader(head.subarray(0, bytesRead)).header;
    } catch {
      return false;
    }
    if (header.crc32 !== indexCrc) return false;
    // one write: appended whole (O_APPEND), or cut short by a kill, which the reader detects
    const { bytesWritten } = await handle.write(record);
    if (bytesWritten !== record.length) throw new Error(`only ${bytesWritten} of ${record.length} bytes were written`);
    await handle.sync();
    return true;
  } finally {
    await handle.close();
  }
}

/** The largest of the ids (-1 for none): a plain loop, where `every` with a callback over 20 million ids took four times as long. */
function largest(ids: Uint32Array): number {
  let max = -1;
  for (let i = 0; i < ids.length; i++) if (ids[i]! > max) max = ids[i]!;
  return max;
}

/** The kept folder listings, each checked for its shape (a listing that does not hold together makes the whole index unusable). */
function restoredFolders(stored: unknown): FolderCache {
  const folders = new FolderCache();
  if (!Array.isArray(stored)) throw new UnusableIndexError('its folders do not hold together');
  for (const f of stored as StoredFolder[]) {
    const names = f?.names === '' ? [] : typeof f?.names === 'string' ? f.names.split('\0') : undefined;
    const g = f?.gitignore;
    const fits =
      typeof f?.location === 'string' &&
      typeof f.mtimeMs === 'number' &&
      typeof f.listedAt === 'number' &&
      typeof f.rulesKey === 'string' &&
      names !== undefined &&
      typeof f.kinds === 'string' &&
      /^[fd]*$/.test(f.kinds) &&
      f.kinds.length === names.length &&
      (g === null || (typeof g?.size === 'number' && typeof g.mtimeMs === 'number' && typeof g.text === 'string'));
    if (!fits) throw new UnusableIndexError('its folders do not hold together');
    const listing: FolderListing = {
      mtimeMs: f.mtimeMs,
      listedAt: f.listedAt,
      rulesKey: f.rulesKey,
      ...(g ? { gitignore: { ...g, rules: ignore().add(g.text) } } : {}),
      entries: names.map((name, i) => ({ kind: f.kinds[i] === 'd' ? 'folder' : 'file', name })),
      // only a folder known to hold no skipped file is written
      holdsSkipped: false,
    };
    folders.store(f.location, listing);
  }
  return folders;
}

/** A stored file as the gather meets it: the same object each time, its text read (if the file is unchanged) when first asked. */
function restoredFile(
  location: string,
  path: string,
  n: { size: number; mtimeMs: number; readAt: number; bytes: number; chars: number },
  reasonWithSecrets: string | undefined | null,
  files: FileCache,
): { file: SourceFile; entry: FileCacheEntry } {
  const entry: FileCacheEntry = {
    size: n.size,
    mtimeMs: n.mtimeMs,
    readAt: n.readAt,
    outcome: new TextOnDisk(n.bytes, n.chars, () => files.reread?.(location, entry) ?? ''),
    contentReasons: [undefined, reasonWithSecrets],
  };
  entry.file = fileOfEntry(path, location, entry);
  return { file: entry.file, entry };
}

/** Reads an index file; undefined when there is none. `reread`: how its files' texts are read when asked. */
export async function readIndexFile(file: string, reread: TextRereader = readTextIfUnchanged): Promise<(RestoredIndex & { bytes: number }) | undefined> {
  let data: Buffer;
  try {
    data = await fsp.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { ...decodeIndex(data, reread), bytes: data.length };
}

/** Writes the index whole under a private temporary name, then renames it over the old one (readers see one or the other). */
export async function writeIndexFile(file: string, data: readonly Buffer[]): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fsp.open(temporary, 'wx', 0o600);
  try {
    // in batches: a system call takes at most IOV_MAX (1024) buffers, and the index is one a file per column
    let written = 0;
    for (let i = 0; i < data.length; i += 512) written += (await handle.writev(data.slice(i, i + 512) as Buffer[])).bytesWritten;
    const total = data.reduce((a, b) => a + b.length, 0);
    if (written !== total) throw new Error(`only ${written} of ${total} bytes were written`);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fsp.rm(temporary, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fsp.rename(temporary, file);
  } catch (err) {
    await fsp.rm(temporary, { force: true });
    throw err;
  }
}
