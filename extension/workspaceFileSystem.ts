import * as vscode from 'vscode';
import type { DirEntry, FileSystem } from './core/fileSystem';

/** The core's FileSystem on `workspace.fs`, so remote workspaces work; paths are URI strings. */
export const workspaceFileSystem: FileSystem = {
  async readDirectory(dir) {
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse(dir));
    return entries.map(([name, type]): DirEntry => {
      const link = (type & vscode.FileType.SymbolicLink) !== 0;
      if (type & vscode.FileType.Directory) return { name, kind: link ? 'symlinkToDirectory' : 'directory' };
      if (type & vscode.FileType.File) return { name, kind: link ? 'symlinkToFile' : 'file' };
      return { name, kind: 'other' };
    });
  },
  async size(file) {
    return (await vscode.workspace.fs.stat(vscode.Uri.parse(file))).size;
  },
  readFile: (file) => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.parse(file))),
  join: (base, ...parts) => vscode.Uri.joinPath(vscode.Uri.parse(base), ...parts).toString(),
};
