// `@xl3m` in VS Code's Chat: the same run as the panel, its progress in the chat, the answer
// streamed as markdown whose `path:line` citations open the file at the line, every key-context
// file given as a reference, the ranking offered as a button that opens the panel. `/files` gives
// the ranking only. The handler takes what it needs from VS Code as arguments, so that it runs
// (and is tested) with a recorded stream in plain Node.
import type * as vscode from 'vscode';
import type { AnswerModel } from '../core/backend';
import type { RunOutcome } from '../core/run';
import type { RankedFile } from '../core/types';
import { citationPattern } from '../core/report/citation';
import { formatRanges, formatRelevance } from '../core/report/rangeFormat';

export const PARTICIPANT_ID = 'xl3m.chat';

/** What the handler asks of the extension: a run, and how a ranked file becomes a URI. */
export interface ChatDeps {
  vs: Pick<typeof vscode, 'Location' | 'Range' | 'MarkdownString'>;
  /** A run in progress, in words, or undefined (one run at a time). */
  busy(): string | undefined;
  ask(question: string, options: AgentRunOptions): Promise<RunOutcome>;
  /** The user's VS Code model as an answer model, when no configured model answers. */
  answerModelOf?(model: vscode.LanguageModelChat): AnswerModel;
  uriOf(file: RankedFile): vscode.Uri;
}

export interface AgentRunOptions {
  /** Ask a model for an answer (false: the ranking only). */
  answer: boolean;
  answerModel?: AnswerModel;
  signal: AbortSignal;
  onProgress?(text: string): void;
  onRanking?(files: RankedFile[]): void;
  onAnswerDelta?(text: string): void;
}

export interface ChatTurnMetadata {
  question: string;
  files?: number;
}

/** The question a turn asks: its prompt, and for a follow-up, the previous turn's question too (its words help rank). */
export function questionOf(prompt: string, history: readonly unknown[]): string {
  const previous = [...history]
    .reverse()
    .map((turn) => (turn as { result?: { metadata?: Partial<ChatTurnMetadata> } }).result?.metadata?.question)
    .find((q): q is string => typeof q === 'string' && q.length > 0);
  return previous ? `${prompt}\n\n(A follow-up to: ${previous})` : prompt;
}

export function chatHandler(deps: ChatDeps): vscode.ChatRequestHandler {
  return async (request, context, stream, token) => {
    const prompt = request.prompt.trim();
    if (!prompt) {
      stream.markdown('Ask a question about this workspace, e.g. `@xl3m where are retries handled?`, or `/files <question>` for the ranking only.');
      return {};
    }
    const busy = deps.busy();
    if (busy) {
      stream.markdown(`xl3m is already running a question (${busy}). Cancel it in its notification or wait for it to end, then ask again.`);
      return { errorDetails: { message: 'a run is already in progress' } };
    }
    const filesOnly = request.command === 'files';
    const question = questionOf(prompt, context.history);
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort(new Error('cancelled in the chat')));
    const answer = new CitationLinker(deps, stream);
    let outcome: RunOutcome;
    try {
      stream.progress('Reading the workspace…');
      outcome = await deps.ask(question, {
        answer: !filesOnly,
        ...(!filesOnly && deps.answerModelOf && request.model ? { answerModel: deps.answerModelOf(request.model) } : {}),
        signal: controller.signal,
        onProgress: (text) => stream.progress(text),
        onRanking: (files) => answer.setFiles(files),
        onAnswerDelta: (d) => answer.push(d),
      });
    } catch (err) {
      answer.flush();
      const message = (err as Error).message;
      stream.markdown(`\n\n${controller.signal.aborted ? 'Cancelled' : 'xl3m could not answer'}: ${escapeMarkdown(message)}`);
      return { errorDetails: { message }, metadata: { question: prompt } satisfies ChatTurnMetadata };
    } finally {
      cancel.dispose();
    }
    answer.setFiles(outcome.result.files);
    answer.flush();
    const { result } = outcome;
    if (filesOnly || !outcome.answered) {
      if (!filesOnly) stream.markdown('No model answered (configure a server or a local GGUF model for one); the ranking:\n\n');
      stream.markdown(rankingMarkdown(deps, result.files, 10));
    }
    const keyContext = result.files.filter((f) => f.inKeyContext);
    for (const f of keyContext) {
      const r = f.ranges[0];
      stream.reference(r ? new deps.vs.Location(deps.uriOf(f), new deps.vs.Range(r.start - 1, 0, r.end - 1, 0)) : deps.uriOf(f));
    }
    if (result.partial) stream.markdown(`\n\n_Partial: ${escapeMarkdown(result.partial)}._`);
    // e.g. that the chat's model answered but cannot score, or that a long question was condensed
    for (const note of outcome.notes) stream.markdown(`\n\n_${escapeMarkdown(note)}_`);
    stream.button({ command: 'xl3m.showPanel', title: `Show the ranking (${result.files.length} files)` });
    return { metadata: { question: prompt, files: result.files.length } satisfies ChatTurnMetadata };
  };
}

/** The ranking's best files as a markdown list of links to their best lines. */
function rankingMarkdown(deps: ChatDeps, files: readonly RankedFile[], top: number): vscode.MarkdownString {
  const md = new deps.vs.MarkdownString();
  md.appendMarkdown(`**Files ranked for the question** (${Math.min(top, files.length)} of ${files.length}):\n\n`);
  files.slice(0, top).forEach((f, i) => {
    const r = f.ranges[0];
    const link = lineLink(deps, f, r?.start ?? 1);
    md.appendMarkdown(
      `${i + 1}. [${escapeMarkdown(f.path)}](${link}) ${formatRelevance(f)} · ${f.kind}${f.inKeyContext ? ' · read for the answer' : ''}${r ? ` · lines ${formatRanges(f.ranges, '')}` : ''}${f.definitions?.length ? ` · defines ${f.definitions.map((d) => `\`${escapeMarkdown(d.name)}\` (${d.kind}, line ${d.line})`).join(', ')}` : ''}\n`,
    );
  });
  return md;
}

function lineLink(deps: ChatDeps, f: RankedFile, line: number): string {
  return deps
    .uriOf(f)
    .with({ fragment: `L${line}` })
    .toString();
}

const CITATION = citationPattern();

/**
 * Streams the answer a line at a time, each `path:line` citation of a ranked file turned into a
 * link that opens it at that line. Files are known from the ranking, which arrives before the answer.
 */
class CitationLinker {
  private pending = '';
  private files = new Map<string, RankedFile>();

  constructor(
    private readonly deps: ChatDeps,
    private readonly stream: vscode.ChatResponseStream,
  ) {}

  setFiles(files: readonly RankedFile[]) {
    this.files = new Map(files.map((f) => [f.path, f]));
  }

  push(delta: string) {
    this.pending += delta;
    const cut = this.pending.lastIndexOf('\n');
    if (cut < 0) return;
    this.emit(this.pending.slice(0, cut + 1));
    this.pending = this.pending.slice(cut + 1);
  }

  flush() {
    if (this.pending) this.emit(this.pending);
    this.pending = '';
  }

  private emit(text: string) {
    const linked = text.replace(CITATION, (whole, path: string, line: string) => {
      const f = this.files.get(path);
      return f ? `[${whole}](${lineLink(this.deps, f, Number(line))})` : whole;
    });
    this.stream.markdown(linked);
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}
