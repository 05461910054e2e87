import * as vscode from 'vscode';
import type { RankedFile } from '../core/types';

/** Shades the chosen line ranges in every editor showing a chosen file. */
export class RangeHighlights implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('xl3m.rangeBackground'),
    isWholeLine: true,
    overviewRulerColor: new vscode.ThemeColor('xl3m.relevantFileForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private ranges = new Map<string, vscode.Range[]>();
  private readonly subscription = vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.apply(e)));

  set(files: RankedFile[]) {
    this.ranges = new Map(files.map((f) => [vscode.Uri.parse(f.location).toString(), f.ranges.map((r) => new vscode.Range(r.start - 1, 0, r.end - 1, 0))]));
    vscode.window.visibleTextEditors.forEach((e) => this.apply(e));
  }

  private apply(editor: vscode.TextEditor) {
    editor.setDecorations(this.decoration, this.ranges.get(editor.document.uri.toString()) ?? []);
  }

  dispose() {
    this.subscription.dispose();
    this.decoration.dispose();
  }
}
