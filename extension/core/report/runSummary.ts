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
      : `${s.scoredSegments === s.segments ? s.segments : `${s.scoredSegments} of ${s.segments}`} segments scored in ${s.scoringSeconds.toFixed(1)} s (${formatCount(s.scoringTokensPerSecond)} tok/s, ${s.requests} requests), ${s.finePassFiles} files scored alone, ${s.scoreMethod === 'fused' ? 'fused with the lexical ranking' : 'model ranking first'}`;
  const files = `${plural(s.files, 'file')}, ${plural(s.skippedFiles, 'file')} skipped${s.filesReused ? ` (${s.filesRead} read, ${s.filesReused} unchanged since the last question)` : ''}`;
  return `${files}, ${s.tokensEstimated ? '~' : ''}${formatCount(s.tokens)} tokens, ${scoring}; ${formatCount(s.keyContextTokens)} of ${formatCount(s.budget)} tokens chosen for the answer; ${s.totalSeconds.toFixed(1)} s in all`;
}
