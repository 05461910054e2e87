import * as vscode from 'vscode';
import type { GatherRoot } from '../core/files/gather';
import { CancelledError } from '../core/pipeline';
import { answers, runQuestion, type RunEnv, type RunOutcome } from '../core/run';
import type { AnswerModel } from '../core/backend';
import type { AgentRunOptions } from './chatParticipant';
import { vscodeAnswerModel } from './vscodeLanguageModel';
import { progressFilter } from '../core/report/progressFilter';
import { describeProgress, formatCount, formatSeconds, indexingText } from '../core/report/progressText';
import { indexState, runSummary } from '../core/report/runSummary';
import type { ProgressEvent, RankedFile } from '../core/types';
import { toRunConfig } from './config';
import { REHEARSAL_LABEL, type Ctx } from './ctx';
import { describeRehearsal, REHEARSE_AFTER_MS, rehearsalConfig } from '../core/rehearsal';
import { EMPTY_STATE } from './protocol';
import { workspaceFileSystem } from './workspaceFileSystem';
import { folderUnderRoots } from '../core/files/roots';

const RATE_KEY = 'xl3m.lastTokensPerSecond';

/**
 * How long a run from the panel goes before a notification shows its progress and a Cancel: a warm
 * question is answered in a few tenths of a second, and the panel and the status bar show it meanwhile.
 */
const NOTIFY_AFTER_MS = 1000;
/** How long the views that show a ranking (the Explorer's badges, Relevant Files, the shading) keep the last question's while a new one runs, unless its own comes first. */
const KEEP_LAST_RANKING_MS = 1000;

/** Runs one question from the panel or the palette: the panel in front, and after a second a notification with progress and Cancel. */
export async function runInPanel(ctx: Ctx, question: string, roots: GatherRoot[]): Promise<void> {
  const { settings, problems } = ctx.settings();
  if (problems.length) void vscode.window.showWarningMessage(`xl3m settings: ${problems.join(' ')}`);
  ctx.cancelRun();
  const configured = toRunConfig(settings, undefined, []);
  const answerModel = settings.answerWithVsCodeModel && !configured.server && !configured.localModel ? await chooseVsCodeModel(ctx) : undefined;
  ctx.panel.show();
  const cancel = new AbortController();
  // what the notification shows once it is there: the latest message, and how far scoring went
  let notification: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  let message: string | undefined;
  let reported = 0;
  const report = (text: string, pct = reported) => {
    message = text;
    notification?.report({ message: text, increment: pct - reported });
    reported = pct;
  };
  // one update per result would flood the notification and the webview on big runs
  const shown = progressFilter({ everyMs: 250 });
  const run = runInWorkspace(ctx, 'from the panel', question, roots, {
    answer: true,
    ...(answerModel ? { answerModel } : {}),
    signal: cancel.signal,
    confirmScoring: (plan) => confirmScoring(ctx, plan, settings.confirmAboveTokens),
    onStatus: (text) => report(text),
    onProgress: (e) => {
      if (!shown(e)) return false;
      report(describeProgress(e, 16), e.stage === 'score' && e.total ? (100 * e.done) / e.total : reported);
      return true;
    },
  });
  const notify = setTimeout(
    () =>
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'xl3m', cancellable: true }, (progress, token) => {
        token.onCancellationRequested(() => cancel.abort());
        notification = progress;
        progress.report({ ...(message ? { message } : {}), increment: reported });
        return run.then(
          () => undefined,
          () => undefined,
        );
      }),
    NOTIFY_AFTER_MS,
  );
  try {
    await run;
  } catch (err) {
    // the panel's Cancel and the notification's both leave the run marked cancelled: no error to show
    if (ctx.panel.current.status !== 'cancelled') void vscode.window.showErrorMessage(`xl3m: ${(err as Error).message}`);
  } finally {
    clearTimeout(notify);
  }
}

/**
 * A run for the chat participant and the language-model tool: the panel's run without the panel in
 * front (the chat's button opens it). One run at a time: the caller checks `ctx.busy()` first.
 */
export async function runForAgent(ctx: Ctx, label: string, question: string, options: AgentRunOptions & { folder?: string }): Promise<RunOutcome> {
  const { problems } = ctx.settings();
  if (problems.length) ctx.log(`settings: ${problems.join(' ')}`);
  const shown = progressFilter();
  return runInWorkspace(ctx, label, question, await agentRoots(options.folder), {
    ...options,
    onStatus: (text) => options.onProgress?.(text),
    onProgress: (e) => {
      if (!shown(e)) return false;
      options.onProgress?.(describeProgress(e, 16));
      return true;
    },
  });
}

interface WorkspaceRunOptions {
  answer: boolean;
  answerModel?: AnswerModel;
  signal: AbortSignal;
  confirmScoring?(plan: { segments: number; tokens: number }): Promise<boolean>;
  onStatus?(text: string): void;
  /** Reports a progress event where the entry point shows progress; true when the panel should show it too. */
  onProgress(e: ProgressEvent): boolean;
  onRanking?(files: RankedFile[]): void;
  onAnswerDelta?(text: string): void;
}

/**
 * One question in this window, whoever asked: the run (one at a time), with the panel holding its
 * state, the status bar, the Explorer badges, the Relevant Files view and the shading showing it.
 * Failures are recorded in the panel and rethrown.
 */
function runInWorkspace(ctx: Ctx, label: string, question: string, roots: GatherRoot[], options: WorkspaceRunOptions): Promise<RunOutcome> {
  // one run at a time (the queue every entry point uses): a panel question that replaced a running
  // one starts when that one has stopped, never beside it; a rehearsal stops at once
  ctx.rehearsal.stop();
  return ctx.runs.run(label, () => runNow(ctx, label, question, roots, options), { signal: options.signal });
}

async function runNow(ctx: Ctx, label: string, question: string, roots: GatherRoot[], options: WorkspaceRunOptions): Promise<RunOutcome> {
  const { settings } = ctx.settings();
  const pinned = ctx.pins.list();
  // the key only where a server is configured to send it to (reading secret storage is a round trip to the workbench, 6-87 ms measured in code-server)
  const apiKey = settings.baseUrl && settings.model ? await ctx.secrets.getApiKey() : undefined;
  const config = { ...toRunConfig(settings, apiKey, pinned), answer: options.answer };
  const controller = ctx.startRun();
  const abort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', abort, { once: true });
  ctx.clearRankingAfter(KEEP_LAST_RANKING_MS);
  ctx.panel.setState({ ...EMPTY_STATE, question, status: 'running', progress: 'gathering files…', pinned });
  ctx.statusBar.running('gathering');
  ctx.log(`question (${label}): ${question}`);
  try {
    const env = runEnv(ctx);
    const index = await ctx.indexes.forRoots(roots, settings, env.fs);
    const outcome = await runQuestion(
      config,
      question,
      roots,
      { ...env, index, ...(options.answerModel ? { answerModel: options.answerModel } : {}) },
      {
        signal: controller.signal,
        ...(options.confirmScoring ? { confirmScoring: options.confirmScoring } : {}),
        onStatus: (text) => {
          options.onStatus?.(text);
          ctx.panel.progress(text);
        },
        onBackend: (backend) => {
          ctx.panel.update({ expectAnswer: answers(backend) });
          for (const p of backend.probes) ctx.log(`${p.endpoint}: ${p.explanation}`);
          for (const n of backend.notes) ctx.log(n);
        },
        onProgress: (e) => {
          if (!options.onProgress(e)) return;
          ctx.panel.progress(describeProgress(e, 16));
          if (e.stage === 'score') ctx.statusBar.running(`${e.done}/${e.total}`);
          // a first build (or many files changed): how far, and how long still
          if (e.stage === 'gather' && e.read < e.toRead && e.toRead >= 1000) ctx.statusBar.running(indexingText(e.read, e.toRead, e.filesPerSecond));
          if (e.stage === 'rank' && e.toAnalyse !== undefined && e.analysed! < e.toAnalyse && e.toAnalyse >= 1000)
            ctx.statusBar.running(indexingText(e.analysed!, e.toAnalyse, e.filesPerSecond ?? 0, "files' words"));
        },
        onRanking: (files) => {
          ctx.panel.update({
            files: files.slice(0, PANEL_FILES),
            listedFiles: settings.listedFiles,
            progress: ctx.panel.current.expectAnswer ? 'answering…' : '',
          });
          ctx.showRanking(files, settings.listedFiles);
          options.onRanking?.(files);
        },
        onAnswerDelta: (d) => {
          ctx.panel.answerDelta(d);
          options.onAnswerDelta?.(d);
        },
      },
    );
    finish(ctx, outcome, settings.listedFiles);
    ctx.indexes.save();
    // once questions pause, the same question ranked again, lexically and with nothing shown (core/rehearsal.ts)
    const lexical = rehearsalConfig(config);
    ctx.rehearsal.remember((signal) => ctx.runs.run(REHEARSAL_LABEL, () => runQuestion(lexical, question, roots, { ...env, index }, { signal }), { signal }));
    ctx.rehearsal.schedule(REHEARSE_AFTER_MS, (rehearsed, ms) => ctx.log(describeRehearsal('question', rehearsed, ms)));
    return outcome;
  } catch (err) {
    const cancelled = err instanceof CancelledError || controller.signal.aborted;
    const message = (err as Error).message;
    ctx.log(`${cancelled ? 'cancelled' : 'failed'}: ${message}`);
    ctx.panel.update({ status: cancelled ? 'cancelled' : 'failed', message, progress: '' });
    ctx.statusBar.finished(cancelled ? 'cancelled' : 'failed', question);
    throw err;
  } finally {
    options.signal.removeEventListener('abort', abort);
    ctx.endRun(controller);
  }
}

function runEnv(ctx: Ctx): RunEnv {
  return {
    fs: workspaceFileSystem(vscode),
    ...ctx.tokenizing.env(),
    localModels: ctx.localModels,
  };
}

/** The first chat model VS Code offers (Copilot's first, when there is one), or none, said in the log. */
async function chooseVsCodeModel(ctx: Ctx): Promise<AnswerModel | undefined> {
  const models = await vscode.lm.selectChatModels();
  const model = models.find((m) => m.vendor === 'copilot') ?? models[0];
  if (!model) {
    ctx.log('xl3m.answerWithVsCodeModel is on, but VS Code offers no language model: no answer');
    return undefined;
  }
  return vscodeAnswerModel(model, vscode);
}

/** The workspace's folders, or the one a tool call names (by name or path), which must be in the workspace (by its real path). */
async function agentRoots(folder: string | undefined): Promise<GatherRoot[]> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new Error('xl3m: open a folder or workspace first');
  const roots = folders.map((f) => ({ path: f.uri.toString(), name: f.name }));
  if (!folder) return roots;
  const byName = roots.find((r) => r.name === folder);
  if (byName) return [byName];
  const target = /^[a-z][\w+.-]*:\/\//i.test(folder)
    ? vscode.Uri.parse(folder)
    : folder.startsWith('/') || /^[A-Za-z]:[\\/]/.test(folder)
      ? vscode.Uri.file(folder)
      : vscode.Uri.joinPath(folders[0]!.uri, folder);
  const found = await folderUnderRoots(workspaceFileSystem(vscode), roots, target.toString(), folder);
  if ('refused' in found) throw new Error(`xl3m: ${folder} is not a folder of this workspace (${folders.map((f) => f.name).join(', ')})`);
  return [found];
}

/** Files the panel holds (it lists `xl3m.listedFiles` of them, and more on request). */
const PANEL_FILES = 500;
/** Files left out that the panel lists (it says how many there were). */
const PANEL_SKIPPED = 500;

function finish(ctx: Ctx, { result, description, notes }: RunOutcome, listedFiles: number) {
  const s = result.stats;
  if (s.scoringTokensPerSecond > 0 && !result.partial) void ctx.globalState.update(RATE_KEY, s.scoringTokensPerSecond);
  const summary = `${runSummary(s)}. ${description}`;
  ctx.panel.update({
    status: result.partial ? 'partial' : 'done',
    message: [result.partial, ...notes.map(capitalise)].filter(Boolean).join('. '),
    files: result.files.slice(0, PANEL_FILES),
    rankedFiles: result.files.length,
    listedFiles,
    answer: result.answer,
    summary,
    skipped: result.skipped.slice(0, PANEL_SKIPPED),
    skippedFiles: result.skipped.length,
    progress: '',
  });
  ctx.showRanking(result.files, listedFiles);
  ctx.statusBar.finished(result.partial ? 'partial' : '', result.question, {
    files: s.files,
    updatedAt: Date.now(),
    state: `${formatCount(s.files)} files indexed: ${indexState(s)}`,
  });
  // each stage's seconds, for whoever wonders where a question's time went (the Output view)
  const stages = `gathered in ${s.gatherSeconds.toFixed(2)} s, ranked in ${s.rankingSeconds.toFixed(2)} s, ${s.totalSeconds.toFixed(2)} s in all`;
  ctx.log(`done: ${summary}${result.partial ? `; partial: ${result.partial}` : ''} (${stages})`);
}

async function confirmScoring(ctx: Ctx, plan: { segments: number; tokens: number }, above: number): Promise<boolean> {
  if (above <= 0 || plan.tokens <= above) return true;
  const rate = ctx.globalState.get<number>(RATE_KEY);
  const time = rate ? ` At the last measured rate (${formatCount(rate)} tokens/s) this takes about ${formatSeconds(plan.tokens / rate)}.` : '';
  const choice = await vscode.window.showWarningMessage(
    `Score ${plan.segments} segments (${formatCount(plan.tokens)} tokens)?${time}`,
    { modal: true },
    'Score',
  );
  return choice === 'Score';
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
