// The warm index of one set of repository roots kept on disk between processes: read once when a
// process first needs it (a damaged or foreign file is rebuilt, with a note), written back after a
// question that changed it: what changed appended as a journal record while it is small, else the
// whole index written again. Nothing here may make a ranking wrong: what is restored is trusted only
// for files whose size and modification time still match (files/fileCache.ts), and a cache that
// cannot be read or written leaves the run cold, with a note, never failed.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { relativePath } from '../files/fileSystem';
import { WarmIndex } from '../warmIndex';
import { ensureCacheFolder, indexFileOf } from './cacheFolder';
import { trimCache } from './cacheContents';
import { FileCache, readTextIfUnchanged, type FileCacheEntry, type TextRereader } from '../files/fileCache';
import { FolderCache, type FolderListing } from '../files/folderCache';
import type { SourceFile } from '../types';
import { appendJournalRecord, decodeHeader, encodeIndex, encodeJournalRecord, isKept, readIndexFile, UnusableIndexError, writeIndexFile } from './indexFile';

/** A journal record is appended while the files it holds are at most this share of the index (or JOURNAL_MIN_FILES), */
const JOURNAL_MAX_FILE_SHARE = 0.05;
const JOURNAL_MIN_FILES = 64;
/** and the journal stays within this share of the whole index's bytes; past either, the whole index is written again. */
const JOURNAL_MAX_BYTE_SHARE = 0.25;

/** What the index file holds, as this process last read or wrote it: the objects it was written from, so that what changed since is found by identity. */
interface OnDisk {
  /** The whole index's CRC-32, which each journal record names. */
  crc: number;
  indexBytes: number;
  journalBytes: number;
  vocabulary: number;
  files: Map<string, { entry: FileCacheEntry; file: SourceFile; words: boolean }>;
  folders: Map<string, FolderListing>;
  /** The journal was damaged or holds records no reader can use: the next save writes the whole index. */
  rewrite: boolean;
}

export interface DiskCacheOptions {
  /** The cache folder (cacheFolder.ts). */
  folder: string;
  /** The folder's size limit; the indexes used least recently go first. */
  maxBytes: number;
  /** How the host names files, where not by path (the extension: `file:` URIs), and the path on disk of such a name. Part of the index's key: the CLI and the extension keep theirs apart. */
  locations?: { form: string; pathOf(location: string): string };
}

export class DiskIndex {
  private index: WarmIndex | undefined;
  /** What the file on disk holds, to write only what a question changed (nothing when it changed nothing). */
  private onDisk: OnDisk | undefined;
  private readonly file: string;
  /** Why nothing is read or written (the folder lies inside a repository); the index then lives in memory only. */
  private readonly off: string | undefined;
  /** How a file's text is read again once let go (the index keeps words, not texts). */
  private readonly reread: TextRereader;

  private constructor(
    private readonly roots: readonly string[],
    private readonly options: DiskCacheOptions,
    off: string | undefined,
  ) {
    this.file = indexFileOf(options.folder, options.locations ? [...roots, `\0${options.locations.form}`] : roots);
    this.off = off;
    const pathOf = options.locations?.pathOf ?? ((location: string) => location);
    this.reread = (location, read) => readTextIfUnchanged(pathOf(location), read);
  }

  /** The disk index of these folders, given as paths (resolved to real paths: a link to a repository shares its index). */
  static async of(roots: readonly string[], options: DiskCacheOptions): Promise<DiskIndex> {
    const real = await Promise.all(roots.map((r) => fsp.realpath(r).catch(() => path.resolve(r))));
    const folder = await realPathOfExisting(options.folder);
    const inside = real.find((r) => folder === r || relativePath(r, folder) !== undefined);
    const off =
      inside === undefined
        ? undefined
        : `the cache folder ${options.folder} lies inside the repository ${inside}: nothing is written there, and no index is kept between runs`;
    return new DiskIndex(real, options, off);
  }

  get location(): string {
    return this.file;
  }

  /** The index to run with: the one read from disk (once per process), else a new one. */
  async load(): Promise<WarmIndex> {
    if (this.index) return this.index;
    let index: WarmIndex | undefined;
    const notes: string[] = [];
    if (this.off) notes.push(this.off);
    else {
      try {
        const restored = await readIndexFile(this.file, this.reread);
        if (restored) {
          index = new WarmIndex(restored.files, restored.lexical, 'disk', restored.folders);
          const { journal } = restored;
          const indexBytes = restored.bytes - journal.bytes;
          this.onDisk = { crc: restored.header.crc32, indexBytes, journalBytes: journal.bytes, ...this.stateOf(index), rewrite: false };
          if (journal.damaged)
            notes.push(`the index on disk (${this.file}) was read up to a damaged record (${journal.damaged}): the files changed after it are read again`);
          this.onDisk.rewrite = journal.damaged !== undefined || journal.passedOver > 0;
          await fsp.utimes(this.file, new Date(), new Date()).catch(() => undefined); // used now: the last to go when the folder is trimmed
        }
      } catch (err) {
        const why = err instanceof UnusableIndexError ? err.message : `it cannot be read (${errorCode(err)})`;
        notes.push(`the index on disk (${this.file}) was not used: ${why}; every file is read again and the index rebuilt`);
        if (err instanceof UnusableIndexError) await fsp.rm(this.file, { force: true }).catch(() => undefined);
      }
    }
    this.index = index ?? new WarmIndex(new FileCache(this.reread));
    this.index.notes.push(...notes);
    return this.index;
  }

  /**
   * Writes back what a question changed: a journal record of the files, folders and words that
   * changed while they are few, else the whole index; nothing when nothing changed. A note when it
   * could not be written (the next run then reads those files again).
   */
  async save(): Promise<string | undefined> {
    const index = this.index;
    if (!index || this.off) return undefined;
    const disk = this.onDisk;
    const changes = disk ? changesSince(disk, index) : undefined;
    const vocabulary = index.lexical.vocabulary.size;
    if (disk && !disk.rewrite && changes!.count === 0 && vocabulary === disk.vocabulary) return undefined;
    try {
      await ensureCacheFolder(this.options.folder);
      if (disk && !disk.rewrite && changes!.files.length <= Math.max(JOURNAL_MIN_FILES, JOURNAL_MAX_FILE_SHARE * disk.files.size)) {
        const record = encodeJournalRecord(disk.crc, index.lexical, disk.vocabulary, changes!);
        if (disk.journalBytes + record.length <= JOURNAL_MAX_BYTE_SHARE * disk.indexBytes && (await appendJournalRecord(this.file, disk.crc, record))) {
          this.onDisk = { ...disk, journalBytes: disk.journalBytes + record.length, ...this.stateOf(index) };
          return undefined;
        }
      }
      const data = encodeIndex(index.files, index.lexical, this.roots, index.folders);
      await writeIndexFile(this.file, data);
      const crc = decodeHeader(data[0]!).header.crc32;
      this.onDisk = { crc, indexBytes: data.reduce((a, b) => a + b.length, 0), journalBytes: 0, ...this.stateOf(index), rewrite: false };
      const removed = await trimCache(this.options.folder, this.options.maxBytes);
      if (removed.includes(this.file))
        return `the index (${this.roots.join(', ')}) is larger than the cache's limit of ${Math.round(this.options.maxBytes / 2 ** 20)} MB: it is not kept between runs`;
      return undefined;
    } catch (err) {
      return `the index could not be written to ${this.options.folder} (${errorCode(err)}): the next run reads every file again`;
    }
  }

  /** The objects the disk now holds: every kept file (and whether its words are written) and every folder listing that may be written. */
  private stateOf(index: WarmIndex): Pick<OnDisk, 'files' | 'folders' | 'vocabulary'> {
    const files: OnDisk['files'] = new Map();
    for (const [location, entry] of index.files.all())
      if (isKept(entry)) files.set(location, { entry, file: entry.file!, words: index.lexical.knownWordsOf(entry.file!) !== undefined });
    const folders: OnDisk['folders'] = new Map();
    for (const [location, listing] of index.folders.all()) if (FolderCache.keptOnDisk(listing)) folders.set(location, listing);
    return { files, folders, vocabulary: index.lexical.vocabulary.size };
  }
}

/** What differs between the index and what the disk holds: entries and listings that are new or other objects, and places no longer kept. */
function changesSince(disk: OnDisk, index: WarmIndex) {
  const files: [string, FileCacheEntry][] = [];
  const removed: string[] = [];
  const folders: [string, FolderListing][] = [];
  const removedFolders: string[] = [];
  for (const [location, entry] of index.files.all()) {
    if (!isKept(entry)) continue;
    const was = disk.files.get(location);
    if (!was || was.entry !== entry || was.file !== entry.file || was.words !== (index.lexical.knownWordsOf(entry.file!) !== undefined))
      files.push([location, entry]);
  }
  for (const location of disk.files.keys()) {
    const entry = index.files.get(location);
    if (!entry || !isKept(entry)) removed.push(location);
  }
  for (const [location, listing] of index.folders.all())
    if (FolderCache.keptOnDisk(listing) && disk.folders.get(location) !== listing) folders.push([location, listing]);
  for (const location of disk.folders.keys()) {
    const listing = index.folders.get(location);
    if (!listing || !FolderCache.keptOnDisk(listing)) removedFolders.push(location);
  }
  return { files, removed, folders, removedFolders, count: files.length + removed.length + folders.length + removedFolders.length };
}

/** The real path of the folder, or of its nearest existing parent with the rest appended (the folder may not exist yet). */
async function realPathOfExisting(folder: string): Promise<string> {
  const absolute = path.resolve(folder);
  let existing = absolute;
  for (;;) {
    try {
      return path.join(await fsp.realpath(existing), path.relative(existing, absolute));
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      existing = parent;
    }
  }
}

function errorCode(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}
