// The ranking as a tool's answer (the language-model tool, the MCP server): the best files with
// their relevance, kind, line ranges and short excerpts, within a stated token budget, so that an
// agent can read what matters without reading the repository.
import type { AskResult } from '../pipeline';
import type { FileKind } from '../files/fileKind';
import { formatRanges, formatRelevance } from './rangeFormat';
import { indexState } from './runSummary';
import type { LineRange, RankedFile } from '../types';

export interface ReportedFile {
  path: string;
  /** Share of the best file's score, 0-1. */
  relevance: number;
  kind: FileKind;
  inKeyContext: boolean;
  ranges: LineRange[];
  /** Definitions in the file of names the question gives as code. */
  definitions?: { name: string; kind: string; line: number }[];
  /** The lines of its best range (cut to the budget); absent when the budget was spent. */
  excerpt?: { start: number; end: number; text: string };
}

export interface RelevantFilesReport {
  question: string;
  files: ReportedFile[];
  /** Files ranked in all (the report lists the best `files.length`). */
  rankedFiles: number;
  tokenBudget: number;
  excerptTokens: number;
  /** Why the ranking is incomplete (cancelled, segments that failed). */
  partial?: string;
  notes: string[];
  /** What the run started from (nothing, this process's earlier questions, the disk), the files it read because they were new or changed, those it reused, and the seconds that took. */
  index: { source: AskResult['stats']['index']; filesRead: number; filesReused: number; watched: boolean; updateSeconds: number };
}

export const REPORT_DEFAULTS = { maxFiles: 20, tokenBudget: 4000, excerptLines: 40 };

export interface ReportOptions {
  maxFiles?: number;
  /** Tokens of excerpt text in all. */
  tokenBudget?: number;
  /** Most lines of one excerpt. */
  excerptLines?: number;
  countTokens(text: string): number;
  /** A ranked file's text; undefined when it cannot be read any more. */
  read(file: RankedFile): Promise<string | undefined>;
}

export async function relevantFilesReport(result: AskResult, options: ReportOptions): Promise<RelevantFilesReport> {
  const maxFiles = options.maxFiles ?? REPORT_DEFAULTS.maxFiles;
  const budget = options.tokenBudget ?? REPORT_DEFAULTS.tokenBudget;
  const maxLines = options.excerptLines ?? REPORT_DEFAULTS.excerptLines;
  let spent = 0;
  const files: ReportedFile[] = [];
  for (const f of result.files.slice(0, maxFiles)) {
    const reported: ReportedFile = {
      path: f.path,
      relevance: f.relevance,
      kind: f.kind,
      inKeyContext: f.inKeyContext,
      ranges: f.ranges,
      ...(f.definitions ? { definitions: f.definitions } : {}),
    };
    const range = f.ranges[0];
    if (range && spent < budget) {
      const lines = (await options.read(f))?.split('\n');
      if (lines) {
        const start = Math.min(range.start, lines.length);
        let end = Math.min(range.end, start + maxLines - 1, lines.length);
        let text = lines.slice(start - 1, end).join('\n');
        let tokens = options.countTokens(text);
        // cut the excerpt to what the budget has left, whole lines
        while (spent + tokens > budget && end > start) {
          end = start + Math.floor((end - start) / 2);
          text = lines.slice(start - 1, end).join('\n');
          tokens = options.countTokens(text);
        }
        if (spent + tokens <= budget) {
          reported.excerpt = { start, end, text };
          spent += tokens;
        }
      }
    }
    files.push(reported);
  }
  return {
    question: result.question,
    files,
    rankedFiles: result.files.length,
    tokenBudget: budget,
    excerptTokens: spent,
    ...(result.partial ? { partial: result.partial } : {}),
    notes: result.notes,
    index: {
      source: result.stats.index,
      filesRead: result.stats.filesRead,
      filesReused: result.stats.filesReused,
      watched: result.stats.watched,
      updateSeconds: Number(result.stats.gatherSeconds.toFixed(2)),
    },
  };
}

/** The report as markdown for a model to read: one entry per file, excerpts fenced, the budget stated. */
export function formatReport(report: RelevantFilesReport): string {
  const out = [
    `Files of the workspace ranked for the question, most relevant first (${report.files.length} of ${report.rankedFiles}; relevance is a share of the best file's):`,
  ];
  if (report.partial) out.push(`Partial ranking: ${report.partial}.`);
  report.files.forEach((f, i) => {
    const defines = f.definitions?.length ? `; defines ${f.definitions.map((d) => `${d.name} (${d.kind}, line ${d.line})`).join(', ')}` : '';
    out.push(
      '',
      `${i + 1}. ${f.path} (${formatRelevance(f)}, ${f.kind}${f.inKeyContext ? ', in the key context' : ''}) lines ${formatRanges(f.ranges, '')}${defines}`,
    );
    if (f.excerpt) {
      const fence = '`'.repeat(Math.max(3, longestRun(f.excerpt.text, '`') + 1));
      out.push(`${fence} ${f.path}:${f.excerpt.start}-${f.excerpt.end}`, f.excerpt.text, fence);
    }
  });
  out.push('', `Excerpts: ${report.excerptTokens} of a budget of ${report.tokenBudget} tokens; read the files for more.`);
  const { filesReused, filesRead, source, watched, updateSeconds } = report.index;
  if (filesReused > 0) out.push(`Index: ${indexState({ filesRead, filesReused, index: source, watched, gatherSeconds: updateSeconds })}.`);
  return out.join('\n');
}

function longestRun(text: string, c: string): number {
  let best = 0;
  let run = 0;
  for (const ch of text) {
    run = ch === c ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}
