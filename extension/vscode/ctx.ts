import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { AnswerPanel } from './answerPanel';
import { readSettings, type Settings } from './config';
import type { LocalModelHost } from '../core/backend';
import { LocalModelProcess } from '../core/model/local/localModelProcess';
import { TiktokenTokenizer } from '../core/tokens/tokenizer';
import { Tokenizing } from '../core/tokens/tokenizing';
import { bundledStructureProcess, useStructureProcess } from '../core/structure/structureProcess';
import { RunQueue } from '../core/runQueue';
import { Rehearsal } from '../core/rehearsal';
import { sameElements } from '../core/sameElements';
import { RelevantFileDecorations } from './fileDecorations';
import { Pins } from './pins';
import type { WebviewMessage } from './protocol';
import type { RankedFile } from '../core/types';
import { RangeHighlights } from './rangeHighlights';
import { RelevantFilesTree } from './relevantFilesTree';
import { ApiKeyStore } from './secrets';
import { StatusBar } from './statusBar';
import { WorkspaceIndexes } from './workspaceIndexes';

/** The queue's label for a rehearsal (askRunner.ts). */
export const REHEARSAL_LABEL = 'rehearsing the last question';

/** Owns every disposable of the extension and the state of the current run. */
export class Ctx implements vscode.Disposable {
  readonly subscriptions: vscode.Disposable[] = [];
  readonly output = this.own(vscode.window.createOutputChannel('xl3m', { log: true }));
  readonly decorations = this.own(new RelevantFileDecorations());
  readonly tree = this.own(new RelevantFilesTree());
  readonly highlights = this.own(new RangeHighlights());
  readonly statusBar = this.own(new StatusBar());
  readonly panel: AnswerPanel;
  readonly secrets: ApiKeyStore;
  readonly pins: Pins;
  readonly globalState: vscode.Memento;
  /** One run at a time, whoever asks (the panel, the chat, a tool call). */
  readonly runs = new RunQueue();
  /** The last question ranked again once questions pause (core/rehearsal.ts); stopped by the next. */
  readonly rehearsal = this.own(new Rehearsal());
  private run: AbortController | undefined;
  /** The files the Explorer badges and the Relevant Files view show now. */
  private shownRanking: readonly RankedFile[] | undefined;
  /** Clears the last question's ranking unless the running one shows its own first (`clearRankingAfter`). */
  private clearing: ReturnType<typeof setTimeout> | undefined;
  /** tiktoken (loaded on the first question, not at activation), the worker threads, the counts kept between questions. */
  readonly tokenizing = new Tokenizing(__dirname, { keepCounts: true });
  /** Each file's reading and words, kept between questions (and on disk, between sessions): a repeat question reads only what changed. */
  readonly indexes = new WorkspaceIndexes((line) => this.log(line));
  private local: { key: string; process: Promise<LocalModelProcess> } | undefined;

  constructor(
    readonly extension: vscode.ExtensionContext,
    onPanelMessage: (m: WebviewMessage) => void,
  ) {
    const panelStore = extension.storageUri?.scheme === 'file' ? join(extension.storageUri.fsPath, 'lastPanelState.json') : undefined;
    this.panel = this.own(
      new AnswerPanel(extension.extensionUri, extension.workspaceState, onPanelMessage, panelStore, (state) =>
        this.showRanking(state.files, state.listedFiles),
      ),
    );
    this.secrets = new ApiKeyStore(extension.secrets);
    this.pins = new Pins(extension.workspaceState);
    this.globalState = extension.globalState;
    this.own(vscode.window.registerFileDecorationProvider(this.decorations));
    this.own(vscode.window.createTreeView('xl3m.relevantFiles', { treeDataProvider: this.tree }));
    this.own({ dispose: () => this.cancelRun() });
    this.own({ dispose: () => clearTimeout(this.clearing) });
    this.own({ dispose: () => void this.tokenizing.dispose() });
    // syntax trees read in child processes of their own (started when a question first needs one), not on the extension host's thread
    const structure = bundledStructureProcess(__dirname);
    useStructureProcess(structure);
    this.own({
      dispose: () => {
        structure?.dispose();
        useStructureProcess(undefined);
      },
    });
    this.own({
      dispose: () =>
        void this.local?.process.then(
          (p) => p.dispose(),
          () => {},
        ),
    });
  }

  own<T extends vscode.Disposable>(d: T): T {
    this.subscriptions.push(d);
    return d;
  }

  settings(): { settings: Settings; problems: string[] } {
    const config = vscode.workspace.getConfiguration('xl3m');
    return readSettings({
      value: (key) => config.get(key),
      // Machine-scoped settings: only what the user set (or the default), never a workspace's value.
      userValue: (key) => {
        const i = config.inspect(key);
        return i?.globalValue ?? i?.defaultValue;
      },
    });
  }

  tokenizer(): TiktokenTokenizer {
    return this.tokenizing.tokenizer;
  }

  /**
   * The local model's process: started on first use and kept between questions while the settings
   * stay the same (loading a model takes seconds); started again after it died or was stopped.
   */
  async localModel(path: string, contextSize: number, threads: number): Promise<LocalModelProcess> {
    const key = JSON.stringify([path, contextSize, threads]);
    if (this.local?.key === key) {
      const running = await this.local.process.catch(() => undefined);
      if (running?.alive) return running;
    }
    void this.local?.process.then(
      (p) => p.dispose(),
      () => {},
    );
    const process = LocalModelProcess.start(path, { workerPath: join(__dirname, 'localModelWorker.js'), contextSize, threads: threads || undefined });
    this.local = { key, process };
    return process;
  }

  /** The local model for the run assembly: a child process kept between questions, so a run does not release it. */
  readonly localModels: LocalModelHost = {
    open: async (config, signal) => {
      if (!(await stat(config.path).catch(() => undefined))?.isFile()) throw new Error(`xl3m.localModel is not a file: ${config.path}`);
      const runtime = await this.localModel(config.path, config.contextSize, config.threads ?? 0);
      signal?.throwIfAborted();
      this.log(`local model ${runtime.name}: ${runtime.contextSize} tokens of context, in process ${runtime.pid}`);
      return { runtime, release: async () => {} };
    },
  };

  /** The Explorer badges and the Relevant Files view list the best files; the editors shade the key context's lines. */
  showRanking(files: readonly RankedFile[], listed: number) {
    clearTimeout(this.clearing);
    // a run's end shows the ranking its ranking step showed a moment before (the same files): the Explorer and the views are not redrawn for it
    const shown = files.slice(0, listed);
    if (sameElements(this.shownRanking, shown)) return;
    this.shownRanking = shown;
    this.decorations.set(shown);
    this.tree.set(shown);
    this.highlights.set(files.filter((f) => f.inKeyContext));
  }

  /**
   * A new question: the last one's ranking stays until this one's replaces it, or `afterMs` have
   * passed. A warm question ranks in a few tenths of a second; clearing the Explorer's badges, the
   * view and the shading at its start had the window redraw them twice for it, the first time
   * (and the extension host answer for the cleared badges) while it ranked.
   */
  clearRankingAfter(afterMs: number) {
    clearTimeout(this.clearing);
    this.clearing = setTimeout(() => this.clearRanking(), afterMs);
  }

  clearRanking() {
    clearTimeout(this.clearing);
    this.shownRanking = undefined;
    this.decorations.clear();
    this.tree.set([]);
    this.highlights.set([]);
  }

  /** The running question's controller, for `cancelRun`. */
  startRun(): AbortController {
    this.run = new AbortController();
    return this.run;
  }

  endRun(controller: AbortController) {
    if (this.run === controller) this.run = undefined;
  }

  /** The run in progress, in words (what asked, for how long), or undefined. */
  busy(): string | undefined {
    const running = this.runs.running;
    // a rehearsal is not a question: the next question stops it
    if (running?.label === REHEARSAL_LABEL) return undefined;
    return running && `${running.label}, for ${Math.round((Date.now() - running.started) / 1000)} s`;
  }

  cancelRun() {
    this.run?.abort();
  }

  log(line: string) {
    this.output.info(line);
  }

  dispose() {
    for (const d of this.subscriptions.splice(0).reverse()) d.dispose();
  }
}
