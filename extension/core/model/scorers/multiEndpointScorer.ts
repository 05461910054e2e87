import { ScoreFailure, ScoringUnsupportedError, type Scorer, type ScoreOptions, type ScoreRequest, type ScorerStats } from '../scorer';

export interface EndpointMember {
  scorer: Scorer;
  /** Requests this endpoint takes at once. */
  concurrency: number;
  /** Prompts per request. */
  batchSize: number;
}

/** Failures in a row after which an endpoint is taken out of the run. */
const MAX_CONSECUTIVE_FAILURES = 2;

/**
 * Shares one question's segments among several endpoints, each with its own concurrency: every
 * endpoint pulls the next batch when it has a free slot, so faster servers take more. An endpoint
 * that fails (down, overloaded, timing out) is taken out and its segments go to the others.
 */
export class MultiEndpointScorer implements Scorer {
  /** Why each endpoint was taken out, in order. */
  readonly removed: string[] = [];

  constructor(private readonly members: EndpointMember[]) {
    if (members.length === 0) throw new Error('no endpoint to score with');
  }

  get description() {
    return `${this.members.length} endpoints: ${this.members.map((m) => m.scorer.description).join('; ')}`;
  }

  get stats(): ScorerStats {
    return this.members.reduce(
      (a, m) => ({
        requests: a.requests + m.scorer.stats.requests,
        attempts: a.attempts + m.scorer.stats.attempts,
        promptTokens: a.promptTokens + m.scorer.stats.promptTokens,
      }),
      { requests: 0, attempts: 0, promptTokens: 0 },
    );
  }

  async score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void> {
    const queue = [...requests];
    const alive = this.members.map(() => true);
    const failuresInARow = this.members.map(() => 0);
    const removedAlready = this.members.map(() => false);
    let inFlight = 0;
    let lastError: Error | undefined;
    let unsupported = 0;
    let wake: () => void = () => {};
    let changed = new Promise<void>((r) => (wake = r));
    const notify = () => {
      wake();
      changed = new Promise<void>((r) => (wake = r));
    };

    const worker = async (m: EndpointMember, i: number) => {
      while (alive[i] && !options.signal?.aborted) {
        if (queue.length === 0) {
          if (inFlight === 0) return;
          await changed;
          continue;
        }
        const batch = queue.splice(0, m.batchSize);
        const retry: ScoreRequest[] = [];
        const byIndex = new Map(batch.map((r) => [r.index, r]));
        inFlight++;
        try {
          await m.scorer.score(batch, question, {
            signal: options.signal,
            topK: options.topK,
            onResult: options.onResult,
            onFailure: (index, error) => {
              if (error instanceof ScoreFailure && error.endpointDown) retry.push(byIndex.get(index)!);
              else options.onFailure(index, error);
              lastError = error;
            },
          });
        } catch (err) {
          if (options.signal?.aborted) return;
          lastError = err as Error;
          retry.push(...batch);
          if (err instanceof ScoringUnsupportedError) {
            unsupported++;
            alive[i] = false;
          }
        } finally {
          inFlight--;
        }
        if (retry.length > 0) {
          queue.unshift(...retry);
          failuresInARow[i]!++;
          if (failuresInARow[i]! >= MAX_CONSECUTIVE_FAILURES) alive[i] = false;
          if (!alive[i] && !removedAlready[i]) {
            removedAlready[i] = true;
            this.removed.push(`${m.scorer.description}: ${lastError?.message ?? 'failed'}`);
          }
        } else {
          failuresInARow[i] = 0;
        }
        notify();
      }
    };

    await Promise.all(this.members.flatMap((m, i) => Array.from({ length: Math.max(1, m.concurrency) }, () => worker(m, i))));
    options.signal?.throwIfAborted();
    if (queue.length > 0) {
      if (unsupported === this.members.length && lastError) throw lastError;
      const error = new ScoreFailure(`every endpoint failed; last error: ${lastError?.message ?? 'unknown'}`, true);
      for (const r of queue.splice(0)) options.onFailure(r.index, error);
    }
  }
}
