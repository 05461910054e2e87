import { promises as fsp, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

// The core reads files only through this, so the extension can hand it `workspace.fs`
// (remote workspaces) and the CLI and tests hand it `node:fs`.

export type EntryKind = 'file' | 'directory' | 'symlinkToFile' | 'symlinkToDirectory' | 'other';

export interface DirEntry {
  name: string;
  kind: EntryKind;
}

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface FileSystem {
  readDirectory(dir: string): Promise<DirEntry[]>;
  /** Size in bytes and last modification of each file (following symlinks), or why it could not be had. */
  statMany(files: readonly string[]): Promise<(FileStat | Error)[]>;
  readFile(file: string): Promise<Uint8Array>;
  join(...parts: string[]): string;
  /**
   * The path with every symbolic link resolved, in this file system's own form, or undefined where
   * this file system cannot tell (a virtual workspace): a link is then not followed.
   */
  realPath(file: string): Promise<string | undefined>;
  /** `file` relative to `dir` with `/` separators, or undefined when it is not under `dir`. */
  relativeTo(dir: string, file: string): string | undefined;
}

/** `file` relative to `dir` in plain path form, `/`-separated; undefined outside `dir`. */
export function relativePath(dir: string, file: string): string | undefined {
  const rel = path.relative(dir, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

export const nodeFileSystem: FileSystem = {
  async readDirectory(dir) {
    const entries = readdirSync(dir, { withFileTypes: true }); // as stat below: in microseconds
    // synchronous too: a folder of plain files and folders costs no promise per entry
    return entries.map((e): DirEntry => {
      if (e.isFile()) return { name: e.name, kind: 'file' };
      if (e.isDirectory()) return { name: e.name, kind: 'directory' };
      if (e.isSymbolicLink()) {
        try {
          const target = statSync(path.join(dir, e.name));
          if (target.isDirectory()) return { name: e.name, kind: 'symlinkToDirectory' };
          if (target.isFile()) return { name: e.name, kind: 'symlinkToFile' };
        } catch {
          // broken link or a loop: not readable, reported as `other`
        }
      }
      return { name: e.name, kind: 'other' };
    });
  },
  // Synchronous, in batches: a stat answers from the kernel's cache in microseconds, where the
  // promise form's round trip through libuv's thread pool, one promise a file, cost ten times that
  // (a warm question stats every file). The event loop gets a turn between batches.
  async statMany(files) {
    const out: (FileStat | Error)[] = [];
    for (const [i, file] of files.entries()) {
      if (i > 0 && i % 4096 === 0) await new Promise((resolve) => setImmediate(resolve));
      try {
        const { size, mtimeMs } = statSync(file);
        out.push({ size, mtimeMs });
      } catch (err) {
        out.push(err as Error);
      }
    }
    return out;
  },
  async readFile(file) {
    return fsp.readFile(file);
  },
  join: (...parts) => path.join(...parts),
  async realPath(file) {
    return fsp.realpath(file);
  },
  relativeTo: relativePath,
};
