import { pieceHeader, pieceText } from './segment';
import { tokenizeFile, tokenizeRanges, type Tokenizer } from '../tokens/tokenizer';
import type { TokenCountCache } from '../tokens/tokenCountCache';
import type { LineRange, Segment, SourceFile, TokenizedFile } from '../types';

export interface BudgetOptions {
  /** The answer model's context window, in tokens. */
  contextWindow: number;
  questionTokens: number;
  /** Tokens kept free for the answer. */
  answerReserve: number;
  /** Instructions and chat template around the context. */
  overhead?: number;
}

/** Tokens of key context that fit: window - question - answer reserve - overhead - a 5% margin for tokenizer mismatch. */
export function answerBudget(o: BudgetOptions): number {
  const margin = Math.ceil(o.contextWindow * 0.05);
  return Math.max(0, o.contextWindow - o.questionTokens - o.answerReserve - (o.overhead ?? 256) - margin);
}

export interface KeyContext {
  /** The pieces in repository order, each with its header. */
  text: string;
  tokens: number;
  budget: number;
  /** Chosen segment indices, most relevant first. */
  segments: number[];
  /** Merged line ranges per file index, in repository order. */
  ranges: Map<number, LineRange[]>;
}

export interface SelectOptions {
  budget: number;
  /** Paths of files that are always in, whole, before anything is chosen by score. */
  pinned?: ReadonlySet<string>;
  /** Counts the headers' tokens. */
  tokenizer: Tokenizer;
}

/**
 * Greedy by score under the budget: the best segments that fit, the pinned files first; then the
 * chosen line ranges merged (segment overlaps counted once) and laid out in repository order.
 */
export function selectKeyContext(files: TokenizedFile[], segments: Segment[], scores: ReadonlyArray<number | undefined>, options: SelectOptions): KeyContext {
  const ranges = new Map<number, LineRange[]>();
  const addRange = (fileIndex: number, range: LineRange) => {
    const list = ranges.get(fileIndex) ?? [];
    list.push(range);
    ranges.set(fileIndex, list);
  };
  let used = 0;
  files.forEach((tf, fileIndex) => {
    if (!options.pinned?.has(tf.file.path)) return;
    const header = options.tokenizer.count(pieceHeader(tf.file.path, 1, tf.lineTokens.length));
    let end = tf.lineTokens.length;
    let cost = tf.tokens + header;
    while (used + cost > options.budget && end > 1) {
      end = Math.max(1, Math.floor(end / 2));
      cost = tf.lineTokens.subarray(0, end).reduce((a, b) => a + b, 0) + header;
    }
    if (used + cost > options.budget) return;
    addRange(fileIndex, { start: 1, end });
    used += cost;
  });

  const order = rankSegments(scores);
  const chosen: number[] = [];
  for (const index of order) {
    const seg = segments[index]!;
    if (used + seg.tokens > options.budget) continue;
    chosen.push(index);
    used += seg.tokens;
    for (const p of seg.pieces) addRange(p.fileIndex, { start: p.start, end: p.end });
  }

  const merged = new Map<number, LineRange[]>();
  let text = '';
  let tokens = 0;
  for (const fileIndex of [...ranges.keys()].sort((a, b) => a - b)) {
    const tf = files[fileIndex]!;
    const list = mergeRanges(ranges.get(fileIndex)!);
    merged.set(fileIndex, list);
    for (const r of list) {
      text += pieceText(tf, r);
      tokens += tf.lineTokens.subarray(r.start - 1, r.end).reduce((a, b) => a + b, 0) + options.tokenizer.count(pieceHeader(tf.file.path, r.start, r.end));
    }
  }
  return { text, tokens, budget: options.budget, segments: chosen, ranges: merged };
}

/** Segment indices with a score, best first; ties keep repository order. */
export function rankSegments(scores: ReadonlyArray<number | undefined>): number[] {
  const order: number[] = [];
  scores.forEach((s, i) => {
    if (s !== undefined && !Number.isNaN(s)) order.push(i);
  });
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

export function mergeRanges(list: LineRange[]): LineRange[] {
  const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: LineRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

export interface LexicalContextOptions extends SelectOptions {
  /** Files looked at, best first, before the budget is given up on. */
  maxFiles?: number;
  /** Counts kept between questions (a long-lived host): a file whose text is unchanged is not tokenized again. */
  tokenCache?: TokenCountCache;
}

/**
 * The key context without a model: the best files' best-matching lines, best file first, until
 * the budget is full, the pinned files first; laid out in repository order. Only the files it
 * looks at are tokenized.
 */
export function selectLexicalContext(
  files: readonly SourceFile[],
  evidence: readonly { ranges: LineRange[] }[],
  scores: readonly number[],
  options: LexicalContextOptions,
): { text: string; tokens: number; ranges: Map<number, LineRange[]> } {
  const order = files
    .map((_, i) => i)
    .filter((i) => scores[i]! > 0 || options.pinned?.has(files[i]!.path))
    .sort(
      (a, b) => Number(options.pinned?.has(files[b]!.path) ?? false) - Number(options.pinned?.has(files[a]!.path) ?? false) || scores[b]! - scores[a]! || a - b,
    )
    .slice(0, options.maxFiles ?? 64);
  const chosen = new Map<number, { tf: TokenizedFile; ranges: LineRange[] }>();
  let used = 0;
  for (const i of order) {
    if (options.budget - used < 64) break;
    const file = files[i]!;
    const pinned = options.pinned?.has(file.path) ?? false;
    // a file with words but no text changed since it was read (a long-lived host reads texts again
    // when it needs them, and not a file changed since): it has nothing to show now
    if (!pinned && file.text === '') continue;
    // a pinned file is read whole; another only in its ranges, so only their lines are counted (unless kept counts of the whole file are at hand)
    const cache = options.tokenCache;
    const ranges = evidence[i]!.ranges;
    const tf = pinned
      ? (cache?.tokenize(file, options.tokenizer) ?? tokenizeFile(file, options.tokenizer))
      : (cache?.tokenizeRanges(file, options.tokenizer, ranges) ?? tokenizeRanges(file, options.tokenizer, ranges));
    const header = options.tokenizer.count(pieceHeader(tf.file.path, tf.lineTokens.length, tf.lineTokens.length));
    const wanted = pinned ? [{ start: 1, end: Math.max(1, tf.lineTokens.length) }] : ranges;
    const taken: LineRange[] = [];
    for (const r of wanted) {
      let end = Math.min(r.end, tf.lineTokens.length);
      let cost = header + tf.lineTokens.subarray(r.start - 1, end).reduce((a, b) => a + b, 0);
      while (used + cost > options.budget && end > r.start) {
        end = r.start + Math.floor((end - r.start) / 2);
        cost = header + tf.lineTokens.subarray(r.start - 1, end).reduce((a, b) => a + b, 0);
      }
      if (used + cost > options.budget || r.start > end) break;
      taken.push({ start: r.start, end });
      used += cost;
    }
    if (taken.length) chosen.set(i, { tf, ranges: taken });
  }
  let text = '';
  const ranges = new Map<number, LineRange[]>();
  for (const i of [...chosen.keys()].sort((a, b) => a - b)) {
    const { tf, ranges: list } = chosen.get(i)!;
    ranges.set(i, list);
    for (const r of list) text += pieceText(tf, r);
  }
  return { text, tokens: used, ranges };
}
