// What reading a file found (its text, or why it is not text), kept between questions in a
// long-lived host (the extension, `xl3m mcp`) while the file is unchanged: same size, same
// modification time, and not modified so close to when it was read that an edit within the same
// clock tick could hide (git's "racy clean" rule). An unchanged file keeps its SourceFile object,
// so what is derived from it (its words in the lexical index, its token counts) is not computed again.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { decodeText } from './fileClassifier';
import type { FileStat } from './fileSystem';
import type { SourceFile } from '../types';

/** A modification this close (ms) before the read may share its timestamp with a later edit: such a file is read again. */
const RACY_MS = 2000;

export type TextOutcome = { text: string; bytes: number };
export type ReadOutcome = TextOutcome | { reason: string };

/** Reads a kept file's text again, checked to be the text that was read (its size and time unchanged); '' when it is not. */
export type TextRereader = (location: string, read: { size: number; mtimeMs: number }) => string;

/**
 * A text let go after its words were made: read again from disk when asked, then held until let go
 * again. In a long-lived host the files' texts (a 100,000-file repository's are 400 MB in memory)
 * are not what a question ranks (their words are); a question asks again only for the few it
 * shows or sends.
 */
export class TextOnDisk implements TextOutcome {
  private held: string | undefined;
  constructor(
    readonly bytes: number,
    readonly chars: number,
    private readonly read: () => string,
  ) {}

  get text(): string {
    return (this.held ??= this.read());
  }

  letGo() {
    this.held = undefined;
  }
}

/** The file an entry read: its text is the entry's (held, or read again once let go); the same object while the file is unchanged. */
export function fileOfEntry(path: string, absPath: string, entry: FileCacheEntry): SourceFile {
  const outcome = entry.outcome as TextOutcome;
  return {
    path,
    absPath,
    bytes: outcome.bytes,
    chars: outcome instanceof TextOnDisk ? outcome.chars : outcome.text.length,
    get text() {
      return (entry.outcome as TextOutcome).text;
    },
  };
}

/**
 * A file's text from disk if it is still what was read: same size and modification time (else ''
 * and the next question reads it afresh, classifying it again: a file that became a secret since is
 * not sent).
 */
export function readTextIfUnchanged(path: string, read: { size: number; mtimeMs: number }): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (stat.size !== read.size || stat.mtimeMs !== read.mtimeMs) return '';
    const decoded = decodeText(readFileSync(fd));
    return 'text' in decoded ? decoded.text : '';
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

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

  /** `reread`: how a text let go is read again (a host on the local disk); without, texts are kept (a virtual workspace). */
  constructor(readonly reread?: TextRereader) {}

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

  /**
   * Lets go of every file's text where it can be read again (`reread`): called once a question's
   * files have their words. A text asked for later is read again, and held until the next call.
   */
  letGoOfTexts() {
    if (this.reread) for (const [location, e] of this.entries) this.letGo(location, e);
  }

  /** Lets go of this file's text (its words are made), where it can be read again. */
  letGoOfText(location: string) {
    const e = this.entries.get(location);
    if (e && this.reread) this.letGo(location, e);
  }

  private letGo(location: string, e: FileCacheEntry) {
    const o = e.outcome;
    if (o instanceof TextOnDisk) o.letGo();
    else if ('text' in o) e.outcome = new TextOnDisk(o.bytes, o.text.length, () => this.reread!(location, e));
  }

  /** Forgets every file under these roots that this gather did not see (deleted, renamed, now ignored). */
  retainUnder(roots: readonly string[], seen: ReadonlySet<string>, isUnder: (root: string, location: string) => boolean) {
    for (const location of this.entries.keys()) {
      if (!seen.has(location) && roots.some((r) => isUnder(r, location))) this.entries.delete(location);
    }
  }
}
