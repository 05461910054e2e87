// What reading a file found (its text, or why it is not text), kept between questions in a
// long-lived host (the extension, `xl3m mcp`) while the file is unchanged: same size, same
// modification time, and not modified so close to when it was read that an edit within the same
// clock tick could hide (git's "racy clean" rule). An unchanged file keeps its SourceFile object,
// so what is derived from it (its words in the lexical index, its token counts) is not computed again.
import type { FileStat } from './fileSystem';
import type { SourceFile } from '../types';

/** A modification this close (ms) before the read may share its timestamp with a later edit: such a file is read again. */
const RACY_MS = 2000;

export type ReadOutcome = { text: string; bytes: number } | { reason: string };

export interface FileCacheEntry {
  size: number;
  mtimeMs: number;
  readAt: number;
  outcome: ReadOutcome;
  /** Why the text is not sent, by whether secrets are included; computed when first asked. */
  contentReasons: [string | undefined | null, string | undefined | null];
  file?: SourceFile;
}

export class FileCache {
  private readonly entries = new Map<string, FileCacheEntry>();

  get size() {
    return this.entries.size;
  }

  /** Every kept file, by location. */
  all(): IterableIterator<[string, FileCacheEntry]> {
    return this.entries.entries();
  }

  /** An entry written earlier (restored from disk): trusted, as any entry, only while `fresh` says so. */
  restore(location: string, entry: FileCacheEntry) {
    this.entries.set(location, entry);
  }

  /** The entry of this place, whatever its age (for what is written to disk). */
  get(location: string): FileCacheEntry | undefined {
    return this.entries.get(location);
  }

  forget(location: string) {
    this.entries.delete(location);
  }

  /** What was read from this file, if it has not changed since. */
  fresh(location: string, stat: FileStat): FileCacheEntry | undefined {
    const e = this.entries.get(location);
    if (!e || e.size !== stat.size || e.mtimeMs !== stat.mtimeMs || e.mtimeMs >= e.readAt - RACY_MS) return undefined;
    return e;
  }

  store(location: string, stat: FileStat, readAt: number, outcome: ReadOutcome): FileCacheEntry {
    const e: FileCacheEntry = { size: stat.size, mtimeMs: stat.mtimeMs, readAt, outcome, contentReasons: [null, null] };
    this.entries.set(location, e);
    return e;
  }

  /** Forgets every file under these roots that this gather did not see (deleted, renamed, now ignored). */
  retainUnder(roots: readonly string[], seen: ReadonlySet<string>, isUnder: (root: string, location: string) => boolean) {
    for (const location of this.entries.keys()) {
      if (!seen.has(location) && roots.some((r) => isUnder(r, location))) this.entries.delete(location);
    }
  }
}
