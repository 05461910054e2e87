// The warm index the extension runs with: for a `file:` workspace, the one kept on disk for its
// folders (read on the first question after VS Code starts, written back after a question that
// changed it), so that a window opened again does not read every file again; for a virtual
// workspace, or with `xl3m.indexCache` off, one kept in memory only.
import * as vscode from 'vscode';
import type { GatherRoot } from '../core/files/gather';
import { cacheFolder } from '../core/store/cacheFolder';
import { DiskIndex } from '../core/store/diskIndex';
import { WarmIndex } from '../core/warmIndex';
import type { Settings } from './config';

export class WorkspaceIndexes {
  private memory = new WarmIndex();
  private disk: { key: string; index: Promise<DiskIndex> } | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** The index for a run over these roots (URI strings). */
  async forRoots(roots: readonly GatherRoot[], settings: Pick<Settings, 'indexCache' | 'indexCacheMegabytes'>): Promise<WarmIndex> {
    const uris = roots.map((r) => vscode.Uri.parse(r.path));
    if (!settings.indexCache || !uris.every((u) => u.scheme === 'file')) {
      this.disk = undefined;
      return this.memory;
    }
    const options = {
      folder: cacheFolder(),
      maxBytes: settings.indexCacheMegabytes * 2 ** 20,
      locations: { form: 'file URIs', pathOf: (location: string) => vscode.Uri.parse(location).fsPath },
    };
    const key = JSON.stringify([uris.map((u) => u.fsPath).sort(), options.folder, options.maxBytes]);
    if (this.disk?.key !== key)
      this.disk = {
        key,
        index: DiskIndex.of(
          uris.map((u) => u.fsPath),
          options,
        ),
      };
    return (await this.disk.index).load();
  }

  /** Writes the disk index back after a question, in the background; a note in the log when it cannot be. */
  save() {
    void this.disk?.index
      .then((d) => d.save())
      .then(
        (note) => note && this.log(note),
        (err) => this.log(`the index could not be written: ${(err as Error).message}`),
      );
  }
}
