// A ranked file as a person reads it, in every place that shows one (the tree view, the Explorer
// badges, the CLI, the chat, the agents' tool and MCP).
import type { LineRange, RankedFile } from '../types';

/** `L12-40, L88` (or, with `prefix` '', `12-40, 88` after the word "lines"). */
export function formatRanges(ranges: readonly LineRange[], prefix = 'L'): string {
  return ranges.map((r) => (r.start === r.end ? `${prefix}${r.start}` : `${prefix}${r.start}-${r.end}`)).join(', ');
}

/** Relevance as a person reads it: a percentage of the run's best file. */
export function formatRelevance(file: Pick<RankedFile, 'relevance'>): string {
  return `${Math.round(100 * (file.relevance ?? 0))}%`;
}

/** A tooltip's lines: the readable relevance, the raw figure, the kind and whether the answer reads it. */
export function describeRelevance(file: Pick<RankedFile, 'relevance' | 'score' | 'kind' | 'inKeyContext'>): string {
  return [
    `relevance ${formatRelevance(file)} of the best file (raw score ${file.score.toPrecision(4)})`,
    `kind: ${file.kind}`,
    file.inKeyContext ? 'read for the answer' : 'not read for the answer',
  ].join('\n');
}
