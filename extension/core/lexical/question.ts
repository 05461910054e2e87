// A question that a scoring prompt cannot hold whole (a pasted bug report, a traceback, a log) is
// condensed for the model to the lines that carry the most signal; lexical ranking reads it whole.
import { terms } from './bm25';
import type { Tokenizer } from '../tokens/tokenizer';

export interface CondensedQuestion {
  text: string;
  tokens: number;
  /** The whole question's tokens; more than `tokens` when lines were left out. */
  originalTokens: number;
}

/**
 * The question within `maxTokens`: its first line (the title), then the lines whose terms are
 * rarest in the repository per token (`termWeight`, e.g. inverse document frequency), kept in
 * their original order; lines that repeat an earlier one but for its numbers are left out. A line
 * longer than what is left is cut.
 */
export function condenseQuestion(question: string, maxTokens: number, tokenizer: Tokenizer, termWeight: (term: string) => number): CondensedQuestion {
  const originalTokens = tokenizer.count(question);
  if (originalTokens <= maxTokens) return { text: question, tokens: originalTokens, originalTokens };
  const lines = question.split('\n');
  const cost = lines.map((l) => tokenizer.count(l + '\n'));
  const title = lines.findIndex((l) => l.trim() !== '');
  const seen = new Set<string>();
  // signal per token, counting each term once in the question: a repeated frame adds nothing new
  const density = lines.map((l, i) => {
    if (i === title || cost[i]! === 0) return 0;
    let weight = 0;
    for (const t of new Set(terms(l))) weight += termWeight(t) * (seen.has(t) ? 0.2 : 1);
    for (const t of terms(l)) seen.add(t);
    return weight / Math.sqrt(cost[i]!);
  });
  // a line that repeats an earlier one but for its numbers (a log's heartbeat, a repeated frame) adds nothing
  const shapes = new Set<string>();
  const repeated = lines.map((l) => {
    const shape = l.replace(/\d+/g, '0').trim();
    if (shape.length <= 12) return false;
    if (shapes.has(shape)) return true;
    shapes.add(shape);
    return false;
  });
  const keep = new Set<number>();
  let used = 0;
  const order = lines
    .map((_, i) => i)
    .filter((i) => i !== title && !repeated[i])
    .sort((a, b) => density[b]! - density[a]! || a - b);
  if (title >= 0) order.unshift(title);
  for (const i of order) {
    if (used + cost[i]! > maxTokens) continue;
    keep.add(i);
    used += cost[i]!;
  }
  // the best line that did not fit, cut to what is left (a one-line paste has nothing else)
  const left = maxTokens - used;
  const cut = order.find((i) => !keep.has(i) && cost[i]! > 0);
  const parts = lines.map((l, i) => (keep.has(i) ? l : i === cut && left >= 16 ? cutToTokens(l, left - 2, tokenizer, cost[i]!) : undefined));
  const text = parts.filter((p): p is string => p !== undefined).join('\n');
  const tokens = tokenizer.count(text);
  return { text, tokens, originalTokens };
}

/** The first part of a text within `maxTokens` (by proportion, then trimmed until it fits). */
function cutToTokens(text: string, maxTokens: number, tokenizer: Tokenizer, tokens: number): string {
  let cut = text.slice(0, Math.floor((text.length * maxTokens) / tokens));
  while (cut.length > 0 && tokenizer.count(cut) > maxTokens) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return cut;
}
