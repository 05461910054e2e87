import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { GatherRoot } from './core/gather';
import { ask, CancelledError, type AskDeps, type AskResult } from './core/pipeline';
import { describeProgress, formatCount, formatSeconds } from './core/progressText';
import type { Endpoint } from './core/endpoint';
import type { Scorer } from './core/scorer';
import type { RankedFile } from './core/types';
import { createScorer } from './core/scorers/createScorer';
import { localModelLimits } from './core/scorers/localModel';
import type { Settings } from './config';
import type { Ctx } from './ctx';
import { EMPTY_STATE } from './protocol';
import { workspaceFileSystem } from './workspaceFileSystem';

const RATE_KEY = 'xl3m.lastTokensPerSecond';

/** Runs one question end to end, showing progress, the panel, the highlights and the status bar. */
export async function runQuestion(ctx: Ctx, question: string, roots: GatherRoot[]): Promise<void> {
  const { settings, problems } = ctx.settings();
  if (problems.length) void vscode.window.showWarningMessage(`xl3m settings: ${problems.join(' ')}`);
  // A server wins over a local model; with neither, the files are still ranked (BM25) and
  // highlighted, and no answer is made up.
  const server = Boolean(settings.baseUrl && settings.model);
  const localPath = server ? '' : settings.localModel;
  const noModel = !server && !localPath;
  ctx.cancelRun();
  const controller = ctx.startRun();
  const apiKey = await ctx.secrets.getApiKey();
  const endpoints = server ? endpointsOf(settings, apiKey) : [];
  const endpoint = endpoints[0];
  const pinned = ctx.pins.list();

  ctx.decorations.clear();
  ctx.tree.set([]);
  ctx.highlights.set([]);
  ctx.panel.show();
  ctx.panel.setState({ ...EMPTY_STATE, question, status: 'running', progress: 'gathering files…', pinned });
  ctx.statusBar.running('gathering');
  ctx.log(`question: ${question}`);

  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'xl3m', cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      let lastProgress = 0;
      try {
        let scorer: Scorer | undefined;
        let answerer: AskDeps['answerer'];
        let segmentTokens = settings.segmentTokens;
        let contextWindow = settings.contextWindow;
        let answerReserve = settings.answerReserve;
        if (localPath) {
          const loading = `loading the local model ${basename(localPath)}…`;
          progress.report({ message: loading });
          ctx.panel.progress(loading);
          if (!(await stat(localPath).catch(() => undefined))?.isFile()) throw new Error(`xl3m.localModel is not a file: ${localPath}`);
          const local = await ctx.localModel(localPath, settings.localContextSize, settings.localThreads);
          controller.signal.throwIfAborted();
          ctx.log(`local model ${local.name}: ${local.contextSize} tokens of context, in process ${local.pid}`);
          scorer = local.scorer();
          answerer = (text, q, o) => local.answer(text, q, o);
          const limits = localModelLimits(local, ctx.tokenizer());
          segmentTokens = Math.min(segmentTokens, limits.segmentTokens);
          contextWindow = Math.min(contextWindow, limits.contextWindow);
          answerReserve = Math.min(answerReserve, limits.answerReserve);
        } else if (server) {
          progress.report({ message: 'checking the server…' });
          const created = await createScorer(
            { endpoints, method: settings.scoringMethod, concurrency: settings.concurrency, promptsPerRequest: settings.promptsPerRequest },
            controller.signal,
          );
          scorer = created.scorer;
          for (const p of created.probes) ctx.log(`${p.endpoint}: ${p.explanation}`);
          for (const n of created.notes) ctx.log(`left out ${n}`);
        }
        const result = await ask(
          {
            question,
            roots,
            gather: { excludes: settings.excludes, maxFileBytes: settings.maxFileBytes, includeSecrets: settings.includeSecrets },
            segment: { maxTokens: segmentTokens },
            measure: settings.measure,
            ranking: settings.ranking,
            prefilter: settings.prefilterPercent > 0 && settings.prefilterPercent < 100 ? settings.prefilterPercent / 100 : undefined,
            budget: settings.budget || undefined,
            contextWindow,
            answerReserve,
            pinned,
            signal: controller.signal,
            confirmScoring: (plan) => confirmScoring(ctx, plan, settings.confirmAboveTokens),
            onProgress: (e) => {
              // one update per result would flood the notification and the webview on big runs
              const now = performance.now();
              if (e.stage === 'score' && e.done < e.total && now - lastProgress < 100) return;
              lastProgress = now;
              const text = describeProgress(e, 16);
              if (e.stage === 'score') {
                const pct = e.total ? (100 * e.done) / e.total : 0;
                progress.report({ message: text, increment: pct - reported });
                reported = pct;
                ctx.statusBar.running(`${e.done}/${e.total}`);
              } else if (e.stage !== 'answer') {
                progress.report({ message: text });
              }
              if (e.stage !== 'answer') ctx.panel.progress(text);
            },
            onRanking: (files) => {
              ctx.panel.update({ files: files.slice(0, PANEL_FILES), listedFiles: settings.listedFiles, progress: 'answering…' });
              showRanking(ctx, files, settings.listedFiles);
            },
            onAnswerDelta: (d) => ctx.panel.answerDelta(d),
          },
          {
            fs: workspaceFileSystem,
            tokenizer: ctx.tokenizer(),
            tokenizerPool: ctx.tokenizerPool(),
            tokenCache: ctx.tokenCache,
            scorer,
            answerer,
            answerEndpoint: endpoint && { ...endpoint, baseUrl: settings.answerBaseUrl || settings.baseUrl, model: settings.answerModel || settings.model },
          },
        );
        finish(ctx, result, noModel ? NO_MODEL : '', settings.listedFiles);
      } catch (err) {
        const cancelled = err instanceof CancelledError || controller.signal.aborted;
        const message = (err as Error).message;
        ctx.log(`${cancelled ? 'cancelled' : 'failed'}: ${message}`);
        ctx.panel.update({ status: cancelled ? 'cancelled' : 'failed', message, progress: '' });
        ctx.statusBar.finished(cancelled ? 'cancelled' : 'failed', question);
        if (!cancelled) void vscode.window.showErrorMessage(`xl3m: ${message}`);
      } finally {
        ctx.endRun(controller);
      }
    },
  );
}

/** The configured servers, the first one also answering unless an answer server is set. */
export function endpointsOf(settings: Settings, apiKey: string | undefined): Endpoint[] {
  return [settings.baseUrl, ...settings.additionalBaseUrls].map((baseUrl) => ({ baseUrl, model: settings.model, apiKey, timeoutMs: settings.requestTimeoutSeconds * 1000 }));
}

/** Files the panel holds (it lists `xl3m.listedFiles` of them, and more on request). */
const PANEL_FILES = 500;

/** The Explorer badges and the Relevant Files view list the best files; the editors shade the key context's lines. */
function showRanking(ctx: Ctx, files: RankedFile[], listed: number) {
  ctx.decorations.set(files.slice(0, listed));
  ctx.tree.set(files.slice(0, listed));
  ctx.highlights.set(files.filter((f) => f.inKeyContext));
}

const NO_MODEL =
  'No model is configured: files ranked lexically (BM25F over paths, declared names and content), and no answer. For model scoring and an answer, set xl3m.baseUrl and xl3m.model in your user settings (a vLLM, SGLang, TGI, llama.cpp or Ollama server), or xl3m.localModel to a GGUF file on this machine.';

function finish(ctx: Ctx, result: AskResult, note: string, listedFiles: number) {
  const s = result.stats;
  if (s.scoringTokensPerSecond > 0 && !result.partial) void ctx.globalState.update(RATE_KEY, s.scoringTokensPerSecond);
  const scoring =
    s.scoreMethod === 'lexical'
      ? `ranked lexically in ${s.rankingSeconds.toFixed(1)} s`
      : `${s.segments} segments scored in ${s.scoringSeconds.toFixed(1)} s (${formatCount(s.scoringTokensPerSecond)} tok/s), ${s.finePassFiles} files scored alone, ${s.scoreMethod === 'fused' ? 'fused with the lexical ranking' : 'model ranking first'}`;
  const summary =
    `${s.files} files, ${s.tokensEstimated ? '~' : ''}${formatCount(s.tokens)} tokens, ${scoring}; key context ${formatCount(s.keyContextTokens)} of ${formatCount(s.budget)} tokens. Scoring: ${s.scorer}.`;
  ctx.panel.update({
    status: result.partial ? 'partial' : 'done',
    message: [result.partial, ...result.notes, note].filter(Boolean).join('. '),
    files: result.files.slice(0, PANEL_FILES),
    rankedFiles: result.files.length,
    listedFiles,
    answer: result.answer,
    summary,
    skipped: result.skipped,
    progress: '',
  });
  showRanking(ctx, result.files, listedFiles);
  ctx.statusBar.finished(`${result.files.length} files ranked${result.partial ? ' (partial)' : ''}`, result.question);
  ctx.log(`done: ${summary}${result.partial ? `; partial: ${result.partial}` : ''}`);
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
