// Where the warm index lives on disk, one file per set of repository roots: `XL3M_CACHE_DIR`, else
// the user's cache folder of the platform; private to the user (0700), never inside a repository.
// The folder holds at most a size limit: the indexes used least recently go first.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeHeader, wholeIndexBytes, type IndexHeader } from './indexFile';

export const INDEX_SUFFIX = '.index';
/** A temporary file older than this was left by a process that died while writing. */
const ABANDONED_MS = 60 * 60 * 1000;

/** The cache folder: `XL3M_CACHE_DIR`, else `$XDG_CACHE_HOME/xl3m` or `~/.cache/xl3m`, `~/Library/Caches/xl3m`, `%LOCALAPPDATA%\xl3m`. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.XL3M_CACHE_DIR) return path.resolve(env.XL3M_CACHE_DIR);
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'xl3m');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'xl3m');
  return path.join(env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache'), 'xl3m');
}

/** The index file of a set of roots (real paths): the same whatever their order. */
export function indexFileOf(folder: string, roots: readonly string[]): string {
  const key = createHash('sha256')
    .update([...roots].sort().join('\0'))
    .digest('hex')
    .slice(0, 32);
  return path.join(folder, `${key}${INDEX_SUFFIX}`);
}

/** Makes the folder (0700) if it is not there; a folder that exists keeps its own mode unless it is ours to tighten. */
export async function ensureCacheFolder(folder: string): Promise<void> {
  await fsp.mkdir(folder, { recursive: true, mode: 0o700 });
  const st = await fsp.stat(folder);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) await fsp.chmod(folder, 0o700);
}

export interface CachedIndex {
  file: string;
  bytes: number;
  /** When a process last read or wrote it. */
  usedAt: Date;
  header?: IndexHeader;
  /** The bytes of its journal: the changes appended since the whole index (and `header.files`) was written. */
  journalBytes?: number;
  /** Why its header cannot be read (it is dropped at the next trim). */
  problem?: string;
}

/** Every index in the folder, the most recently used first. */
export async function listCache(folder: string): Promise<CachedIndex[]> {
  let names: string[];
  try {
    names = await fsp.readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: CachedIndex[] = [];
  for (const name of names.filter((n) => n.endsWith(INDEX_SUFFIX) && !n.startsWith('.'))) {
    const file = path.join(folder, name);
    const st = await fsp.stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    const entry: CachedIndex = { file, bytes: st.size, usedAt: st.mtime };
    try {
      const handle = await fsp.open(file, 'r');
      try {
        const head = Buffer.alloc(Math.min(st.size, 64 * 1024));
        await handle.read(head, 0, head.length, 0);
        const { header, bodyStart } = decodeHeader(head);
        entry.header = header;
        entry.journalBytes = Math.max(0, st.size - wholeIndexBytes(header, bodyStart));
      } finally {
        await handle.close();
      }
    } catch (err) {
      entry.problem = (err as Error).message;
    }
    out.push(entry);
  }
  return out.sort((a, b) => b.usedAt.getTime() - a.usedAt.getTime());
}

/** Removes every index (and every temporary file) in the folder; what it removed. */
export async function clearCache(folder: string): Promise<{ files: number; bytes: number }> {
  let names: string[];
  try {
    names = await fsp.readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, bytes: 0 };
    throw err;
  }
  let files = 0;
  let bytes = 0;
  for (const name of names.filter((n) => n.endsWith(INDEX_SUFFIX) || (n.startsWith('.') && n.endsWith('.tmp')))) {
    const file = path.join(folder, name);
    const st = await fsp.stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    await fsp.rm(file, { force: true });
    files++;
    bytes += st.size;
  }
  return { files, bytes };
}

/**
 * Keeps the folder within `maxBytes`: the indexes used least recently are removed first, and
 * temporary files a dead process left. Returns the files removed (`keep` among them when it alone is
 * over the limit).
 */
export async function trimCache(folder: string, maxBytes: number): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fsp.readdir(folder).catch(() => [] as string[])) {
    if (!(name.startsWith('.') && name.endsWith('.tmp'))) continue;
    const file = path.join(folder, name);
    const st = await fsp.stat(file).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > ABANDONED_MS) {
      await fsp.rm(file, { force: true });
      removed.push(file);
    }
  }
  const indexes = await listCache(folder);
  let total = indexes.reduce((a, e) => a + e.bytes, 0);
  for (const e of [...indexes].reverse()) {
    if (total <= maxBytes && !e.problem) continue;
    await fsp.rm(e.file, { force: true });
    removed.push(e.file);
    total -= e.bytes;
  }
  return removed;
}
