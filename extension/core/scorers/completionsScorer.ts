import type OpenAI from 'openai';
import { questionCertainty } from '../certainty';
import { createClient, serverRoot, type Endpoint } from '../endpoint';
import { postJson } from '../http';
import { QUESTION_LEAD, ScoringUnsupportedError, type ScoreRequest } from '../scorer';
import { BatchScorer, type BatchOptions, type BatchReport } from './batchScorer';

export interface CompletionsScorerOptions extends BatchOptions {
  /**
   * How the question's tokens are found in the echoed prompt. `token-ids`: the prompt is sent as
   * ids from the server's `/tokenize`, so the question is exactly the last ids (exact for any
   * tokenizer). `text`: counted back from the end of the echoed token strings. `auto`: ids when
   * the server has `/tokenize`.
   */
  spans?: 'auto' | 'token-ids' | 'text';
}

export type PromptLogprobs = {
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
export class CompletionsScorer extends BatchScorer {
  protected readonly requestName = 'POST /v1/completions';
  private readonly client: OpenAI;
  private spanMode: Promise<'token-ids' | 'text'> | undefined;
  private questionIds: number[] | undefined;
  private preparedFor: string | undefined;

  constructor(protected override readonly options: CompletionsScorerOptions) {
    super(options);
    this.client = createClient(options.endpoint, this.countAttempt);
  }

  get description() {
    return `prompt log-probabilities from ${this.endpoint.baseUrl} (/v1/completions with echo)`;
  }

  protected override async prepare(question: string, signal: AbortSignal) {
    if (this.preparedFor === question) return;
    const mode = await this.resolveSpanMode(signal);
    this.questionIds = mode === 'token-ids' ? await tokenize(this.endpoint, question, false, signal, undefined, this.countAttempt) : undefined;
    if (this.questionIds && this.questionIds.length === 0) throw new Error('the question has no tokens');
    this.preparedFor = question;
  }

  protected async scoreBatch(batch: ScoreRequest[], question: string, topK: number, signal: AbortSignal, report: BatchReport) {
    const questionIds = this.questionIds;
    const prompts: (string | number[])[] = questionIds
      ? await Promise.all(batch.map(async (r) => [...(await tokenize(this.endpoint, r.text + QUESTION_LEAD, true, signal, undefined, this.countAttempt)), ...questionIds]))
      : batch.map((r) => r.text + QUESTION_LEAD + question);
    const prompt = prompts.length === 1 ? prompts[0]! : prompts;
    this.stats.requests++;
    const response = await this.client.completions.create(
      { model: this.endpoint.model, prompt: prompt as string, echo: true, logprobs: topK, max_tokens: 1, temperature: 0 },
      { signal },
    );
    this.stats.promptTokens += response.usage?.prompt_tokens ?? 0;
    if (!Array.isArray(response.choices)) throw new Error('the response has no `choices` list');
    for (const choice of response.choices) {
      const i = choice.index ?? 0;
      if (!prompts[i]) continue;
      try {
        const logprobs = choice.logprobs as PromptLogprobs | null;
        const span = questionIds ? idSpan(logprobs, (prompts[i] as number[]).length, questionIds.length) : textSpan(logprobs, prompts[i] as string, question);
        report.result(i, questionCertainty(span.logprobs, topK > 1 ? span.top : undefined));
      } catch (err) {
        report.invalid(i, err);
      }
    }
  }

  private resolveSpanMode(signal: AbortSignal): Promise<'token-ids' | 'text'> {
    const wanted = this.options.spans ?? 'auto';
    if (wanted !== 'auto') return Promise.resolve(wanted);
    this.spanMode ??= tokenize(this.endpoint, 'probe', false, signal, 0, this.countAttempt).then(
      () => 'token-ids' as const,
      () => 'text' as const,
    );
    return this.spanMode;
  }
}

/** The server's own tokenizer (`POST /tokenize` at the server root, as vLLM and SGLang serve it). */
export async function tokenize(endpoint: Endpoint, text: string, addSpecialTokens: boolean, signal: AbortSignal, retries?: number, onAttempt?: () => void): Promise<number[]> {
  const body = (await postJson(endpoint, `${serverRoot(endpoint.baseUrl)}/tokenize`, { model: endpoint.model, prompt: text, add_special_tokens: addSpecialTokens }, signal, retries, onAttempt)) as { tokens?: unknown };
  if (!Array.isArray(body?.tokens) || !body.tokens.every((t) => Number.isInteger(t))) throw new Error('/tokenize returned no `tokens` list of ids');
  return body.tokens as number[];
}

export interface Span {
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
export function textSpan(logprobs: PromptLogprobs | null, prompt: string, question: string, generatedEntries = 1): Span {
  checkShape(logprobs);
  const tokens = logprobs.tokens ?? [];
  const promptChars = codePoints(prompt);
  let end = logprobs.token_logprobs.length;
  const offsets = logprobs.text_offset;
  if (offsets && offsets.length === end) {
    while (end > 0 && offsets[end - 1]! >= promptChars) end--;
  } else {
    end -= generatedEntries; // max_tokens: 1
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
