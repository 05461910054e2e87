// A server family: how to tell that a server can score this way (its probe check), what that
// means in plain words, and the scorer that does it. The probe, the method list, the CLI's and the
// settings' choices are all derived from the list of families in `index.ts`.
import type OpenAI from 'openai';
import type { Endpoint } from '../endpoint';
import type { BatchScorer } from '../scorers/batchScorer';
import type { BatchOptions } from '../scorers/batchScorer';

/** What a probe check is given: the endpoint (with a short timeout and no retries), a client, the server root. */
export interface ProbeContext {
  endpoint: Endpoint;
  client: OpenAI;
  /** The server root (the base URL without `/v1`). */
  root: string;
  /** A short text every check sends. */
  text: string;
  signal?: AbortSignal;
}

/** One request that tells whether a server has a capability; families may share one (chat log-probabilities). */
export interface ProbeCheck {
  /** As shown by `xl3m check`, e.g. `/v1/completions with echo`. */
  name: string;
  run(ctx: ProbeContext): Promise<boolean>;
}

export interface ScorerOptions extends BatchOptions {
  /** How the question's tokens are found: ids from the server's `/tokenize`, or counted back through token texts. */
  spans?: 'auto' | 'token-ids' | 'text';
}

export interface ServerFamily<M extends string = string> {
  /** The method's name in settings and on the command line. */
  method: M;
  /** One line for the settings' enum descriptions. */
  summary: string;
  check: ProbeCheck;
  /** Chosen by the probe when the check passes (in list order); false: only when the user names it. */
  auto: boolean;
  /** Why this method was chosen, in plain words; `tokenize` says whether the server has `/tokenize`. */
  explanation(tokenize: boolean): string;
  createScorer(options: ScorerOptions): BatchScorer;
}

/** How question tokens are located, as the explanations say it. */
export function spanWords(tokenize: boolean): string {
  return tokenize
    ? 'question tokens located exactly with the server tokenizer (/tokenize)'
    : 'question tokens located by counting back through the returned token texts (no /tokenize)';
}
