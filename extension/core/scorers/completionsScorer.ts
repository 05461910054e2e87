import { setMaxListeners } from 'node:events';
import OpenAI from 'openai';
import pLimit from 'p-limit';
import { questionCertainty } from '../certainty';
import { createClient, describeError, serverRoot, type Endpoint } from '../endpoint';
import { QUESTION_LEAD, ScoringUnsupportedError, type Scorer, type ScoreOptions, type ScoreRequest, type ScorerStats } from '../scorer';

export interface CompletionsScorerOptions {
  endpoint: Endpoint;
  concurrency?: number;
  /** Prompts sent as one list in one HTTP request (vLLM and SGLang accept lists). */
  promptsPerRequest?: number;
  /**
   * How the question's tokens are found in the echoed prompt. `token-ids`: the prompt is sent as
   * ids from the server's `/tokenize`, so the question is exactly the last ids (exact for any
   * tokenizer). `text`: counted back from the end of the echoed token strings. `auto`: ids when
   * the server has `/tokenize`.
   */
  spans?: 'auto' | 'token-ids' | 'text';
}

type PromptLogprobs = {
  tokens?: string[];
  token_logprobs?: (number | null)[];
  top_logprobs?: (Record<string, number> | null)[] | null;
  text_offset?: number[];
};

/**
 * Prompt log-probabilities through `/v1/completions` with `echo: true, max_tokens: 1`, the vLLM /
 * vLLM-Ascend / SGLang wire format: each prompt is `[context][lead][question]`, and the log-probs
 * of the question tokens alone are read back.
 */
export class CompletionsScorer implements Scorer {
  readonly stats: ScorerStats = { requests: 0, promptTokens: 0 };
  private readonly client: OpenAI;
  private spanMode: Promise<'token-ids' | 'text'> | undefined;

  constructor(private readonly options: CompletionsScorerOptions) {
    this.client = createClient(options.endpoint);
  }

  get description() {
    return `prompt log-probabilities from ${this.options.endpoint.baseUrl} (/v1/completions with echo)`;
  }

  async score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void> {
    const fatal = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, fatal.signal]) : fatal.signal;
    // Every request in flight listens for cancellation; hundreds may be queued on one signal.
    setMaxListeners(0, signal);
    const mode = await this.resolveSpanMode(signal);
    const questionIds = mode === 'token-ids' ? await this.tokenize(question, false, signal) : undefined;
    if (questionIds && questionIds.length === 0) throw new Error('the question has no tokens');

    const perRequest = Math.max(1, this.options.promptsPerRequest ?? 4);
    const limit = pLimit(Math.max(1, this.options.concurrency ?? 8));
    let fatalError: Error | undefined;
    const batches: ScoreRequest[][] = [];
    for (let i = 0; i < requests.length; i += perRequest) batches.push(requests.slice(i, i + perRequest));

    await Promise.all(
      batches.map((batch) =>
        limit(async () => {
          if (signal.aborted) return;
          try {
            await this.scoreBatch(batch, question, questionIds, options.topK ?? 1, signal, options);
          } catch (err) {
            if (signal.aborted) return;
            if (err instanceof ScoringUnsupportedError) {
              fatalError ??= err;
              fatal.abort(err);
              return;
            }
            const error = new Error(describeError(this.options.endpoint, err));
            for (const r of batch) options.onFailure(r.index, error);
          }
        }),
      ),
    );
    if (fatalError) throw fatalError;
    options.signal?.throwIfAborted();
  }

  private async scoreBatch(batch: ScoreRequest[], question: string, questionIds: number[] | undefined, topK: number, signal: AbortSignal, options: ScoreOptions) {
    const prompts: (string | number[])[] = questionIds
      ? await Promise.all(batch.map(async (r) => [...(await this.tokenize(r.text + QUESTION_LEAD, true, signal)), ...questionIds]))
      : batch.map((r) => r.text + QUESTION_LEAD + question);
    const prompt = prompts.length === 1 ? prompts[0]! : prompts;
    this.stats.requests++;
    const response = await this.client.completions.create(
      { model: this.options.endpoint.model, prompt: prompt as string, echo: true, logprobs: topK, max_tokens: 1, temperature: 0 },
      { signal },
    );
    this.stats.promptTokens += response.usage?.prompt_tokens ?? 0;
    if (!Array.isArray(response.choices)) throw new Error('the response has no `choices` list');
    const seen = new Set<number>();
    for (const choice of response.choices) {
      const i = choice.index ?? 0;
      const request = batch[i];
      if (!request || seen.has(i)) continue;
      seen.add(i);
      try {
        const logprobs = choice.logprobs as PromptLogprobs | null;
        const span = questionIds
          ? idSpan(logprobs, (prompts[i] as number[]).length, questionIds.length)
          : textSpan(logprobs, prompts[i] as string, question);
        options.onResult(request.index, questionCertainty(span.logprobs, topK > 1 ? span.top : undefined));
      } catch (err) {
        if (err instanceof ScoringUnsupportedError) throw new ScoringUnsupportedError(describeError(this.options.endpoint, err));
        options.onFailure(request.index, new Error(describeError(this.options.endpoint, err)));
      }
    }
    for (const [i, r] of batch.entries()) {
      if (!seen.has(i)) options.onFailure(r.index, new Error(describeError(this.options.endpoint, new Error(`no choice with index ${i} in the response`))));
    }
  }

  private resolveSpanMode(signal: AbortSignal): Promise<'token-ids' | 'text'> {
    const wanted = this.options.spans ?? 'auto';
    if (wanted !== 'auto') return Promise.resolve(wanted);
    this.spanMode ??= this.tokenize('probe', false, signal).then(
      () => 'token-ids' as const,
      () => 'text' as const,
    );
    return this.spanMode;
  }

  /** The server's own tokenizer (`POST /tokenize` at the server root, as vLLM and SGLang serve it). */
  private async tokenize(text: string, addSpecialTokens: boolean, signal: AbortSignal): Promise<number[]> {
    const { endpoint } = this.options;
    const res = await fetch(`${serverRoot(endpoint.baseUrl)}/tokenize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}) },
      body: JSON.stringify({ model: endpoint.model, prompt: text, add_special_tokens: addSpecialTokens }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(endpoint.timeoutMs ?? 120_000)]),
    });
    if (!res.ok) throw new Error(`/tokenize answered HTTP ${res.status}`);
    const body = (await res.json()) as { tokens?: unknown };
    if (!Array.isArray(body.tokens) || !body.tokens.every((t) => Number.isInteger(t))) throw new Error('/tokenize returned no `tokens` list of ids');
    return body.tokens as number[];
  }
}

interface Span {
  logprobs: (number | null | undefined)[];
  top: (Record<string, number> | null | undefined)[];
}

function checkShape(logprobs: PromptLogprobs | null): asserts logprobs is PromptLogprobs & { token_logprobs: (number | null)[] } {
  if (!logprobs || !Array.isArray(logprobs.token_logprobs)) throw new Error('the choice has no `logprobs.token_logprobs` list');
}

/** The question is the last `questionLength` ids of a prompt sent as ids; one generated entry follows. */
export function idSpan(logprobs: PromptLogprobs | null, promptLength: number, questionLength: number): Span {
  checkShape(logprobs);
  if (logprobs.token_logprobs.length < promptLength) {
    throw new ScoringUnsupportedError(
      `returned log-probabilities for ${logprobs.token_logprobs.length} of the prompt's ${promptLength} tokens: it does not echo prompt log-probabilities`,
    );
  }
  const start = promptLength - questionLength;
  return { logprobs: logprobs.token_logprobs.slice(start, promptLength), top: (logprobs.top_logprobs ?? []).slice(start, promptLength) };
}

const codePoints = (s: string) => s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
// Token strings may carry a tokenizer's space markers (SentencePiece `▁`, byte-level BPE `Ġ`/`Ċ`).
const bare = (s: string) => s.replace(/[\s▁ĠĊ]/g, '');

/**
 * The question's entries in an echoed text prompt: counted back from the end of the prompt's
 * tokens until they cover the question (a token that straddles the lead and the question is
 * included), then checked against the question's text.
 */
export function textSpan(logprobs: PromptLogprobs | null, prompt: string, question: string): Span {
  checkShape(logprobs);
  const tokens = logprobs.tokens ?? [];
  const promptChars = codePoints(prompt);
  let end = logprobs.token_logprobs.length;
  const offsets = logprobs.text_offset;
  if (offsets && offsets.length === end) {
    while (end > 0 && offsets[end - 1]! >= promptChars) end--;
  } else {
    end -= 1; // max_tokens: 1
  }
  const want = codePoints(question);
  let start = end;
  let covered = 0;
  while (start > 0 && covered < want) covered += codePoints(tokens[--start] ?? '');
  const echoed = tokens.slice(start, end).join('');
  if (end <= 1 || covered < want || !bare(echoed).endsWith(bare(question))) {
    throw new ScoringUnsupportedError(
      end <= 1
        ? 'returned no log-probabilities for the prompt: it ignores `echo` and gives log-probabilities of generated tokens only'
        : 'the echoed prompt does not end with the question, so its tokens cannot be located',
    );
  }
  return { logprobs: logprobs.token_logprobs.slice(start, end), top: (logprobs.top_logprobs ?? []).slice(start, end) };
}
