// The ranking of every file: each file's own score, from the lexical evidence alone or fused with
// the model's certainty; line ranges; kind; whether the answer's key context holds it.
import type { FileEvidence } from './lexicalRanking';
import type { LineRange, RankedFile, Segment, SourceFile } from '../types';
import { DEFAULTS } from '../options';

/** How the model's certainty and the lexical ranking combine into one ranking of files. */
export type RankingMode = 'fused' | 'model';

/** Reciprocal rank fusion's constant: the weight of a rank r is 1 / (RRF_K + r). */
const RRF_K = 60;

/** Softness of the combination of a big file's parts, in the scores' units (nats per token for the log-prob measures). */
const PART_TEMPERATURE = 0.1;

/**
 * Each file's own model score. A file alone in a segment (a big file's parts each are) has that
 * segment's score; a big file's parts combine as a soft maximum (log-sum-exp), so evidence spread
 * over several parts adds up while one strong part still counts most. A file that shared a
 * segment has a score only where it was scored alone (the fine pass): a segment's score says
 * nothing about which of its files earned it.
 */
export function modelFileScores(
  segments: readonly Segment[],
  scores: ReadonlyArray<number | undefined>,
  alone: ReadonlyMap<number, number>,
): Map<number, number> {
  const parts = new Map<number, number[]>();
  const add = (fileIndex: number, s: number) => {
    const list = parts.get(fileIndex);
    if (list) list.push(s);
    else parts.set(fileIndex, [s]);
  };
  for (const seg of segments) {
    const s = scores[seg.index];
    if (s === undefined || Number.isNaN(s) || seg.pieces.length !== 1) continue;
    add(seg.pieces[0]!.fileIndex, s);
  }
  for (const [fileIndex, s] of alone) if (!Number.isNaN(s)) add(fileIndex, s);
  const out = new Map<number, number>();
  for (const [fileIndex, list] of parts) {
    const best = Math.max(...list);
    out.set(fileIndex, best + PART_TEMPERATURE * Math.log(list.reduce((a, s) => a + Math.exp((s - best) / PART_TEMPERATURE), 0)));
  }
  return out;
}

/** Ranks (1 = best) of the files with a score, by score; ties share no rank (path order breaks them). */
function ranksOf(scores: ReadonlyMap<number, number>): Map<number, number> {
  const order = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return new Map(order.map(([fileIndex], i) => [fileIndex, i + 1]));
}

/**
 * One score per file (higher = more relevant). Lexical only: the lexical score. With a model:
 * `fused` adds reciprocal ranks of both rankings (the model's counted `modelWeight` times);
 * `model` ranks the model-scored files first by their certainty, then the rest lexically.
 */
export function combineScores(
  lexical: readonly FileEvidence[],
  model: ReadonlyMap<number, number> | undefined,
  mode: RankingMode = DEFAULTS.ranking,
  modelWeight = 1,
): number[] {
  if (!model || model.size === 0) return lexical.map((e) => e.score);
  const lexicalRanks = ranksOf(new Map(lexical.flatMap((e, i) => (e.score > 0 ? [[i, e.score] as const] : []))));
  const modelRanks = ranksOf(model);
  if (mode === 'model') {
    const n = lexical.length;
    return lexical.map((_, i) => {
      const m = modelRanks.get(i);
      if (m !== undefined) return 2 * n + 1 - m; // every model-scored file above every other
      const l = lexicalRanks.get(i);
      return l !== undefined ? n + 1 - l : 0;
    });
  }
  return lexical.map((_, i) => {
    const l = lexicalRanks.get(i);
    const m = modelRanks.get(i);
    // swapped ranks (1st and 2nd vs 2nd and 1st) would sum alike: the lexical rank breaks such ties
    return (l !== undefined ? 1 / (RRF_K + l) : 0) + (m !== undefined ? modelWeight / (RRF_K + m) : 0) - 1e-9 * (l ?? lexical.length + 1);
  });
}

export interface RankAllOptions {
  files: readonly SourceFile[];
  lexical: readonly FileEvidence[];
  scores: readonly number[];
  /** Line ranges of the key context, by file index. */
  keyContext: ReadonlyMap<number, LineRange[]>;
  pinned: ReadonlySet<string>;
  /** Each file's own model score, where it has one. */
  modelScores?: ReadonlyMap<number, number>;
  /** Model line ranges by file index (its best scored parts), preferred over the lexical ones. */
  modelRanges?: ReadonlyMap<number, LineRange[]>;
}

/** Every file, most relevant first, with its own score and its score relative to the best. */
export function rankAllFiles(o: RankAllOptions): RankedFile[] {
  let best = 0;
  for (const s of o.scores) if (Number.isFinite(s) && s > best) best = s;
  // whether each file is pinned, looked up once per file (none when nothing is pinned)
  const pinnedAt = o.pinned.size === 0 ? new Uint8Array(o.files.length) : Uint8Array.from(o.files, (f) => (o.pinned.has(f.path) ? 1 : 0));
  return rankOrder(o.scores, pinnedAt).map((i) => {
    const f = o.files[i]!;
    const inContext = o.keyContext.get(i);
    const score = o.scores[i]!;
    const lexical = o.lexical[i]!;
    const ranked: RankedFile = {
      path: f.path,
      location: f.absPath,
      score,
      relevance: best > 0 ? Math.max(0, score) / best : 0,
      kind: lexical.kind,
      ranges: inContext ?? o.modelRanges?.get(i) ?? lexical.ranges,
      inKeyContext: inContext !== undefined,
    };
    // (the few files with more to say get their fields in this order: a file's fields print in it)
    const modelScore = o.modelScores?.get(i);
    const pinned = pinnedAt[i] === 1;
    if (modelScore === undefined && !lexical.mentioned && !pinned) return ranked;
    return {
      path: ranked.path,
      location: ranked.location,
      score,
      ...(modelScore !== undefined ? { modelScore } : {}),
      relevance: ranked.relevance,
      kind: ranked.kind,
      ranges: ranked.ranges,
      inKeyContext: ranked.inKeyContext,
      ...(lexical.mentioned ? { mentioned: true } : {}),
      ...(pinned ? { pinned: true } : {}),
    } satisfies RankedFile;
  });
}

/**
 * The files' indexes, pinned first, then by score (highest first), ties in the files' order. Most
 * files of a large repository score 0 and keep their order: only the others are sorted (the same
 * order as sorting them all).
 */
function rankOrder(scores: readonly number[], pinned: Uint8Array): number[] {
  const byScore = (a: number, b: number) => pinned[b]! - pinned[a]! || scores[b]! - scores[a]! || a - b;
  // a score that is not a number compares as equal to every other: all sorted together, as before
  if (scores.some((s) => Number.isNaN(s))) return scores.map((_, i) => i).sort(byScore);
  const sorted: number[] = [];
  const zeros: number[] = [];
  for (let i = 0; i < scores.length; i++) (scores[i] === 0 && !pinned[i] ? zeros : sorted).push(i);
  sorted.sort(byScore);
  // the files that score 0 go after those above 0 and before those below (with a model, a file that neither ranking holds)
  let at = sorted.findIndex((i) => !pinned[i] && scores[i]! < 0);
  if (at < 0) at = sorted.length;
  return [...sorted.slice(0, at), ...zeros, ...sorted.slice(at)];
}
