import * as vscode from 'vscode';
import { indexedText } from '../core/report/progressText';

/** How often the "updated ... ago" of an idle status bar is brought up to date. */
const REFRESH_MS = 15_000;

/**
 * The last run, and between questions the index it left: "26,088 files indexed, updated 2 min ago";
 * while files are read, how far ("indexing 12,400 of 36,770 files, 14s left"). A click shows the
 * answer panel (or asks, before the first run).
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('xl3m.status', vscode.StatusBarAlignment.Left, 50);
  private refresh: ReturnType<typeof setInterval> | undefined;

  constructor() {
    this.item.name = 'xl3m';
    this.idle();
    this.item.show();
  }

  idle() {
    this.stopRefresh();
    this.item.text = '$(comment-discussion) xl3m';
    this.item.tooltip = 'Ask the Codebase';
    this.item.command = 'xl3m.ask';
  }

  running(text: string) {
    this.stopRefresh();
    this.item.text = `$(sync~spin) xl3m: ${text}`;
    this.item.command = 'xl3m.showPanel';
  }

  /** After a run: what it did (`text`, e.g. "cancelled"), or, given the index it left, how many files that holds and since when. */
  finished(text: string, question: string, index?: { files: number; updatedAt: number; state: string }) {
    this.stopRefresh();
    const show = () => {
      this.item.text = `$(comment-discussion) xl3m: ${index ? `${indexedText(index.files, index.updatedAt)}${text ? ` (${text})` : ''}` : text}`;
    };
    show();
    if (index) this.refresh = setInterval(show, REFRESH_MS);
    this.item.tooltip = `Last question: ${question}${index ? `\n${index.state}` : ''}`;
    this.item.command = 'xl3m.showPanel';
  }

  private stopRefresh() {
    if (this.refresh) clearInterval(this.refresh);
    this.refresh = undefined;
  }

  dispose() {
    this.stopRefresh();
    this.item.dispose();
  }
}
