// Where in a file the question's words gather: the lines a person should read first. A fixed
// 60-line chunk shows a function cut at the chunk's edge (flask's `_default` at lines 108-117 came
// out as 61-120 and 121-180); these ranges start and end at matching lines instead, with a few lines
// around them, so that what they show is what matched.
import type { LineRange } from '../types';
import { mergeRanges } from '../xl3m/select';

export interface FocusOptions {
  /** Matching lines this far apart (or closer) belong to one range. */
  windowLines: number;
  /** Lines shown before a range's first matching line and after its last. */
  before: number;
  after: number;
  /** Ranges at most. */
  maxRanges: number;
  /** A further range is shown only when it scores at least this fraction of the best one. */
  minShare: number;
  /** BM25's saturation of a term's count within one range. */
  k1: number;
}

export const FOCUS: FocusOptions = { windowLines: 20, before: 3, after: 6, maxRanges: 3, minShare: 0.4, k1: 1.2 };

/** A file's matching lines: line index (0-based) -> query term id -> how much it counts there. */
export type LineMatches = ReadonlyMap<number, ReadonlyMap<number, number>>;

/**
 * The file's best ranges for the question (1-based, inclusive, in line order): windows of at most
 * `windowLines` lines starting at a matching line, scored as BM25 over the question's terms (each
 * term's weight times its saturated count), the best first, each trimmed to its first and last
 * matching line and widened by `before`/`after`. Empty when no line matches.
 */
export function focusedRanges(matches: LineMatches, weights: readonly number[], lineCount: number, options: FocusOptions = FOCUS): LineRange[] {
  const lines = [...matches.keys()].sort((a, b) => a - b);
  if (lines.length === 0) return [];
  const used = new Set<number>();
  const chosen: { score: number; first: number; last: number }[] = [];
  while (chosen.length < options.maxRanges) {
    let best: { score: number; first: number; last: number } | undefined;
    // the best window starts at a matching line: moving its start down to the first match only adds lines at its end
    for (let s = 0; s < lines.length; s++) {
      if (used.has(lines[s]!)) continue;
      const counts = new Map<number, number>();
      let last = lines[s]!;
      for (let e = s; e < lines.length && lines[e]! < lines[s]! + options.windowLines && !used.has(lines[e]!); e++) {
        for (const [term, count] of matches.get(lines[e]!)!) counts.set(term, (counts.get(term) ?? 0) + count);
        last = lines[e]!;
      }
      let score = 0;
      for (const [term, tf] of counts) score += ((weights[term] ?? 0) * tf * (options.k1 + 1)) / (tf + options.k1);
      if (!best || score > best.score) best = { score, first: lines[s]!, last };
    }
    if (!best || best.score <= 0 || (chosen.length > 0 && best.score < options.minShare * chosen[0]!.score)) break;
    chosen.push(best);
    for (const l of lines) if (l >= best.first && l <= best.last) used.add(l);
  }
  // ranges that touch or overlap after widening read as one
  return mergeRanges(
    chosen.map((c) => ({ start: Math.max(1, c.first + 1 - options.before), end: Math.min(Math.max(1, lineCount), c.last + 1 + options.after) })),
  );
}
