import * as vscode from 'vscode';
import type { RankedFile } from '../core/types';
import { describeRelevance, formatRanges, formatRelevance } from '../core/report/rangeFormat';

/** The "Relevant Files" view: the best files of the ranking, most relevant first, each opening at its first range. */
export class RelevantFilesTree implements vscode.TreeDataProvider<RankedFile>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private files: RankedFile[] = [];

  set(files: RankedFile[]) {
    this.files = files;
    this.changed.fire();
  }

  getChildren(element?: RankedFile): RankedFile[] {
    return element ? [] : this.files;
  }

  getTreeItem(file: RankedFile): vscode.TreeItem {
    const uri = vscode.Uri.parse(file.location);
    const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
    // the name first and the relevance right after it: the view is narrow
    const slash = file.path.lastIndexOf('/');
    item.label = file.path.slice(slash + 1);
    item.description = `${formatRelevance(file)} · ${file.kind}${file.inKeyContext ? ' · read for the answer' : ''}${file.pinned ? ' · pinned' : ''}${slash > 0 ? ` · ${file.path.slice(0, slash)}` : ''}`;
    item.tooltip = `${file.path}\n${describeRelevance(file)}\nlines ${formatRanges(file.ranges)}`;
    const first = file.ranges[0];
    item.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [uri, first ? { selection: new vscode.Range(first.start - 1, 0, first.start - 1, 0) } : {}],
    };
    return item;
  }

  dispose() {
    this.changed.dispose();
  }
}
