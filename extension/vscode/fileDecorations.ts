import * as vscode from 'vscode';
import type { RankedFile } from '../core/types';
import { formatRelevance } from '../core/report/rangeFormat';

/** Badges the best files of the ranking in the Explorer with their rank; cleared on the next question. */
export class RelevantFileDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private ranks = new Map<string, { rank: number; file: RankedFile }>();

  set(files: RankedFile[]) {
    const before = [...this.ranks.keys()];
    this.ranks = new Map(files.map((f, i) => [vscode.Uri.parse(f.location).toString(), { rank: i + 1, file: f }]));
    this.changed.fire([...new Set([...before, ...this.ranks.keys()])].map((u) => vscode.Uri.parse(u)));
  }

  clear() {
    this.set([]);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const r = this.ranks.get(uri.toString());
    if (!r) return undefined;
    return {
      badge: r.rank < 100 ? String(r.rank) : '•',
      tooltip: `xl3m: #${r.rank}, relevance ${formatRelevance(r.file)} of the best file`,
      color: new vscode.ThemeColor('xl3m.relevantFileForeground'),
      propagate: false,
    };
  }

  dispose() {
    this.changed.dispose();
  }
}
