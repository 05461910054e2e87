// What walking a folder found (its files, the entries left out and why, its subfolders), kept by a
// long-lived host between questions while the folder is unchanged, so that a repeat question does
// not list every folder and test every path against the ignore rules again. A folder's
// modification time changes when an entry is added, removed or renamed in it (git's untracked
// cache relies on the same); the ignore rules that apply are the user's options and every
// .gitignore above and in the folder, compared by their size and modification time. A folder
// modified so close to its listing that a later change could share its timestamp is listed again
// (the racy rule of fileCache.ts), and a folder that holds a symbolic link is never kept (its
// target can change without the folder changing).
import type { Ignore } from 'ignore';
import type { FileStat } from './fileSystem';

/** A modification this close (ms) before the listing may share its timestamp with a later change. */
const RACY_MS = 2000;

/** One entry of a folder as the walk decided it, in path order. */
export type ListedEntry =
  | { kind: 'file'; name: string }
  | { kind: 'folder'; name: string }
  /** A symbolic link to a file: its target is checked at every walk (a folder that holds one is not kept). */
  | { kind: 'link'; name: string }
  /** Left out by name (a secret, an excluded pattern, not a regular file), with the reason shown. */
  | { kind: 'skipped'; name: string; isFolder: boolean; reason: string };

export interface FolderListing {
  mtimeMs: number;
  listedAt: number;
  /** The options and the .gitignore files above this folder, as they were (see `rulesKey`). */
  rulesKey: string;
  /** This folder's own .gitignore, its stat, its text and its rules (parsed once). */
  gitignore?: { size: number; mtimeMs: number; text: string; rules: Ignore };
  entries: ListedEntry[];
  /** One of its files was skipped for its size or content by the last walk (set when a walk has read every file; undefined until then: not known). */
  holdsSkipped?: boolean;
}

export class FolderCache {
  private listings = new Map<string, FolderListing>();

  get size() {
    return this.listings.size;
  }

  /** The folder's listing, if neither the folder nor the rules that apply to it changed since. */
  fresh(folder: string, stat: FileStat, rulesKey: string): FolderListing | undefined {
    const l = this.listings.get(folder);
    if (!l || l.mtimeMs !== stat.mtimeMs || l.rulesKey !== rulesKey || l.mtimeMs >= l.listedAt - RACY_MS) return undefined;
    return l;
  }

  /** Whether the folder's .gitignore is as it was listed (its stat), and not too recent to tell. */
  static sameGitignore(listing: FolderListing, stat: FileStat | Error | undefined): boolean {
    const g = listing.gitignore;
    if (!g) return true;
    return !(stat instanceof Error) && stat !== undefined && stat.size === g.size && stat.mtimeMs === g.mtimeMs && g.mtimeMs < listing.listedAt - RACY_MS;
  }

  /** The listing of this folder, whatever its age (for what is written to disk). */
  get(folder: string): FolderListing | undefined {
    return this.listings.get(folder);
  }

  /** Every kept listing, by folder. */
  all(): IterableIterator<[string, FolderListing]> {
    return this.listings.entries();
  }

  /**
   * Whether the listing may be kept on disk: it names only files and folders that are read (a
   * folder that holds a secret, an excluded entry, a binary or anything else left out, by name or
   * by content, is listed again by every process, so that nothing of a skipped file is written),
   * and it is old enough to be trusted.
   */
  static keptOnDisk(l: FolderListing): boolean {
    return (
      l.mtimeMs < l.listedAt - RACY_MS &&
      (!l.gitignore || l.gitignore.mtimeMs < l.listedAt - RACY_MS) &&
      // known to hold none: a walk cancelled before it read the folder's files cannot tell
      l.holdsSkipped === false &&
      l.entries.every((e) => e.kind === 'file' || e.kind === 'folder')
    );
  }

  store(folder: string, listing: FolderListing) {
    this.listings.set(folder, listing);
  }

  /** Whether the folder holds a file the last walk skipped for its size or content. */
  markSkipping(folder: string, holdsSkipped: boolean) {
    const l = this.listings.get(folder);
    if (l) l.holdsSkipped = holdsSkipped;
  }

  forget(folder: string) {
    this.listings.delete(folder);
  }

  /** Keeps only the folders a walk just visited under these roots (a folder deleted or now ignored is dropped). */
  retainUnder(roots: readonly string[], visited: ReadonlySet<string>, isUnder: (root: string, folder: string) => boolean) {
    for (const folder of this.listings.keys()) {
      if (!visited.has(folder) && roots.some((r) => r === folder || isUnder(r, folder))) this.listings.delete(folder);
    }
  }
}
