// What the cache folder (cacheFolder.ts) holds: its indexes, each with its header, listed, cleared
// or trimmed to a size limit, the indexes used least recently going first.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { INDEX_SUFFIX } from './cacheFolder';
import { decodeHeader, wholeIndexBytes, type IndexHeader } from './indexFile';

/** A temporary file older than this was left by a process that died while writing. */
const ABANDONED_MS = 60 * 60 * 1000;

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
