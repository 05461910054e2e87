import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { sameElements } from '../core/sameElements';
import { EMPTY_STATE, parseWebviewMessage, type HostMessage, type PanelState, type WebviewMessage } from './protocol';
import { makeNonce, panelHtml } from './panelHtml';

export const PANEL_VIEW_TYPE = 'xl3m.answer';
const STORE_KEY = 'xl3m.lastPanelState';

/** The one answer panel: shows a PanelState, streams into it, and survives reloads. */
export class AnswerPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private state: PanelState = EMPTY_STATE;
  private readonly disposables: vscode.Disposable[] = [];
  /** The pending write of a finished run (`keepIfOver`). */
  private keeping: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    /** Keeps the last finished run: the webview's own saved state may predate it when the window reloads. */
    private readonly store: vscode.Memento,
    private readonly onMessage: (message: WebviewMessage) => void,
    /**
     * The same, written at once to a file in the extension's workspace storage: a browser window
     * (code-server, Codespaces) that reloads right after a run may not have flushed the memento yet.
     */
    private readonly storeFile?: string,
    /** Called with the state a reload brought back, so the views that show a run come back with the panel. */
    private readonly onRestored?: (state: PanelState) => void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, saved) => {
          const last = [this.readStoreFile(), store.get<unknown>(STORE_KEY), saved].find(isPanelState) ?? EMPTY_STATE;
          this.state = last.status === 'running' ? { ...last, status: 'cancelled', message: 'the run ended when the window reloaded', progress: '' } : last;
          this.attach(panel);
          this.onRestored?.(this.state);
        },
      }),
    );
  }

  show() {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    this.attach(
      vscode.window.createWebviewPanel(
        PANEL_VIEW_TYPE,
        'xl3m',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {
          enableScripts: true,
          retainContextWhenHidden: true,
          localResourceRoots: [media],
        },
      ),
    );
  }

  get current(): PanelState {
    return this.state;
  }

  setState(state: PanelState) {
    this.state = state;
    this.post({ type: 'state', state });
    this.keepIfOver();
  }

  /**
   * A run that is over is kept (workspace state and a file) for the panel after a reload, with at
   * most 500 of the files left out: once the message that shows it has left (the extension host
   * sends when its thread is free), as the run's end is what the person waits for.
   */
  private keepIfOver() {
    if (this.state.status === 'running') return;
    clearTimeout(this.keeping);
    this.keeping = setTimeout(() => {
      this.keeping = undefined;
      this.keep();
    }, 0);
  }

  private keep() {
    if (this.state.status === 'running') return;
    const state = { ...this.state, skipped: this.state.skipped.slice(0, 500) };
    void this.store.update(STORE_KEY, state);
    if (!this.storeFile) return;
    try {
      mkdirSync(dirname(this.storeFile), { recursive: true });
      writeFileSync(this.storeFile, JSON.stringify(state));
    } catch {
      // the memento still has it
    }
  }

  private readStoreFile(): unknown {
    try {
      return this.storeFile ? JSON.parse(readFileSync(this.storeFile, 'utf8')) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Changes part of the state and sends the webview only what changed: in code-server the state
   * with the 500 best files and 977 files left out reached the panel 0.09-0.25 s after the run's
   * end, and a run's end sent the same files as its ranking a moment before.
   */
  update(change: Partial<PanelState>) {
    const changed: Partial<PanelState> = {};
    for (const key of Object.keys(change) as (keyof PanelState)[])
      if (!sameValue(change[key], this.state[key])) (changed as Record<string, unknown>)[key] = change[key];
    this.state = { ...this.state, ...change };
    if (Object.keys(changed).length > 0) this.post({ type: 'update', change: changed });
    this.keepIfOver();
  }

  progress(text: string) {
    this.state = { ...this.state, progress: text };
    this.post({ type: 'progress', text });
  }

  answerDelta(text: string) {
    this.state = { ...this.state, answer: this.state.answer + text };
    this.post({ type: 'answerDelta', text });
  }

  private attach(panel: vscode.WebviewPanel) {
    this.panel = panel;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [media] };
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.svg');
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
    });
    const subscriptions = [
      panel.webview.onDidReceiveMessage((data) => {
        const message = parseWebviewMessage(data);
        if (!message) return;
        if (message.type === 'ready') this.post({ type: 'state', state: this.state });
        else this.onMessage(message);
      }),
    ];
    panel.onDidDispose(() => {
      subscriptions.forEach((s) => s.dispose());
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private post(message: HostMessage) {
    void this.panel?.webview.postMessage(message);
  }

  dispose() {
    // a finished run not yet written is written now
    if (this.keeping) {
      clearTimeout(this.keeping);
      this.keeping = undefined;
      this.keep();
    }
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

function isPanelState(x: unknown): x is PanelState {
  const s = x as PanelState | undefined;
  return !!s && typeof s.question === 'string' && Array.isArray(s.files) && typeof s.answer === 'string' && typeof s.status === 'string';
}

/** The same value, or arrays of the same elements (the files of a ranking, sliced again). */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (Array.isArray(a) && Array.isArray(b) && sameElements(a, b));
}
