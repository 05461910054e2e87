import type { Certainty, Measure } from '../types';

// The certainty maths, shared by every scorer (see docs/method.md in the design notes).

/** Log-probability given to tokens the server reports as -inf, -9999.0 (vLLM's JSON stand-in) or NaN. */
export const LOGPROB_FLOOR = -20;

export function usableLogprob(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > -9000;
}

/**
 * Entropy (nats) of a next-token distribution known only by its top-k log-probabilities. The mass
 * r outside the top-k is spread over tokens no likelier than the least likely one shown (p_min),
 * which is the least entropy it can have: -r ln(min(r, p_min)). An estimate that errs low.
 */
export function entropyFromTopK(logprobs: number[]): number {
  let h = 0;
  let mass = 0;
  let smallest = 1;
  for (const lp of logprobs) {
    if (!usableLogprob(lp)) continue;
    const p = Math.exp(lp);
    mass += p;
    smallest = Math.min(smallest, p);
    h -= p * lp;
  }
  const rest = 1 - mass;
  if (rest > 1e-12) h -= rest * Math.log(Math.min(rest, smallest));
  return h;
}

/** Entropy (nats) of a full next-token distribution. */
export function entropyFromProbabilities(probabilities: Iterable<number>): number {
  let h = 0;
  for (const p of probabilities) if (p > 0) h -= p * Math.log(p);
  return h;
}

/** Mean NLL (and entropy, when top-k maps are given) of the question tokens. */
export function questionCertainty(
  logprobs: ReadonlyArray<number | null | undefined>,
  topK?: ReadonlyArray<Record<string, number> | null | undefined>,
): Certainty & { meanNll: number } {
  if (logprobs.length === 0) throw new Error('no question tokens to score');
  let nll = 0;
  let floored = 0;
  for (const lp of logprobs) {
    if (usableLogprob(lp)) nll -= Math.max(lp, LOGPROB_FLOOR);
    else {
      nll -= LOGPROB_FLOOR;
      floored++;
    }
  }
  const certainty: Certainty & { meanNll: number } = { meanNll: nll / logprobs.length, questionTokens: logprobs.length, flooredTokens: floored };
  if (topK && topK.some((t) => t && Object.keys(t).length > 0)) {
    let h = 0;
    for (const t of topK) h += t ? entropyFromTopK(Object.values(t)) : 0;
    certainty.meanEntropy = h / topK.length;
  }
  return certainty;
}

/** One number per segment, higher = more relevant, for the chosen measure. */
export function relevance(c: Certainty, measure: Measure, baseline?: Certainty): number {
  // The fallback methods measure one thing each; the measure setting applies to prompt log-probs.
  if (c.yesProbability !== undefined) return c.yesProbability;
  if (c.nextTokenEntropy !== undefined) return -c.nextTokenEntropy;
  if (c.lexical !== undefined) return c.lexical;
  if (c.meanNll === undefined) throw new Error('the scorer returned no certainty');
  switch (measure) {
    case 'nll':
      return -c.meanNll;
    case 'entropy':
      if (c.meanEntropy === undefined) throw new Error('the entropy measure needs top-k log-probabilities, which the server did not return');
      return -c.meanEntropy;
    case 'contrast':
      if (baseline?.meanNll === undefined) throw new Error('the contrast measure needs the question scored after an empty segment');
      return baseline.meanNll - c.meanNll;
  }
}

const YES = new Set(['yes', 'y', 'true']);
const NO = new Set(['no', 'n', 'false']);

/**
 * p(yes) / (p(yes) + p(no)) from the top-k alternatives of the first generated token, merging
 * case and leading-space variants ("Yes", " yes", "YES"). A side missing from the top-k gets a
 * floor: half the least likely probability shown, which is at most what it can be.
 */
export function yesNoProbability(top: ReadonlyArray<{ token: string; logprob: number }>): { yes: number; floored: number } {
  let yes = 0;
  let no = 0;
  let least = 1;
  for (const t of top) {
    if (!usableLogprob(t.logprob)) continue;
    const p = Math.exp(t.logprob);
    least = Math.min(least, p);
    const word = t.token
      .trim()
      .toLowerCase()
      .replace(/[^a-z]/g, '');
    if (YES.has(word)) yes += p;
    else if (NO.has(word)) no += p;
  }
  let floored = 0;
  const floor = top.length ? least / 2 : 0.5;
  if (yes === 0) {
    yes = floor;
    floored++;
  }
  if (no === 0) {
    no = floor;
    floored++;
  }
  return { yes: yes / (yes + no), floored };
}
