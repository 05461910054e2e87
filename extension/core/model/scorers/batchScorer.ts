import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { describeError, isEndpointFailure, type Endpoint } from '../endpoint';
import { ScoreFailure, ScoringUnsupportedError, type Scorer, type ScoreOptions, type ScoreRequest, type ScorerStats } from '../scorer';
import type { Certainty } from '../../types';
import { DEFAULTS } from '../../options';

export interface BatchOptions {
  endpoint: Endpoint;
  /** Requests in flight. */
  concurrency?: number;
  /** Prompts sent together in one request, where the server takes a list. */
  promptsPerRequest?: number;
}

export interface BatchReport {
  result(position: number, certainty: Certainty): void;
  /** A problem with one prompt's answer (its shape), not with the server. */
  invalid(position: number, error: unknown): void;
}

/**
 * What every HTTP scorer shares: batches of prompts, a concurrency limit, per-prompt results as they
 * arrive, failures that name the server and say whether the server is at fault, and a stop for
 * everything when the server cannot score at all.
 */
export abstract class BatchScorer implements Scorer {
  readonly stats: ScorerStats = { requests: 0, attempts: 0, promptTokens: 0 };
  abstract readonly description: string;
  /** Names the request in error messages, e.g. `POST /v1/completions`. */
  protected abstract readonly requestName: string;
  protected readonly countAttempt = () => {
    this.stats.attempts++;
  };

  private prepared: { question: string; done: Promise<void> } | undefined;

  constructor(protected readonly options: BatchOptions) {}

  get endpoint(): Endpoint {
    return this.options.endpoint;
  }

  /** Prompts per request this server takes. */
  get batchSize(): number {
    return Math.max(1, this.options.promptsPerRequest ?? DEFAULTS.promptsPerRequest);
  }

  /** Once per question, before any batch (e.g. tokenize the question). */
  protected async prepare(_question: string, _signal: AbortSignal): Promise<void> {}

  /**
   * One `prepare` per question, shared by concurrent `score` calls (a multi-endpoint run calls
   * `score` once per batch, many at once); a failed one is tried again by the next call.
   */
  private preparedFor(question: string, signal: AbortSignal): Promise<void> {
    if (this.prepared?.question !== question) {
      const done = this.prepare(question, signal);
      this.prepared = { question, done };
      done.catch(() => {
        if (this.prepared?.done === done) this.prepared = undefined;
      });
    }
    return this.prepared.done;
  }

  /** Scores one batch with one request (or a few), reporting each prompt by its position in the batch. */
  protected abstract scoreBatch(batch: ScoreRequest[], question: string, topK: number, signal: AbortSignal, report: BatchReport): Promise<void>;

  async score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void> {
    const fatal = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, fatal.signal]) : fatal.signal;
    // Every request in flight listens for cancellation; hundreds may be queued on one signal.
    setMaxListeners(0, signal);
    await this.preparedFor(question, signal);
    const limit = pLimit(Math.max(1, this.options.concurrency ?? DEFAULTS.concurrency));
    const size = this.batchSize;
    const batches: ScoreRequest[][] = [];
    for (let i = 0; i < requests.length; i += size) batches.push(requests.slice(i, i + size));
    let fatalError: Error | undefined;
    // A caller's callback that throws is a bug in the caller, not a server failure: it stops the run and is rethrown as is.
    let callerError: { error: unknown } | undefined;
    const call = (callback: () => void) => {
      try {
        callback();
      } catch (error) {
        callerError ??= { error };
        fatal.abort(error);
        throw error;
      }
    };

    await Promise.all(
      batches.map((batch) =>
        limit(async () => {
          if (signal.aborted) return;
          const done = new Set<number>();
          try {
            await this.scoreBatch(batch, question, options.topK ?? 1, signal, {
              result: (position, certainty) => {
                if (done.has(position) || !batch[position]) return;
                done.add(position);
                call(() => options.onResult(batch[position]!.index, certainty));
              },
              invalid: (position, error) => {
                if (done.has(position) || !batch[position]) return;
                if (error instanceof ScoringUnsupportedError) throw error;
                done.add(position);
                call(() => options.onFailure(batch[position]!.index, new ScoreFailure(describeError(this.endpoint, error, this.requestName), false)));
              },
            });
            for (const [position, r] of batch.entries()) {
              if (!done.has(position))
                call(() =>
                  options.onFailure(
                    r.index,
                    new ScoreFailure(describeError(this.endpoint, new Error(`no result for prompt ${position} of the request`), this.requestName), false),
                  ),
                );
            }
          } catch (err) {
            if (signal.aborted || callerError) return;
            if (err instanceof ScoringUnsupportedError) {
              fatalError ??= new ScoringUnsupportedError(describeError(this.endpoint, err, this.requestName));
              fatal.abort(fatalError);
              return;
            }
            const failure = new ScoreFailure(describeError(this.endpoint, err, this.requestName), isEndpointFailure(err));
            for (const [position, r] of batch.entries()) if (!done.has(position)) call(() => options.onFailure(r.index, failure));
          }
        }),
      ),
    );
    if (callerError) throw callerError.error;
    if (fatalError) throw fatalError;
    options.signal?.throwIfAborted();
  }
}
