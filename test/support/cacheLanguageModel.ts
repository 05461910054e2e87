// A small but real language model for the test server: an interpolated bigram + unigram cache
// model over the prompt itself, backed off to a uniform distribution. Text that shares the
// question's wording earlier in the prompt really makes the question's tokens more probable.

export const VOCABULARY_SIZE = 50_000;

/** Words with their leading whitespace, single punctuation marks, and runs of whitespace. */
export function tokenizeText(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}_]+|\s*[^\s\p{L}\p{N}_]|\s+/gu) ?? [];
}

const key = (token: string) => token.trim().toLowerCase() || token;

export interface PositionLogprobs {
  token: string;
  logprob: number;
  /** The k most probable tokens at this position, plus the actual one. */
  top: Record<string, number>;
}

/** Log-probability of every token given the tokens before it; the first has none (null). */
export function scoreTokens(tokens: string[], topK: number): (PositionLogprobs | null)[] {
  const unigram = new Map<string, number>();
  const bigram = new Map<string, Map<string, number>>();
  const surface = new Map<string, string>();
  const out: (PositionLogprobs | null)[] = [];
  let seen = 0;
  let prev: string | undefined;
  for (const token of tokens) {
    const k = key(token);
    if (prev === undefined) out.push(null);
    else {
      const followers = bigram.get(prev);
      const prevCount = unigram.get(prev) ?? 0;
      const lambdaBigram = prevCount / (prevCount + 2);
      const lambdaUnigram = seen / (seen + 10);
      const prob = (candidate: string) => {
        const pb = followers && prevCount > 0 ? (followers.get(candidate) ?? 0) / prevCount : 0;
        const pu = seen > 0 ? (unigram.get(candidate) ?? 0) / seen : 0;
        return lambdaBigram * pb + (1 - lambdaBigram) * (lambdaUnigram * pu + (1 - lambdaUnigram) / VOCABULARY_SIZE);
      };
      const top: Record<string, number> = {};
      if (topK > 0 && followers) {
        [...followers.keys()]
          .map((c) => [c, prob(c)] as const)
          .sort((a, b) => b[1] - a[1])
          .slice(0, topK)
          .forEach(([c, p]) => (top[surface.get(c) ?? c] = Math.log(p)));
      }
      const logprob = Math.log(prob(k));
      top[token] = logprob;
      out.push({ token, logprob, top });
    }
    if (prev !== undefined) {
      const f = bigram.get(prev) ?? new Map<string, number>();
      f.set(k, (f.get(k) ?? 0) + 1);
      bigram.set(prev, f);
    }
    unigram.set(k, (unigram.get(k) ?? 0) + 1);
    if (!surface.has(k)) surface.set(k, token);
    seen++;
    prev = k;
  }
  return out;
}
