import { promises as fsp } from 'node:fs';
import pLimit from 'p-limit';
import type * as vscode from 'vscode';
import { nodeFileSystem, relativePath, type DirEntry, type FileSystem } from '../core/files/fileSystem';

export type WorkspaceApi = Pick<typeof vscode, 'Uri' | 'FileType'> & { workspace: { fs: Pick<vscode.FileSystem, 'readDirectory' | 'stat' | 'readFile'> } };

/**
 * The core's FileSystem for a workspace; paths are URI strings. The extension host runs where a
 * `file:` workspace's files are (in remote windows too), so Node's file system reads those: one
 * call per file, where `workspace.fs` made a round trip to the workbench per directory, stat and
 * file (10x slower on a large repository). Virtual workspaces go through `workspace.fs`. It takes
 * VS Code's API as an argument, so that it runs in plain Node under test.
 */
export function workspaceFileSystem(vs: WorkspaceApi): FileSystem {
  const local = (uri: vscode.Uri) => uri.scheme === 'file';
  return {
    async readDirectory(dir) {
      const uri = vs.Uri.parse(dir);
      if (local(uri)) return nodeFileSystem.readDirectory(uri.fsPath);
      const entries = await vs.workspace.fs.readDirectory(uri);
      return entries.map(([name, type]): DirEntry => {
        const link = (type & vs.FileType.SymbolicLink) !== 0;
        if (type & vs.FileType.Directory) return { name, kind: link ? 'symlinkToDirectory' : 'directory' };
        if (type & vs.FileType.File) return { name, kind: link ? 'symlinkToFile' : 'file' };
        return { name, kind: 'other' };
      });
    },
    async statMany(files) {
      const uris = files.map((f) => vs.Uri.parse(f));
      if (uris.every(local)) return nodeFileSystem.statMany(uris.map((u) => u.fsPath));
      const limit = pLimit(32);
      return Promise.all(
        uris.map((uri) =>
          limit(async () => {
            try {
              const { size, mtime } = await vs.workspace.fs.stat(uri);
              return { size, mtimeMs: mtime };
            } catch (err) {
              return err as Error;
            }
          }),
        ),
      );
    },
    readFile(file) {
      const uri = vs.Uri.parse(file);
      return local(uri) ? nodeFileSystem.readFile(uri.fsPath) : Promise.resolve(vs.workspace.fs.readFile(uri));
    },
    join: (base, ...parts) => vs.Uri.joinPath(vs.Uri.parse(base), ...parts).toString(),
    // a virtual workspace's links cannot be resolved here: they are not followed
    async realPath(file) {
      const uri = vs.Uri.parse(file);
      if (!local(uri)) return undefined;
      return vs.Uri.file(await fsp.realpath(uri.fsPath)).toString();
    },
    relativeTo(dir, file) {
      const d = vs.Uri.parse(dir);
      const f = vs.Uri.parse(file);
      if (d.scheme !== f.scheme || d.authority !== f.authority) return undefined;
      if (local(d)) return relativePath(d.fsPath, f.fsPath);
      const base = d.path.endsWith('/') ? d.path : `${d.path}/`;
      return f.path.startsWith(base) && f.path.length > base.length ? f.path.slice(base.length) : undefined;
    },
  };
}
