import type OpenAI from 'openai';
import { questionCertainty } from '../../xl3m/certainty';
import { createClient } from '../endpoint';
import { QUESTION_LEAD, type ScoreRequest } from '../scorer';
import { BatchScorer, type BatchReport } from '../scorers/batchScorer';
import { idSpan, textSpan, tokenize, type PromptLogprobs } from '../scorers/promptSpans';
import { spanWords, type ProbeCheck, type ScorerOptions, type ServerFamily } from './family';
import { describedMethod } from './methods';

/**
 * `spans`: how the question's tokens are found in the echoed prompt. `token-ids`: the prompt is
 * sent as ids from the server's `/tokenize`, so the question is exactly the last ids (exact for
 * any tokenizer). `text`: counted back from the end of the echoed token strings. `auto`: ids when
 * the server has `/tokenize`.
 */
export type CompletionsScorerOptions = ScorerOptions;

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

  constructor(protected override readonly options: CompletionsScorerOptions) {
    super(options);
    this.client = createClient(options.endpoint, this.countAttempt);
  }

  get description() {
    return `prompt log-probabilities from ${this.endpoint.baseUrl} (/v1/completions with echo)`;
  }

  protected override async prepare(question: string, signal: AbortSignal) {
    const mode = await this.resolveSpanMode(signal);
    this.questionIds = mode === 'token-ids' ? await tokenize(this.endpoint, question, false, signal, undefined, this.countAttempt) : undefined;
    if (this.questionIds && this.questionIds.length === 0) throw new Error('the question has no tokens');
  }

  protected async scoreBatch(batch: ScoreRequest[], question: string, topK: number, signal: AbortSignal, report: BatchReport) {
    const questionIds = this.questionIds;
    const prompts: (string | number[])[] = questionIds
      ? await Promise.all(
          batch.map(async (r) => [...(await tokenize(this.endpoint, r.text + QUESTION_LEAD, true, signal, undefined, this.countAttempt)), ...questionIds]),
        )
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

export const completionsEchoCheck: ProbeCheck = {
  name: '/v1/completions with echo',
  async run({ client, endpoint, text, signal }) {
    const r = await client.completions.create({ model: endpoint.model, prompt: text, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 }, { signal });
    const lp = r.choices?.[0]?.logprobs?.token_logprobs as (number | null)[] | undefined;
    // a server that ignores echo returns the generated token's entry only
    return Array.isArray(lp) && lp.length >= 4 && lp.slice(1).filter((x) => typeof x === 'number').length >= 3;
  },
};

/** vLLM, vLLM-Ascend (and SGLang's OpenAI API): prompt log-probabilities through `/v1/completions` with echo. */
export const completionsEchoFamily = {
  ...describedMethod('completions-echo'),
  check: completionsEchoCheck,
  auto: true,
  explanation: (tokenize: boolean) =>
    `prompt log-probabilities (vLLM wire format): /v1/completions with echo returns the log-probability of every prompt token; ${spanWords(tokenize)}.`,
  createScorer: (options: ScorerOptions) => new CompletionsScorer(options),
} satisfies ServerFamily<'completions-echo'>;
