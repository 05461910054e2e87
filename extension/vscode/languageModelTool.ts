// `xl3m_findRelevantFiles`, a language-model tool for agent mode: a question in, the ranked files
// with line ranges and short excerpts out, within a stated token budget. Like the participant, it
// takes what it needs from VS Code as arguments.
import type * as vscode from 'vscode';
import type { AgentRunOptions } from './chatParticipant';
import { formatReport, relevantFilesReport, REPORT_DEFAULTS } from '../core/report/relevantFiles';
import type { RunOutcome } from '../core/run';
import type { RankedFile } from '../core/types';

export const TOOL_NAME = 'xl3m_findRelevantFiles';

export interface FindRelevantFilesInput {
  question: string;
  /** A workspace folder (its name or path) to search instead of all of them. */
  folder?: string;
  maxFiles?: number;
}

export interface ToolDeps {
  vs: Pick<typeof vscode, 'LanguageModelToolResult' | 'LanguageModelTextPart' | 'MarkdownString'>;
  busy(): string | undefined;
  /** The run, on one folder when given (a folder outside the workspace is refused with the reason). */
  ask(question: string, options: AgentRunOptions & { folder?: string }): Promise<RunOutcome>;
  /** Where the files are read and where segments are sent, in words (for the confirmation). */
  describeDataFlow(folder?: string): { reads: string; sends?: string };
  read(file: RankedFile): Promise<string | undefined>;
  countTokens(text: string): number;
}

export function findRelevantFilesTool(deps: ToolDeps): vscode.LanguageModelTool<FindRelevantFilesInput> {
  return {
    prepareInvocation(options) {
      const { reads, sends } = deps.describeDataFlow(options.input.folder);
      const question = options.input.question.split('\n', 1)[0]!.slice(0, 120);
      return {
        invocationMessage: `Ranking the files of ${reads} for "${question}"`,
        // nothing leaves the machine without a scoring server: no confirmation is needed then
        ...(sends
          ? {
              confirmationMessages: {
                title: 'Find relevant files with xl3m',
                message: new deps.vs.MarkdownString(
                  `xl3m reads the files of ${reads} and sends their text, in segments, to ${sends} to score them for the question.`,
                ),
              },
            }
          : {}),
      };
    },
    async invoke(options, token) {
      const question = options.input.question?.trim();
      if (!question) throw new Error('xl3m: the question is empty');
      const busy = deps.busy();
      if (busy) throw new Error(`xl3m is already running a question (${busy}); try again when it has ended`);
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort(new Error('the tool call was cancelled')));
      try {
        const outcome = await deps.ask(question, {
          answer: false,
          signal: controller.signal,
          ...(options.input.folder ? { folder: options.input.folder } : {}),
        });
        const report = await relevantFilesReport(outcome.result, {
          maxFiles: Math.min(Math.max(1, options.input.maxFiles ?? REPORT_DEFAULTS.maxFiles), 100),
          tokenBudget: options.tokenizationOptions
            ? Math.min(REPORT_DEFAULTS.tokenBudget, Math.floor(options.tokenizationOptions.tokenBudget / 2))
            : REPORT_DEFAULTS.tokenBudget,
          countTokens: deps.countTokens,
          read: deps.read,
        });
        return new deps.vs.LanguageModelToolResult([new deps.vs.LanguageModelTextPart(formatReport(report))]);
      } finally {
        cancel.dispose();
      }
    },
  };
}
