import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

// The core reads files only through this, so the extension can hand it `workspace.fs`
// (remote workspaces) and the CLI and tests hand it `node:fs`.

export type EntryKind = 'file' | 'directory' | 'symlinkToFile' | 'symlinkToDirectory' | 'other';

export interface DirEntry {
  name: string;
  kind: EntryKind;
}

export interface FileSystem {
  readDirectory(dir: string): Promise<DirEntry[]>;
  /** Size in bytes of a file (following symlinks). */
  size(file: string): Promise<number>;
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
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    return Promise.all(
      entries.map(async (e): Promise<DirEntry> => {
        if (e.isFile()) return { name: e.name, kind: 'file' };
        if (e.isDirectory()) return { name: e.name, kind: 'directory' };
        if (e.isSymbolicLink()) {
          try {
            const target = await fsp.stat(path.join(dir, e.name));
            if (target.isDirectory()) return { name: e.name, kind: 'symlinkToDirectory' };
            if (target.isFile()) return { name: e.name, kind: 'symlinkToFile' };
          } catch {
            // broken link or a loop: not readable, reported as `other`
          }
        }
        return { name: e.name, kind: 'other' };
      }),
    );
  },
  async size(file) {
    return (await fsp.stat(file)).size;
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
