import { bm25 } from '../../lexical/bm25';
import type { Scorer, ScoreOptions, ScoreRequest, ScorerStats } from '../scorer';

/**
 * Lexical relevance of each segment (BM25 over its text, whose headers carry the paths), behind the
 * model's interface: a deterministic scorer for tests and benchmarks of the model path. With no
 * model configured, the pipeline ranks files lexically itself (`lexicalRanking.ts`).
 */
export class Bm25Scorer implements Scorer {
  readonly description = 'BM25 over each segment (a deterministic stand-in for a model)';
  readonly stats: ScorerStats = { requests: 0, attempts: 0, promptTokens: 0 };

  async score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void> {
    options.signal?.throwIfAborted();
    const scores = bm25(
      requests.map((r) => r.text),
      question,
    );
    requests.forEach((r, i) => options.onResult(r.index, { lexical: scores[i]!, questionTokens: 0, flooredTokens: 0 }));
  }
}
