import ignore, { type Ignore } from 'ignore';
import pLimit from 'p-limit';
import { fileOfEntry, type FileCache, type FileCacheEntry, type ReadOutcome } from './fileCache';
import type { EntryKind, FileStat, FileSystem } from './fileSystem';
import { FolderCache, type FolderListing, type ListedEntry } from './folderCache';
import { contentReason, decodeText, nameReason, secretReason } from './fileClassifier';
import type { ProgressListener, SkippedFile, SourceFile } from '../types';
import { DEFAULTS, DEFAULT_EXCLUDES } from '../options';

export interface GatherRoot {
  /** Absolute folder path. */
  path: string;
  /** Shown before file paths when several roots are gathered together. */
  name: string;
}

export interface GatherOptions {
  /** Extra patterns in .gitignore syntax, relative to each root. */
  excludes?: readonly string[];
  maxFileBytes?: number;
  includeSecrets?: boolean;
  useGitignore?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** What earlier gathers read: an unchanged file is not read again, and keeps its SourceFile. */
  cache?: FileCache;
  /** What earlier gathers listed: an unchanged folder is not listed again, nor its paths tested against the ignore rules. */
  folders?: FolderCache;
  /** What changed since the last gather (a file watcher): with `cache` and `folders`, what it vouches for is not even stat'ed. */
  changes?: ChangeFeed;
}

/** What a file watcher says changed between two gathers (files/folderWatcher.ts). */
export interface ChangeFeed {
  /** What changed since the last call; undefined when it cannot vouch for anything (every file is then stat'ed). */
  takeChanges(roots: readonly string[]): Promise<Changes | undefined>;
  /**
   * The folder is about to be listed or its listing used: from now on what changes in it is told.
   * `renew`: the folder at this path may not be the one watched so far (it, or a folder above it,
   * was replaced or moved), so its watch starts again.
   */
  watch(folder: string, renew: boolean): void;
  /** Folders the walk no longer visits are no longer watched. */
  retainOnly(visited: ReadonlySet<string>): void;
  /** The gather checked every folder and file: what it found, kept for a gather under the same key when nothing changed. */
  completed(key: string, value: unknown): void;
  remembered(key: string): unknown;
}

export interface Changes {
  /** Watched since before the last gather, which checked it and everything in it: what the watch did not report since stands. */
  watchedBefore(folder: string): boolean;
  /** An event named this entry: a file written, added, removed or renamed; a folder added, removed, replaced or moved. */
  named(location: string): boolean;
  /** An event happened in this folder (an entry of it named). */
  touched(folder: string): boolean;
  /** The entries the events named, when every event changed an entry's content or attributes only (none added, removed or renamed; none at all: empty); else undefined. */
  contentOnly: ReadonlySet<string> | undefined;
}

export interface Gathered {
  files: SourceFile[];
  skipped: SkippedFile[];
  /** Files read now, and files whose earlier reading was reused (unchanged since). */
  read: number;
  reused: number;
  /** A file watcher told what changed since the last gather: what it vouched for was not even stat'ed. */
  watched: boolean;
}

interface IgnoreLayer {
  /** Folder of the ignore file, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

interface Candidate {
  path: string;
  absPath: string;
  /** The folder it was listed in (links: none). */
  folder?: string;
  /** Its folder's watch vouches for it, unless an event named it. */
  watched?: boolean;
  /** Its folder is not the one at this path before (replaced, moved): read again whatever its stat says. */
  replaced?: boolean;
}

/** Where a walk puts what it found: files to read, symbolic links to files to check, and what it left out. */
interface WalkResult {
  candidates: Candidate[];
  links: Candidate[];
  skipped: SkippedFile[];
  /** Links, and entries that are not files or folders (a broken link): what they are may change with no event in the repository. */
  unsettled: UnsettledEntry[];
}

interface UnsettledEntry {
  folder: string;
  name: string;
  kind: EntryKind;
}

/** Whether each of these entries is still of the kind it was listed as (a link to a folder, to a file, a broken link). */
async function stillOfTheirKind(fs: FileSystem, entries: readonly UnsettledEntry[]): Promise<boolean> {
  const byFolder = new Map<string, UnsettledEntry[]>();
  for (const e of entries) byFolder.set(e.folder, [...(byFolder.get(e.folder) ?? []), e]);
  for (const [folder, expected] of byFolder) {
    const listed = await fs.readDirectory(folder).catch(() => undefined);
    if (!listed) return false;
    const kinds = new Map(listed.map((e) => [e.name, e.kind]));
    if (expected.some((e) => kinds.get(e.name) !== e.kind)) return false;
  }
  return true;
}

/** What a gather that checked everything found, for the next one when nothing changed: its links are checked again then. */
interface LastGather {
  files: SourceFile[];
  /** Everything left out but the links. */
  skipped: SkippedFile[];
  links: Candidate[];
  /** Its links and entries that are neither files nor folders: still of the same kind, they are left out as before (a link's target checked again). */
  unsettled: UnsettledEntry[];
  /** The paths of the files it considered reading (a link to one of them is "read there"). */
  readPaths: ReadonlySet<string>;
  /** The files it considered reading, by location, with their place in the walk (the order of `files`). */
  candidates: ReadonlyMap<string, { candidate: Candidate; order: number }>;
}

export const LINK_OUTSIDE = 'symbolic link outside the repository (not followed)';

/** Every text file under the roots that may be sent, in path order, and every file left out with its reason. */
export async function gather(fs: FileSystem, roots: GatherRoot[], options: GatherOptions = {}): Promise<Gathered> {
  const feed = options.cache && options.folders ? options.changes : undefined;
  const changes = await feed?.takeChanges(roots.map((r) => r.path));
  const useGitignore = options.useGitignore ?? true;
  // each root's .git/info/exclude (not watched: .git is never walked), read every time
  const rootExcludes = await Promise.all(roots.map((root) => (useGitignore ? readOptional(fs, fs.join(root.path, '.git', 'info', 'exclude')) : undefined)));
  const key = JSON.stringify([roots, options.excludes, options.maxFileBytes, options.includeSecrets, useGitignore, rootExcludes]);
  const prefixes = roots.map((root) => (roots.length > 1 ? `${root.name}/` : ''));
  const maxBytes = options.maxFileBytes ?? DEFAULTS.maxFileBytes;
  const includeSecrets = options.includeSecrets ?? false;
  // nothing changed (no file to read again), or files only written to: the last gather, patched
  if (changes?.contentOnly) {
    const last = feed!.remembered(key) as LastGather | undefined;
    const edited = [...changes.contentOnly].map((location) => last?.candidates.get(location));
    // only files written to (no .gitignore: its rules decide the listings), and links and broken links as they were
    if (last && edited.every((e) => e !== undefined && !/(^|\/)\.gitignore$/.test(e.candidate.path)) && (await stillOfTheirKind(fs, last.unsettled))) {
      const now = await reread(fs, last, edited as { candidate: Candidate; order: number }[], maxBytes, includeSecrets, options.cache, options.folders);
      options.signal?.throwIfAborted();
      feed!.completed(key, now);
      // nothing else changed in any watched folder; a link's target may lie elsewhere: links are checked again
      const skipped = [...now.skipped, ...(await checkLinks(fs, roots, prefixes, now.links, now.readPaths))];
      if (now.links.length > 0) skipped.sort((a, b) => comparePaths(a.path, b.path));
      const editedPaths = new Set(edited.map((e) => e!.candidate.path));
      const bytes = now.files.reduce((sum, f) => sum + f.bytes, 0);
      options.onProgress?.({
        stage: 'gather',
        files: now.files.length,
        skipped: skipped.length,
        bytes,
        read: edited.length,
        toRead: edited.length,
        filesPerSecond: 0,
      });
      return { files: [...now.files], skipped, read: edited.length, reused: now.files.filter((f) => !editedPaths.has(f.path)).length, watched: true };
    }
  }
  const found: WalkResult = { candidates: [], links: [], skipped: [], unsettled: [] };
  const visited = new Set<string>();
  for (const [i, root] of roots.entries()) {
    await walkRoot(fs, root, prefixes[i], { ...options, changes: feed }, changes, rootExcludes[i], found, visited);
  }
  feed?.retainOnly(visited);
  options.folders?.retainUnder(
    roots.map((r) => r.path),
    visited,
    (root, folder) => fs.relativeTo(root, folder) !== undefined,
  );
  const { candidates, skipped } = found;
  const readPaths = new Set(candidates.map((c) => c.path));
  const linkResults = await checkLinks(fs, roots, prefixes, found.links, readPaths);
  skipped.push(...linkResults);

  const counts = { read: 0, reused: 0 };
  // every candidate's size and time first, in one batch (but those the watcher vouches for); then only the files that changed are read
  const vouched = candidates.map((c) => (c.watched && !changes!.named(c.absPath) ? options.cache!.get(c.absPath) : undefined));
  const toStat = candidates.filter((_, i) => !vouched[i]);
  const statted = await fs.statMany(toStat.map((c) => c.absPath));
  let nextStat = 0;
  const stats = vouched.map((entry) => entry ?? statted[nextStat++]!);
  options.signal?.throwIfAborted();
  const results = new Array<SourceFile | SkippedFile>(candidates.length);
  // the counts a person sees as it goes are the run's own: files kept, files skipped (for any reason)
  let kept = 0;
  let skippedCount = skipped.length;
  let bytes = 0;
  const settle = (i: number, r: SourceFile | SkippedFile) => {
    results[i] = r;
    if ('text' in r) {
      kept++;
      bytes += r.bytes;
    } else skippedCount++;
  };
  const toRead: number[] = [];
  let readStarted = 0;
  const report = () => {
    const seconds = (performance.now() - readStarted) / 1000;
    const filesPerSecond = counts.read > 0 && seconds > 0 ? counts.read / seconds : 0;
    options.onProgress?.({ stage: 'gather', files: kept, skipped: skippedCount, bytes, read: counts.read, toRead: toRead.length, filesPerSecond });
  };
  for (const [i, c] of candidates.entries()) {
    const stat = stats[i]!;
    const unfit = unfitToRead(c, stat, maxBytes, options.cache);
    if (unfit) settle(i, unfit);
    else {
      // a file an event named is read again, whatever its stat says (an edit may keep its size and time)
      const entry = vouched[i] ?? (c.replaced || changes?.named(c.absPath) ? undefined : options.cache?.fresh(c.absPath, stat as FileStat));
      if (entry) {
        counts.reused++;
        settle(i, fromEntry(c, entry, includeSecrets));
      } else toRead.push(i);
    }
  }
  const limit = pLimit(32);
  readStarted = performance.now();
  await Promise.all(
    toRead.map((i, k) =>
      limit(async () => {
        options.signal?.throwIfAborted();
        settle(i, await readCandidate(fs, candidates[i]!, stats[i] as FileStat, includeSecrets, options.cache));
        counts.read++;
        if (k % 200 === 199) report();
      }),
    ),
  );
  report();
  options.signal?.throwIfAborted();
  const files: SourceFile[] = [];
  for (const r of results) {
    if ('text' in r) files.push(r);
    else skipped.push(r);
  }
  skipped.sort((a, b) => comparePaths(a.path, b.path));
  // a folder that holds a file skipped for its size or content is not kept on disk (nothing of a skipped file is written)
  if (options.folders) {
    const holding = new Set<string>();
    results.forEach((r, i) => {
      if (!('text' in r) && candidates[i]!.folder !== undefined) holding.add(candidates[i]!.folder!);
    });
    for (const folder of visited) options.folders.markSkipping(folder, holding.has(folder));
  }
  options.cache?.retainUnder(
    roots.map((r) => r.path),
    new Set(candidates.map((c) => c.absPath)),
    (root, location) => fs.relativeTo(root, location) !== undefined,
  );
  const gathered = { files, skipped, ...counts, watched: changes !== undefined };
  if (feed) {
    const fromLinks = new Set(linkResults);
    const last: LastGather = {
      files: [...files],
      skipped: skipped.filter((s) => !fromLinks.has(s)),
      links: found.links,
      unsettled: found.unsettled,
      readPaths,
      candidates: new Map(candidates.map((candidate, order) => [candidate.absPath, { candidate, order }])),
    };
    feed.completed(key, last);
  }
  return gathered;
}

/** Why a file is not read, from its stat: unreadable, or too large (what was kept of it is forgotten: what is kept always matches the file as last checked). */
function unfitToRead(c: Candidate, stat: FileStat | Error, maxBytes: number, cache: FileCache | undefined): SkippedFile | undefined {
  if (stat instanceof Error) {
    cache?.forget(c.absPath);
    return { path: c.path, reason: `unreadable (${errorCode(stat)})` };
  }
  if (stat.size > maxBytes) {
    cache?.forget(c.absPath);
    return { path: c.path, reason: `too large (${formatBytes(stat.size)} > ${formatBytes(maxBytes)})` };
  }
  return undefined;
}

/**
 * The last gather with these files read again (each written to since, nothing added, removed or
 * renamed): a file stays in its place in the walk's order, leaves the files for the skipped ones
 * (now binary, say) or comes back.
 */
async function reread(
  fs: FileSystem,
  last: LastGather,
  edited: readonly { candidate: Candidate; order: number }[],
  maxBytes: number,
  includeSecrets: boolean,
  cache: FileCache | undefined,
  folders: FolderCache | undefined,
): Promise<LastGather> {
  if (edited.length === 0) return last;
  const stats = await fs.statMany(edited.map((e) => e.candidate.absPath));
  const results = await Promise.all(
    edited.map(
      async ({ candidate }, i) =>
        unfitToRead(candidate, stats[i]!, maxBytes, cache) ?? (await readCandidate(fs, candidate, stats[i] as FileStat, includeSecrets, cache)),
    ),
  );
  const paths = new Set(edited.map((e) => e.candidate.path));
  const orderOf = (file: SourceFile) => last.candidates.get(file.absPath)!.order;
  const files = last.files.filter((f) => !paths.has(f.path));
  const skipped = last.skipped.filter((s) => !paths.has(s.path));
  results.forEach((r, i) => {
    if (!('text' in r)) {
      skipped.push(r);
      // its folder now holds a skipped file: its listing is not written to disk (as a whole walk decides)
      const folder = edited[i]!.candidate.folder;
      if (folder !== undefined) folders?.markSkipping(folder, true);
      return;
    }
    // its place among the files, by the walk's order
    const order = edited[i]!.order;
    let lo = 0;
    let hi = files.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (orderOf(files[mid]!) < order) lo = mid + 1;
      else hi = mid;
    }
    files.splice(lo, 0, r);
  });
  skipped.sort((a, b) => comparePaths(a.path, b.path));
  return { ...last, files, skipped };
}

async function readCandidate(
  fs: FileSystem,
  c: Candidate,
  stat: FileStat,
  includeSecrets: boolean,
  cache: FileCache | undefined,
): Promise<SourceFile | SkippedFile> {
  try {
    const readAt = Date.now();
    const data = await fs.readFile(c.absPath);
    const decoded = decodeText(data);
    const outcome = 'reason' in decoded ? decoded : { text: decoded.text, bytes: data.length };
    return cache ? fromEntry(c, cache.store(c.absPath, stat, readAt, outcome), includeSecrets) : classified(c, outcome, includeSecrets);
  } catch (err) {
    cache?.forget(c.absPath);
    return { path: c.path, reason: `unreadable (${errorCode(err)})` };
  }
}

/** A file from what reading it found (now or earlier): the same SourceFile object while it is unchanged. */
function fromEntry(c: Candidate, entry: FileCacheEntry, includeSecrets: boolean): SourceFile | SkippedFile {
  const { outcome } = entry;
  if ('reason' in outcome) return { path: c.path, reason: outcome.reason };
  const k = includeSecrets ? 1 : 0;
  if (entry.contentReasons[k] === null) entry.contentReasons[k] = contentReason(outcome.text, includeSecrets, c.path);
  const reason = entry.contentReasons[k];
  if (reason) return { path: c.path, reason };
  if (entry.file?.path !== c.path) entry.file = fileOfEntry(c.path, c.absPath, entry);
  return entry.file;
}

function classified(c: Candidate, outcome: ReadOutcome, includeSecrets: boolean): SourceFile | SkippedFile {
  if ('reason' in outcome) return { path: c.path, reason: outcome.reason };
  const reason = contentReason(outcome.text, includeSecrets, c.path);
  if (reason) return { path: c.path, reason };
  return { path: c.path, absPath: c.absPath, text: outcome.text, bytes: outcome.bytes };
}

/**
 * A link to a file is never read through the link: one that leaves every root would widen what is
 * read (`notes.md -> ~/secrets.txt`), and one inside is read under its own path, once. Each is
 * listed with where it leads.
 */
async function checkLinks(
  fs: FileSystem,
  roots: GatherRoot[],
  prefixes: string[],
  links: readonly Candidate[],
  read: ReadonlySet<string>,
): Promise<SkippedFile[]> {
  if (links.length === 0) return [];
  const realRoots = await Promise.all(roots.map((r) => fs.realPath(r.path).catch(() => undefined)));
  return Promise.all(
    links.map(async (link): Promise<SkippedFile> => {
      let real: string | undefined;
      try {
        real = await fs.realPath(link.absPath);
      } catch {
        return { path: link.path, reason: 'not a regular file (or a broken link)' };
      }
      if (real === undefined) return { path: link.path, reason: 'symbolic link (its target cannot be checked here; not followed)' };
      for (const [i, realRoot] of realRoots.entries()) {
        const rel = realRoot === undefined ? undefined : fs.relativeTo(realRoot, real);
        if (rel === undefined) continue;
        const target = prefixes[i] + rel;
        return { path: link.path, reason: read.has(target) ? `symbolic link to ${target} (read there)` : `symbolic link to ${target}, which is not read` };
      }
      return { path: link.path, reason: LINK_OUTSIDE };
    }),
  );
}

async function walkRoot(
  fs: FileSystem,
  root: GatherRoot,
  prefix: string,
  options: GatherOptions,
  changes: Changes | undefined,
  exclude: string | undefined,
  found: WalkResult,
  visited: Set<string>,
) {
  const { candidates: out, links, skipped } = found;
  const useGitignore = options.useGitignore ?? true;
  const rootLayer = ignore();
  if (exclude) rootLayer.add(exclude);
  // the defaults (node_modules/ and the like) and the user's own excludes, told apart in the skipped list
  const excludes = options.excludes ?? DEFAULT_EXCLUDES;
  const defaultRules = ignore().add(excludes.filter((e) => DEFAULT_EXCLUDES.includes(e)));
  const userRules = ignore().add(excludes.filter((e) => !DEFAULT_EXCLUDES.includes(e)));
  // what decides a folder's listing besides its own entries and .gitignore files: a kept listing made under other rules is not used
  const rootKey = JSON.stringify([excludes, useGitignore, options.includeSecrets ?? false, exclude ?? '']);
  const folders = options.folders;

  const isIgnored = (layers: IgnoreLayer[], rel: string, isDir: boolean): 'default' | 'user' | 'gitignore' | undefined => {
    const probe = isDir ? `${rel}/` : rel;
    if (defaultRules.ignores(probe)) return 'default';
    if (userRules.ignores(probe)) return 'user';
    let ignored = false;
    for (const layer of layers) {
      const sub = layer.base ? probe.slice(layer.base.length + 1) : probe;
      const verdict = layer.rules.test(sub);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored ? 'gitignore' : undefined;
  };

  /** The folder's entries as the walk decides them, read now; undefined when it cannot be read (said in `skipped`). */
  const list = async (dirAbs: string, dirRel: string, layers: IgnoreLayer[], rulesKey: string, dirStat: FileStat | undefined) => {
    const listedAt = Date.now();
    let entries;
    try {
      entries = await fs.readDirectory(dirAbs);
    } catch (err) {
      skipped.push({ path: prefix + (dirRel || '.') + '/', reason: `unreadable folder (${errorCode(err)})` });
      return undefined;
    }
    entries.sort((a, b) => comparePaths(a.name, b.name));
    let gitignore: FolderListing['gitignore'];
    if (useGitignore && entries.some((e) => e.name === '.gitignore' && e.kind === 'file')) {
      const file = fs.join(dirAbs, '.gitignore');
      const [stat] = await fs.statMany([file]);
      const rules = await readOptional(fs, file);
      // an empty (or unreadable) one too, with no rules: its stat is what tells the next walk that rules were written into it
      if (stat && !(stat instanceof Error)) gitignore = { size: stat.size, mtimeMs: stat.mtimeMs, text: rules ?? '', rules: ignore().add(rules ?? '') };
    }
    const own = gitignore ? [...layers, { base: dirRel, rules: gitignore.rules }] : layers;
    const listed: ListedEntry[] = [];
    let keep = dirStat !== undefined;
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const rel = dirRel ? `${dirRel}/${entry.name}` : entry.name;
      const isFolder = entry.kind === 'directory' || entry.kind === 'symlinkToDirectory';
      const ignoredBy = isIgnored(own, rel, isFolder);
      if (ignoredBy) {
        // .gitignored files are not worth listing one by one
        if (ignoredBy !== 'gitignore')
          listed.push({
            kind: 'skipped',
            name: entry.name,
            isFolder,
            reason: ignoredBy === 'default' ? 'excluded by default (node_modules/ and the like)' : 'excluded by your excludes',
          });
        continue;
      }
      switch (entry.kind) {
        case 'directory':
          listed.push({ kind: 'folder', name: entry.name });
          break;
        case 'symlinkToDirectory':
          // Not followed, as git does not: this is also what makes symlink loops harmless.
          listed.push({ kind: 'skipped', name: entry.name, isFolder: true, reason: 'symbolic link to a folder (not followed)' });
          keep = false;
          found.unsettled.push({ folder: dirAbs, name: entry.name, kind: entry.kind });
          break;
        case 'file': {
          const reason = (options.includeSecrets ? undefined : secretReason(entry.name)) ?? nameReason(entry.name);
          listed.push(reason ? { kind: 'skipped', name: entry.name, isFolder: false, reason } : { kind: 'file', name: entry.name });
          break;
        }
        case 'symlinkToFile':
          listed.push({ kind: 'link', name: entry.name });
          keep = false;
          found.unsettled.push({ folder: dirAbs, name: entry.name, kind: entry.kind });
          break;
        default:
          listed.push({ kind: 'skipped', name: entry.name, isFolder: false, reason: 'not a regular file (or a broken link)' });
          // a broken link may be mended without the folder changing
          keep = false;
          found.unsettled.push({ folder: dirAbs, name: entry.name, kind: entry.kind });
      }
    }
    const listing: FolderListing = { mtimeMs: dirStat?.mtimeMs ?? 0, listedAt, rulesKey, ...(gitignore ? { gitignore } : {}), entries: listed };
    if (folders && keep) folders.store(dirAbs, listing);
    else folders?.forget(dirAbs);
    return listing;
  };

  /** `aboveWatched`: the folder above was watched through (not replaced), so this one is the folder its watch knew. */
  const walk = async (dirAbs: string, dirRel: string, layers: IgnoreLayer[], rulesKey: string, aboveWatched: boolean): Promise<void> => {
    options.signal?.throwIfAborted();
    visited.add(dirAbs);
    // the watcher says this folder may not be the one it watched here (it, or one above it, was
    // replaced or moved): what was kept of it is not trusted, even where the times agree
    const replaced = changes !== undefined && (!aboveWatched || changes.named(dirAbs));
    // watched before its listing is used or made: a change from now on is told to the next gather
    options.changes?.watch(dirAbs, !changes || replaced);
    const watched = changes?.watchedBefore(dirAbs) ?? false;
    let dirStat: FileStat | undefined;
    let listing: FolderListing | undefined;
    // a folder watched through, with no event in it: its kept listing stands, unstat'ed
    const keptListing = watched && !changes!.touched(dirAbs) ? folders?.get(dirAbs) : undefined;
    if (keptListing?.rulesKey === rulesKey) listing = keptListing;
    // with a folder cache: the folder's time first (a change after it makes the next walk list it again), then its kept listing if still true
    else if (folders) {
      const [stat] = await fs.statMany([dirAbs]);
      if (stat && !(stat instanceof Error)) dirStat = stat;
      listing = dirStat && !replaced && !changes?.touched(dirAbs) ? folders.fresh(dirAbs, dirStat, rulesKey) : undefined;
      if (listing?.gitignore && !FolderCache.sameGitignore(listing, (await fs.statMany([fs.join(dirAbs, '.gitignore')]))[0])) listing = undefined;
    }
    listing ??= await list(dirAbs, dirRel, layers, rulesKey, dirStat);
    if (!listing) return;
    const { gitignore } = listing;
    if (gitignore) layers = [...layers, { base: dirRel, rules: gitignore.rules }];
    const inner = gitignore ? `${rulesKey}|${dirRel}:${gitignore.size}:${gitignore.mtimeMs}` : rulesKey;
    for (const entry of listing.entries) {
      const rel = dirRel ? `${dirRel}/${entry.name}` : entry.name;
      const shown = prefix + rel;
      switch (entry.kind) {
        case 'file':
          out.push({ path: shown, absPath: fs.join(dirAbs, entry.name), folder: dirAbs, watched, replaced });
          break;
        case 'folder':
          await walk(fs.join(dirAbs, entry.name), rel, layers, inner, watched);
          break;
        case 'link':
          links.push({ path: shown, absPath: fs.join(dirAbs, entry.name) });
          break;
        case 'skipped':
          skipped.push({ path: entry.isFolder ? `${shown}/` : shown, reason: entry.reason });
      }
    }
  };
  await walk(root.path, '', [{ base: '', rules: rootLayer }], rootKey, true);
}

async function readOptional(fs: FileSystem, file: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await fs.readFile(file));
  } catch {
    return undefined;
  }
}

/** Code-unit order on `/`-separated paths, so the order is the same on every platform and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function errorCode(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}
