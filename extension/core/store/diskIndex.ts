// The warm index of one set of repository roots kept on disk between processes: read once when a
// process first needs it (a damaged or foreign file is rebuilt, with a note), written back after a
// question that changed it. Nothing here may make a ranking wrong: what is restored is trusted only
// for files whose size and modification time still match (files/fileCache.ts), and a cache that
// cannot be read or written leaves the run cold, with a note, never failed.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { relativePath } from '../files/fileSystem';
import { WarmIndex } from '../warmIndex';
import { ensureCacheFolder, indexFileOf, trimCache } from './cacheFolder';
import { encodeIndex, keptDigest, readIndexFile, UnusableIndexError, writeIndexFile } from './indexFile';

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
  /** What the file on disk holds (keptDigest), to write it only when a question changed it. */
  private onDisk = '';
  private readonly file: string;
  /** Why nothing is read or written (the folder lies inside a repository); the index then lives in memory only. */
  private readonly off: string | undefined;

  private constructor(
    private readonly roots: readonly string[],
    private readonly options: DiskCacheOptions,
    off: string | undefined,
  ) {
    this.file = indexFileOf(options.folder, options.locations ? [...roots, `\0${options.locations.form}`] : roots);
    this.off = off;
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
        const restored = await readIndexFile(this.file, this.options.locations?.pathOf);
        if (restored) {
          index = new WarmIndex(restored.files, restored.lexical, 'disk', restored.folders);
          this.onDisk = keptDigest(index.files, index.lexical, index.folders);
          await fsp.utimes(this.file, new Date(), new Date()).catch(() => undefined); // used now: the last to go when the folder is trimmed
        }
      } catch (err) {
        const why = err instanceof UnusableIndexError ? err.message : `it cannot be read (${errorCode(err)})`;
        notes.push(`the index on disk (${this.file}) was not used: ${why}; every file is read again and the index rebuilt`);
        if (err instanceof UnusableIndexError) await fsp.rm(this.file, { force: true }).catch(() => undefined);
      }
    }
    this.index = index ?? new WarmIndex();
    this.index.notes.push(...notes);
    return this.index;
  }

  /** Writes the index back if a question changed it; a note when it could not be written (the next run is then cold). */
  async save(): Promise<string | undefined> {
    const index = this.index;
    if (!index || this.off) return undefined;
    const digest = keptDigest(index.files, index.lexical, index.folders);
    if (digest === this.onDisk) return undefined;
    try {
      await ensureCacheFolder(this.options.folder);
      await writeIndexFile(this.file, encodeIndex(index.files, index.lexical, this.roots, index.folders));
      this.onDisk = digest;
      const removed = await trimCache(this.options.folder, this.options.maxBytes);
      if (removed.includes(this.file))
        return `the index (${this.roots.join(', ')}) is larger than the cache's limit of ${Math.round(this.options.maxBytes / 2 ** 20)} MB: it is not kept between runs`;
      return undefined;
    } catch (err) {
      return `the index could not be written to ${this.options.folder} (${errorCode(err)}): the next run reads every file again`;
    }
  }
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
