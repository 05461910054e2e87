import type { AskStats } from '../pipeline';
import { formatCount, plural } from './progressText';

/**
 * One line on what a run did, the same in the panel, the log and the terminal: the files ranked
 * and skipped (the run's own counts, so every place agrees), how they were scored, the key context.
 */
export function runSummary(s: AskStats): string {
  const scoring =
    s.scoreMethod === 'lexical'
      ? `ranked lexically in ${s.rankingSeconds.toFixed(1)} s`
      : `${s.scoredSegments === s.segments ? s.segments : `${s.scoredSegments} of ${s.segments}`} segments scored${s.candidateFiles < s.files ? ` (the best ${plural(s.candidateFiles, 'file')}, ${formatCount(s.candidateTokens)} tokens)` : ''} in ${s.scoringSeconds.toFixed(1)} s (${formatCount(s.scoringTokensPerSecond)} tok/s, ${s.requests} requests), ${s.finePassFiles} files scored alone, ${s.scoreMethod === 'fused' ? 'fused with the lexical ranking' : 'model ranking first'}`;
  const files = `${plural(s.files, 'file')}, ${plural(s.skippedFiles, 'file')} skipped${s.filesReused ? ` (${indexState(s)})` : ''}`;
  const keyContext =
    s.answered || s.keyContextTokens > 0 ? `; ${formatCount(s.keyContextTokens)} of ${formatCount(s.budget)} tokens chosen for the answer` : '';
  return `${files}, ${s.tokensEstimated ? '~' : ''}${formatCount(s.tokens)} tokens, ${scoring}${keyContext}; ${s.totalSeconds.toFixed(1)} s in all`;
}

/** Where the index came from and how much of it the run brought up to date: "26 read, 26,062 unchanged since the index on disk, in 1.8 s". */
export function indexState(s: Pick<AskStats, 'filesRead' | 'filesReused' | 'index' | 'gatherSeconds'> & { watched?: boolean }): string {
  const since =
    s.index === 'disk' ? 'since the index on disk' : s.index === 'memory' ? `since the last question${s.watched ? ' as the file watcher tells' : ''}` : 'kept';
  return `${formatCount(s.filesRead)} read, ${formatCount(s.filesReused)} unchanged ${since}, in ${s.gatherSeconds.toFixed(1)} s`;
}
