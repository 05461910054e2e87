// What a long-lived host (the extension host, `xl3m mcp`) keeps between questions so that a repeat
// question pays only for what changed: each folder's listing (files/folderCache.ts), each file's
// reading (files/fileCache.ts: its text let go once its words are made, where it can be read
// again) and its words (lexical/wordIndex.ts). A question still stats every
// folder and file and ranks them as they are on disk now (but those a file watcher vouches for:
// files/folderWatcher.ts); the ranking is the same, score for score, as a run with nothing kept.
// The CLI (and a host started again) restores one from disk (store/diskIndex.ts).
import { FileCache } from './files/fileCache';
import type { ChangeFeed } from './files/gather';
import { FolderWatcher, unwatchableReason, type FolderLocations } from './files/folderWatcher';
import { FolderCache } from './files/folderCache';
import { LexicalIndex } from './lexical/wordIndex';

/** Where the index a question starts from came from: nothing (a cold run), this process's earlier questions, or the disk. */
export type IndexSource = 'new' | 'memory' | 'disk';

export class WarmIndex {
  source: IndexSource;
  /** What a person should know about the index (a damaged file rebuilt, a cache that cannot be written), said by the next run. */
  readonly notes: string[] = [];
  /** What changed between questions, told by a file watcher (a long-lived host on Linux): what it vouches for is not stat'ed again. */
  changes: ChangeFeed | undefined;

  constructor(
    readonly files = new FileCache(),
    readonly lexical = new LexicalIndex(),
    source: IndexSource = files.size > 0 ? 'disk' : 'new',
    /** Each folder's listing: a repeat question lists only the folders that changed. */
    readonly folders = new FolderCache(),
  ) {
    this.source = source;
    // what a question ranks is the files' words: their texts are let go as soon as those are made (a
    // 100,000-file repository's texts are 400 MB), where they can be read again when shown or sent
    if (files.reread)
      lexical.onAnalysed = (file) => {
        if (file.absPath !== undefined) files.letGoOfText(file.absPath);
      };
  }

  /**
   * Watches the folders a question walks, from the next question on (a host that answers many),
   * and keeps the content's postings; `roots`: the folders' paths on disk. Says why not where they
   * cannot be watched.
   */
  watchFolders(roots: readonly string[], locations?: FolderLocations): string | undefined {
    // a host that answers many questions: each reads only its words' postings
    this.lexical.keepPostings();
    if (this.changes) return undefined;
    const why = unwatchableReason(roots);
    // watching that stops for good (the system's limit of watched folders) is said by the next question
    if (!why) this.changes = new FolderWatcher({ locations, onStop: (reason) => this.notes.push(reason) });
    return why;
  }

  /** Stops watching (the host is stopping). */
  stopWatching() {
    if (this.changes instanceof FolderWatcher) this.changes.close();
    this.changes = undefined;
  }

  /** The notes not said yet. */
  takeNotes(): string[] {
    return this.notes.splice(0);
  }
}
