// What changed in the repository since the last question, told by the kernel (inotify, through
// Node's fs.watch on each folder a walk visits), so that a long-lived host (the extension host,
// the CLI's server, `xl3m mcp`) answers a repeat question without a stat of every file and
// folder. The watcher
// vouches only for what it saw from the start: a folder is trusted once it was watched before a
// whole walk checked it, and only while nothing was said about it since. Anything it cannot
// vouch for (the first question, a cancelled walk, an error, more events than the kernel's queue
// is sure to have kept, a moved root) leaves the next walk to stat every file, as without it.
//
// Linux only, and only on local file systems: elsewhere (macOS's FSEvents, Windows) events come
// late and a question could miss a file saved the moment before; on a network file system
// another machine's edits raise no event at all.
import { watch, statfsSync, readFileSync, statSync, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import type { ChangeFeed, Changes } from './gather';

/** File systems whose changes are all seen by inotify (statfs magic numbers): ext4, xfs, btrfs, tmpfs, overlayfs, zfs, f2fs, bcachefs. */
const LOCAL_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994, 0x794c7630, 0x2fc12fc1, 0xf2f52010, 0xca451a4e]);

/** A quarter of one of the kernel's inotify limits (/proc/sys/fs/inotify/NAME); where it cannot be read, a quarter of the old kernels' default. */
function quarterOf(name: 'max_queued_events' | 'max_user_watches', quarterOfOldDefault: number): number {
  try {
    const limit = Number(readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim());
    if (Number.isFinite(limit) && limit > 0) return Math.floor(limit / 4);
  } catch {
    // not readable: the old default
  }
  return quarterOfOldDefault;
}

/**
 * The kernel keeps at most max_queued_events unread and drops the rest with a notice Node does
 * not pass on; so past a quarter of it since the last question the watcher no longer vouches for
 * anything (a branch switch of thousands of files, say).
 */
const eventLimit = () => quarterOf('max_queued_events', 4096);

/**
 * The folders one watcher may watch: a quarter of what the system allows each user
 * (max_user_watches), so that the editor's own watcher and other tools keep the rest (VS Code
 * watches the workspace too, and says so when it runs out).
 */
const watchBudget = () => quarterOf('max_user_watches', 2048);

/** Why these folders cannot be watched, or undefined when they can. */
export function unwatchableReason(roots: readonly string[]): string | undefined {
  if (process.platform !== 'linux') return `file watching is used on Linux only (here ${process.platform})`;
  for (const root of roots) {
    try {
      const type = statfsSync(root).type;
      if (!LOCAL_FILE_SYSTEMS.has(type)) return `${root} is on a file system whose changes may not all be seen (type 0x${type.toString(16)})`;
    } catch (err) {
      return `${root} cannot be examined (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
  }
  return undefined;
}

/** How the host names files and folders (paths, or the extension's `file:` URIs): the same form as its FileSystem's. */
export interface FolderLocations {
  /** The path on disk of a location. */
  pathOf(location: string): string;
  /** A folder's entry, as the FileSystem's `join` names it. */
  join(folder: string, name: string): string;
}

interface Watch {
  watcher: FSWatcher;
  /** The walk (its number) during which it began: it vouches for the folder from the next walk on. */
  walk: number;
}

/** What happened since the last walk took the changes. */
interface Journal {
  /** Folders with an event of any kind. */
  folders: Set<string>;
  /** The entries the events named (files and folders), by absolute path. */
  paths: Set<string>;
  events: number;
  /** Events that added, removed or renamed an entry (not a write to it, or a change of its attributes). */
  renames: number;
}

const emptyJournal = (): Journal => ({ folders: new Set(), paths: new Set(), events: 0, renames: 0 });

export class FolderWatcher implements ChangeFeed {
  private readonly watches = new Map<string, Watch>();
  /** The number of the walk in progress (or the last one). */
  private walk = 0;
  /** The last walk that checked every folder and file to the end (-1: none yet). */
  private completedWalk = -1;
  private journal = emptyJournal();
  /** Why the next walk cannot trust the journal (an error, too many events); cleared when taken. */
  private doubt: string | undefined;
  /** Why no folder is watched any more (the kernel's limit on watches, say); permanent. */
  private brokenReason: string | undefined;
  private readonly limit: number;
  private rootIdentity = new Map<string, string>();
  private memo: { key: string; value: unknown } | undefined;

  private readonly locations: FolderLocations;

  private readonly onStop: ((reason: string) => void) | undefined;

  private readonly watchFolder: typeof watch;

  /** The most folders it watches (see watchBudget). */
  private readonly budget: number;

  constructor(
    options: {
      eventLimit?: number;
      /** The most folders it watches; past it, watching stops for good. */
      watchBudget?: number;
      locations?: FolderLocations;
      /** Told once, when watching stops for good. */
      onStop?: (reason: string) => void;
      /** Node's fs.watch, or a stand-in (a test of a system out of watches). */
      watchFolder?: typeof watch;
    } = {},
  ) {
    this.limit = options.eventLimit ?? eventLimit();
    this.budget = options.watchBudget ?? watchBudget();
    this.onStop = options.onStop;
    this.watchFolder = options.watchFolder ?? watch;
    this.locations = options.locations ?? { pathOf: (location) => location, join: (folder, name) => path.join(folder, name) };
  }

  get watchedFolders(): number {
    return this.watches.size;
  }

  async takeChanges(roots: readonly string[]): Promise<Changes | undefined> {
    // a poll of the event loop after this call (two turns: the first may end the poll in progress):
    // every event the kernel queued before the question was asked (a file saved, then the question
    // sent) is handled by then
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // the roots' identity is recorded at every call, vouched for or not
    const sameRoots = this.sameRoots(roots);
    const trusted = sameRoots && this.brokenReason === undefined && this.doubt === undefined && this.completedWalk === this.walk;
    const taken = this.journal;
    this.journal = emptyJournal();
    this.doubt = undefined;
    this.walk++;
    if (!trusted) {
      this.memo = undefined;
      return undefined;
    }
    const { folders, paths } = taken;
    const walk = this.walk;
    return {
      watchedBefore: (folder) => (this.watches.get(folder)?.walk ?? walk) < walk,
      named: (location) => paths.has(location),
      touched: (folder) => folders.has(folder),
      contentOnly: taken.renames === 0 ? paths : undefined,
    };
  }

  watch(folder: string, renew: boolean): void {
    if (this.brokenReason !== undefined) return;
    const kept = this.watches.get(folder);
    if (kept && !renew) return;
    kept?.watcher.close();
    this.watches.delete(folder);
    if (this.watches.size >= this.budget) {
      this.stop(
        `the repository has more folders than xl3m watches (${this.budget}: a quarter of fs.inotify.max_user_watches, the rest left to the editor and other tools): every question checks every file`,
      );
      return;
    }
    let watcher: FSWatcher;
    try {
      watcher = this.watchFolder(this.locations.pathOf(folder), { persistent: false }, (event, name) => this.record(folder, event, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // gone or unreadable: the walk says so, and a folder not watched is never vouched for
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM') return;
      this.stop(
        code === 'ENOSPC'
          ? 'the system allows no more watched folders (fs.inotify.max_user_watches): every question checks every file'
          : `file watching failed (${code ?? String(err)}): every question checks every file`,
      );
      return;
    }
    watcher.on('error', (err) => {
      this.doubt = `a folder's watch failed (${(err as NodeJS.ErrnoException).code ?? err.message})`;
      watcher.close();
      if (this.watches.get(folder)?.watcher === watcher) this.watches.delete(folder);
    });
    this.watches.set(folder, { watcher, walk: this.walk });
  }

  retainOnly(visited: ReadonlySet<string>): void {
    for (const [folder, w] of this.watches) {
      if (visited.has(folder)) continue;
      w.watcher.close();
      this.watches.delete(folder);
    }
  }

  completed(key: string, value: unknown): void {
    this.completedWalk = this.walk;
    this.memo = { key, value };
  }

  remembered(key: string): unknown {
    return this.memo?.key === key ? this.memo.value : undefined;
  }

  close(): void {
    for (const w of this.watches.values()) w.watcher.close();
    this.watches.clear();
  }

  private record(folder: string, event: string, name: string | Buffer | null) {
    const j = this.journal;
    if (event !== 'change') j.renames++;
    if (++j.events > this.limit) {
      this.doubt ??= `more than ${this.limit} changes since the last question`;
      j.folders.clear();
      j.paths.clear();
      return;
    }
    j.folders.add(folder);
    if (name === null) this.doubt ??= 'a change without a name';
    else j.paths.add(this.locations.join(folder, name.toString()));
  }

  /** Whether each root is still the folder first watched there (not moved away and replaced). */
  private sameRoots(roots: readonly string[]): boolean {
    let same = true;
    for (const root of roots) {
      const s = statSync(this.locations.pathOf(root), { throwIfNoEntry: false });
      const identity = s ? `${s.dev}:${s.ino}` : '';
      if (this.rootIdentity.get(root) !== identity) same = false;
      this.rootIdentity.set(root, identity);
    }
    return same;
  }

  private stop(reason: string) {
    this.brokenReason = reason;
    this.close();
    this.memo = undefined;
    this.onStop?.(reason);
  }
}
