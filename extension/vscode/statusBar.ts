import * as vscode from 'vscode';

/** Shows the last run; a click shows the answer panel (or asks, before the first run). */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('xl3m.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'xl3m';
    this.idle();
    this.item.show();
  }

  idle() {
    this.item.text = '$(comment-discussion) xl3m';
    this.item.tooltip = 'Ask the Codebase';
    this.item.command = 'xl3m.ask';
  }

  running(text: string) {
    this.item.text = `$(sync~spin) xl3m: ${text}`;
    this.item.command = 'xl3m.showPanel';
  }

  finished(text: string, question: string, index?: string) {
    this.item.text = `$(comment-discussion) xl3m: ${text}`;
    this.item.tooltip = `Last question: ${question}${index ? `\n${index}` : ''}`;
    this.item.command = 'xl3m.showPanel';
  }

  dispose() {
    this.item.dispose();
  }
}
