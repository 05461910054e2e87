import { bm25 } from '../bm25';
import type { Scorer, ScoreOptions, ScoreRequest, ScorerStats } from '../scorer';

/**
 * Lexical relevance (BM25 over each segment's text, whose headers carry the paths): what runs when
 * no model is configured. It ranks; it cannot answer.
 */
export class Bm25Scorer implements Scorer {
  readonly description = 'BM25 (lexical; no model configured)';
  readonly stats: ScorerStats = { requests: 0, attempts: 0, promptTokens: 0 };

  async score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void> {
    options.signal?.throwIfAborted();
    const scores = bm25(requests.map((r) => r.text), question);
    requests.forEach((r, i) => options.onResult(r.index, { lexical: scores[i]!, questionTokens: 0, flooredTokens: 0 }));
  }
}
