import type { Certainty, Measure } from './types';

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

/** Mean NLL (and entropy, when top-k maps are given) of the question tokens. */
export function questionCertainty(logprobs: ReadonlyArray<number | null | undefined>, topK?: ReadonlyArray<Record<string, number> | null | undefined>): Certainty {
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
  const certainty: Certainty = { meanNll: nll / logprobs.length, questionTokens: logprobs.length, flooredTokens: floored };
  if (topK && topK.some((t) => t && Object.keys(t).length > 0)) {
    let h = 0;
    for (const t of topK) h += t ? entropyFromTopK(Object.values(t)) : 0;
    certainty.meanEntropy = h / topK.length;
  }
  return certainty;
}

/** One number per segment, higher = more relevant, for the chosen measure. */
export function relevance(c: Certainty, measure: Measure, baseline?: Certainty): number {
  switch (measure) {
    case 'nll':
      return -c.meanNll;
    case 'entropy':
      if (c.meanEntropy === undefined) throw new Error('the entropy measure needs top-k log-probabilities, which the server did not return');
      return -c.meanEntropy;
    case 'contrast':
      if (!baseline) throw new Error('the contrast measure needs the question scored after an empty segment');
      return baseline.meanNll - c.meanNll;
  }
}
