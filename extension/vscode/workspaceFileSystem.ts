import { promises as fsp } from 'node:fs';
import type * as vscode from 'vscode';
import { relativePath, type DirEntry, type FileSystem } from '../core/files/fileSystem';

export type WorkspaceApi = Pick<typeof vscode, 'Uri' | 'FileType'> & { workspace: { fs: Pick<vscode.FileSystem, 'readDirectory' | 'stat' | 'readFile'> } };

/**
 * The core's FileSystem on `workspace.fs`, so remote workspaces work; paths are URI strings. It
 * takes VS Code's API as an argument, so that it runs in plain Node under test.
 */
export function workspaceFileSystem(vs: WorkspaceApi): FileSystem {
  return {
    async readDirectory(dir) {
      const entries = await vs.workspace.fs.readDirectory(vs.Uri.parse(dir));
      return entries.map(([name, type]): DirEntry => {
        const link = (type & vs.FileType.SymbolicLink) !== 0;
        if (type & vs.FileType.Directory) return { name, kind: link ? 'symlinkToDirectory' : 'directory' };
        if (type & vs.FileType.File) return { name, kind: link ? 'symlinkToFile' : 'file' };
        return { name, kind: 'other' };
      });
    },
    async size(file) {
      return (await vs.workspace.fs.stat(vs.Uri.parse(file))).size;
    },
    readFile: (file) => Promise.resolve(vs.workspace.fs.readFile(vs.Uri.parse(file))),
    join: (base, ...parts) => vs.Uri.joinPath(vs.Uri.parse(base), ...parts).toString(),
    // The extension host runs where `file:` workspaces are (remote windows too), so Node resolves
    // their links; a virtual workspace's links cannot be resolved here, and are not followed.
    async realPath(file) {
      const uri = vs.Uri.parse(file);
      if (uri.scheme !== 'file') return undefined;
      return vs.Uri.file(await fsp.realpath(uri.fsPath)).toString();
    },
    relativeTo(dir, file) {
      const d = vs.Uri.parse(dir);
      const f = vs.Uri.parse(file);
      if (d.scheme !== f.scheme || d.authority !== f.authority) return undefined;
      if (d.scheme === 'file') return relativePath(d.fsPath, f.fsPath);
      const base = d.path.endsWith('/') ? d.path : `${d.path}/`;
      return f.path.startsWith(base) && f.path.length > base.length ? f.path.slice(base.length) : undefined;
    },
  };
}
