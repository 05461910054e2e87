// The warm index the extension runs with: for a `file:` workspace, the one kept on disk for its
// folders (read on the first question after VS Code starts, written back after a question that
// changed it), so that a window opened again does not read every file again; for a virtual
// workspace, or with `xl3m.indexCache` off, one kept in memory only. A `file:` workspace's folders
// are watched (Linux, local disks: core/files/folderWatcher.ts), so a repeat question does not
// stat the files that did not change.
import * as vscode from 'vscode';
import type { FileSystem } from '../core/files/fileSystem';
import type { GatherRoot } from '../core/files/gather';
import { cacheFolder } from '../core/store/cacheFolder';
import { DiskIndex } from '../core/store/diskIndex';
import { WarmIndex } from '../core/warmIndex';
import type { Settings } from './config';

export class WorkspaceIndexes {
  private memory = new WarmIndex();
  private disk: { key: string; index: Promise<DiskIndex> } | undefined;
  /** The folders could not be watched (said once in the log): not tried again. */
  private watchRefused = false;

  constructor(private readonly log: (line: string) => void) {}

  /** The index for a run over these roots (URI strings), its folders watched where they can be. */
  async forRoots(roots: readonly GatherRoot[], settings: Pick<Settings, 'indexCache' | 'indexCacheMegabytes'>, fs: FileSystem): Promise<WarmIndex> {
    const uris = roots.map((r) => vscode.Uri.parse(r.path));
    const index = await this.indexFor(uris, settings);
    // (a virtual workspace's folders are not watched: its questions read postings all the same)
    index.lexical.keepPostings();
    if (!index.changes && !this.watchRefused && uris.every((u) => u.scheme === 'file')) {
      const why = index.watchFolders(
        uris.map((u) => u.fsPath),
        { pathOf: (location) => vscode.Uri.parse(location).fsPath, join: (folder, name) => fs.join(folder, name) },
      );
      // said once a window: every question checks every file's time
      if (why) this.log(`every question checks every file: ${why}`);
      this.watchRefused = why !== undefined;
    }
    return index;
  }

  private async indexFor(uris: readonly vscode.Uri[], settings: Pick<Settings, 'indexCache' | 'indexCacheMegabytes'>): Promise<WarmIndex> {
    if (!settings.indexCache || !uris.every((u) => u.scheme === 'file')) {
      this.letGo();
      return this.memory;
    }
    const options = {
      folder: cacheFolder(),
      maxBytes: settings.indexCacheMegabytes * 2 ** 20,
      locations: { form: 'file URIs', pathOf: (location: string) => vscode.Uri.parse(location).fsPath },
    };
    const key = JSON.stringify([uris.map((u) => u.fsPath).sort(), options.folder, options.maxBytes]);
    // the index in memory only (used while the cache was off) is not used now: its folders are no longer watched
    this.memory.stopWatching();
    if (this.disk?.key !== key) {
      this.letGo();
      this.disk = {
        key,
        index: DiskIndex.of(
          uris.map((u) => u.fsPath),
          options,
        ),
      };
    }
    return (await this.disk.index).load();
  }

  /** The disk index of other folders or settings is no longer used: its folders are no longer watched. */
  private letGo() {
    void this.disk?.index
      .then((d) => d.load())
      .then(
        (index) => index.stopWatching(),
        () => undefined,
      );
    this.disk = undefined;
  }

  /**
   * Writes the disk index back after a question, in the background; a note in the log when it
   * cannot be. It starts once what the question's end sent the window has left (the extension
   * host sends its messages when its thread is free): run first, finding what changed among
   * 26,000 files kept the thread 19-50 ms longer before the panel's summary could leave.
   */
  save() {
    setTimeout(() => this.saveNow(), 0);
  }

  private saveNow() {
    void this.disk?.index
      .then((d) => d.save())
      .then(
        (note) => note && this.log(note),
        (err) => this.log(`the index could not be written: ${(err as Error).message}`),
      );
  }
}
