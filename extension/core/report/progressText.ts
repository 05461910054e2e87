import type { ProgressEvent } from '../types';

/** One line describing where a run is; the CLI redraws it on stderr, the extension shows it in a notification. */
export function describeProgress(e: ProgressEvent, width = 24): string {
  switch (e.stage) {
    case 'gather': {
      // a first build (or many changed files): how far, how fast, how long still
      if (e.read < e.toRead && e.toRead >= 1000) {
        const eta = e.filesPerSecond > 0 ? ` · ETA ${formatSeconds((e.toRead - e.read) / e.filesPerSecond)}` : '';
        return `indexing: ${formatCount(e.read)} of ${formatCount(e.toRead)} files read · ${formatCount(e.filesPerSecond)} files/s${eta}`;
      }
      return `gathering: ${plural(e.files, 'file')}, ${e.skipped} skipped${e.toRead < e.files ? ` (${plural(e.toRead, 'file')} read, the rest unchanged)` : ''}`;
    }
    case 'rank':
      // a first build: the words of every file, how far, how fast, how long still
      if (e.toAnalyse !== undefined && e.analysed !== undefined && e.analysed < e.toAnalyse) {
        const eta = e.filesPerSecond ? ` · ETA ${formatSeconds((e.toAnalyse - e.analysed) / e.filesPerSecond)}` : '';
        return `indexing words: ${formatCount(e.analysed)} of ${formatCount(e.toAnalyse)} files · ${formatCount(e.filesPerSecond ?? 0)} files/s${eta}`;
      }
      return `ranked ${plural(e.files, 'file')}`;
    case 'segment':
      return `segmented: ${plural(e.files, 'file')}, ${formatCount(e.tokens)} tokens, ${e.segments} segments`;
    case 'score': {
      const filled = e.total ? Math.round((width * e.done) / e.total) : 0;
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      const eta = e.etaSeconds !== undefined && e.done < e.total ? ` · ETA ${formatSeconds(e.etaSeconds)}` : '';
      const failed = e.failed ? ` · ${e.failed} failed` : '';
      return `scoring [${bar}] ${e.done}/${e.total} segments · ${formatCount(e.tokensPerSecond)} tok/s${eta}${failed}`;
    }
    case 'select':
      return e.segments > 0
        ? `selected ${e.segments} segments, ${formatCount(e.tokens)} of ${formatCount(e.budget)} tokens`
        : `chose the best files' best lines for the answer: ${formatCount(e.tokens)} of ${formatCount(e.budget)} tokens`;
    case 'answer':
      return `answering: ${e.characters} characters`;
  }
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.ceil(s - m * 60)).padStart(2, '0')}s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** How long ago, in the words a status bar has room for: "just now", "40 s ago", "3 min ago", "2 h ago". */
export function ago(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 5) return 'just now';
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** The index between questions: "26,088 files indexed, updated 2 min ago". */
export function indexedText(files: number, updatedAt: number, now = Date.now()): string {
  return `${files.toLocaleString('en-US')} ${files === 1 ? 'file' : 'files'} indexed, updated ${ago(now - updatedAt)}`;
}

/** The index while files are read: "indexing 12,400 of 36,770 files, 14s left" (no time left before a rate is known). */
export function indexingText(read: number, toRead: number, filesPerSecond: number, what = 'files'): string {
  const left = filesPerSecond > 0 ? `, ${formatSeconds((toRead - read) / filesPerSecond)} left` : '';
  return `indexing ${read.toLocaleString('en-US')} of ${toRead.toLocaleString('en-US')} ${what}${left}`;
}
