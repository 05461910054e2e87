import type { Certainty } from '../types';

export interface ScoreRequest {
  /** Caller's key for the result (a segment index). */
  index: number;
  /** The context placed before the question. May be empty (the contrast baseline). */
  text: string;
}

export interface ScoreOptions {
  signal?: AbortSignal;
  /** Top-k alternatives per position; > 1 only when a measure needs them (entropy). */
  topK?: number;
  onResult(index: number, certainty: Certainty): void;
  onFailure(index: number, error: Error): void;
}

export interface ScorerStats {
  /** Scoring requests made (a list of prompts counts once). */
  requests: number;
  /** HTTP attempts of every kind, retries and /tokenize included: bounded by requests x (1 + retries). */
  attempts: number;
  promptTokens: number;
}

/**
 * One way of measuring how certain a model is of the question after a context. Implementations
 * report each result as it arrives, so a failed or cancelled run keeps what it scored. They throw
 * only when nothing can be scored at all (a `ScoringUnsupportedError`) or on cancellation.
 */
export interface Scorer {
  readonly description: string;
  readonly stats: ScorerStats;
  score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void>;
}

/** A request that failed; `endpointDown` when the server, not the request, is at fault. */
export class ScoreFailure extends Error {
  override name = 'ScoreFailure';
  constructor(
    message: string,
    readonly endpointDown: boolean,
  ) {
    super(message);
  }
}

/** The server cannot give what the method needs (e.g. it ignores `echo`): no fallback applies. */
export class ScoringUnsupportedError extends Error {
  override name = 'ScoringUnsupportedError';
}

/** The text between the context and the question in every scoring prompt. */
export const QUESTION_LEAD = '\n\nQuestion: ';
