import type { ProgressEvent } from '../types';

/**
 * Which of a run's progress events reach a person, the same way for every entry point: the first
 * event of each stage, then (with `everyMs`) at most one an interval within a stage, and the last
 * scored segment always; never the answer's deltas (the answer itself is shown). Without
 * `everyMs`, one event a stage: what a chat or an agent's client wants.
 */
export function progressFilter(options: { everyMs?: number } = {}): (e: ProgressEvent, now?: number) => boolean {
  let stage = '';
  let last = -Infinity;
  return (e, now = performance.now()) => {
    if (e.stage === 'answer') return false;
    const first = e.stage !== stage;
    const due = options.everyMs !== undefined && (now - last >= options.everyMs || (e.stage === 'score' && e.done === e.total));
    if (!first && !due) return false;
    stage = e.stage;
    last = now;
    return true;
  };
}

/**
 * Progress as MCP counts it: a number that grows with every notification. Each stage moves it one
 * step; scoring, whose total is known, moves it by each segment scored and gives a total, so that
 * a client shows "120 of 275" rather than a number standing still. Undefined when it would not grow.
 */
export function monotonicProgress(): (e: ProgressEvent) => { progress: number; total?: number } | undefined {
  let last = 0;
  let scoreBase: number | undefined;
  return (e) => {
    let progress: number;
    let total: number | undefined;
    if (e.stage === 'score') {
      scoreBase ??= last;
      progress = scoreBase + e.done;
      total = scoreBase + e.total + 2; // then selecting and answering
    } else progress = last + 1;
    if (progress <= last) return undefined;
    last = progress;
    return total === undefined ? { progress } : { progress, total };
  };
}
