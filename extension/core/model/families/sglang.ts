import { questionCertainty } from '../../xl3m/certainty';
import { serverRoot } from '../endpoint';
import { postJson } from '../http';
import { QUESTION_LEAD, type ScoreRequest } from '../scorer';
import { BatchScorer, type BatchOptions, type BatchReport } from '../scorers/batchScorer';
import { textSpan, tokenize } from '../scorers/promptSpans';
import { spanWords, type ScorerOptions, type ServerFamily } from './family';
import { describedMethod } from './methods';

type LogprobEntry = [number | null, number, string | null];
interface GenerateReply {
  meta_info?: { input_token_logprobs?: LogprobEntry[]; input_top_logprobs?: (LogprobEntry[] | null)[]; prompt_tokens?: number };
}

/**
 * SGLang's native `POST /generate` with `logprob_start_len` at the question: log-probs are
 * returned for the question only, and the segment before it can be served from the radix cache
 * when the same repository is asked again.
 */
export class SglangScorer extends BatchScorer {
  protected readonly requestName = 'POST /generate';
  private questionIds: number[] | undefined;

  constructor(options: BatchOptions) {
    super(options);
  }

  get description() {
    return `prompt log-probabilities from ${this.endpoint.baseUrl} (SGLang /generate with logprob_start_len)`;
  }

  protected override async prepare(question: string, signal: AbortSignal) {
    this.questionIds = await tokenize(this.endpoint, question, false, signal, undefined, this.countAttempt).catch(() => undefined);
  }

  protected async scoreBatch(batch: ScoreRequest[], question: string, topK: number, signal: AbortSignal, report: BatchReport) {
    const url = `${serverRoot(this.endpoint.baseUrl)}/generate`;
    const common = {
      sampling_params: { max_new_tokens: 1, temperature: 0 },
      return_logprob: true,
      return_text_in_logprobs: true,
      ...(topK > 1 ? { top_logprobs_num: topK } : {}),
    };
    const questionIds = this.questionIds;
    let body: object;
    let prompts: (number[] | string)[];
    if (questionIds) {
      const prefixes = await Promise.all(batch.map((r) => tokenize(this.endpoint, r.text + QUESTION_LEAD, true, signal, undefined, this.countAttempt)));
      prompts = prefixes.map((p) => [...p, ...questionIds]);
      body = { ...common, input_ids: prompts, logprob_start_len: prefixes.map((p) => p.length) };
    } else {
      prompts = batch.map((r) => r.text + QUESTION_LEAD + question);
      body = { ...common, text: prompts, logprob_start_len: prompts.map(() => 0) };
    }
    this.stats.requests++;
    const reply = await postJson(this.endpoint, url, body, signal, undefined, this.countAttempt);
    const replies = (Array.isArray(reply) ? reply : [reply]) as GenerateReply[];
    prompts.forEach((prompt, i) => {
      try {
        const meta = replies[i]?.meta_info;
        if (!meta || !Array.isArray(meta.input_token_logprobs)) throw new Error(`the reply has no \`meta_info.input_token_logprobs\` for prompt ${i}`);
        this.stats.promptTokens += meta.prompt_tokens ?? 0;
        const entries = meta.input_token_logprobs;
        const tops = (meta.input_top_logprobs ?? []).map((t) =>
          t ? Object.fromEntries(t.map(([lp, id, text]) => [text ?? String(id), lp ?? -Infinity])) : null,
        );
        if (questionIds) {
          const start = entries.length - questionIds.length;
          if (start < 0) throw new Error(`\`meta_info.input_token_logprobs\` has ${entries.length} entries for ${questionIds.length} question tokens`);
          report.result(
            i,
            questionCertainty(
              entries.slice(start).map((e) => e[0]),
              topK > 1 ? tops.slice(start) : undefined,
            ),
          );
        } else {
          const span = textSpan(
            { tokens: entries.map((e) => e[2] ?? ''), token_logprobs: entries.map((e) => e[0]), top_logprobs: tops },
            prompt as string,
            question,
            0,
          );
          report.result(i, questionCertainty(span.logprobs, topK > 1 ? span.top : undefined));
        }
      } catch (err) {
        report.invalid(i, err);
      }
    });
  }
}

/** SGLang's native API: prompt log-probabilities of the question only, the segment from the radix cache. */
export const sglangFamily = {
  ...describedMethod('sglang-native'),
  check: {
    name: 'SGLang /generate with logprob_start_len',
    async run({ endpoint, root, text, signal }) {
      const r = (await postJson(
        endpoint,
        `${root}/generate`,
        { text, sampling_params: { max_new_tokens: 1 }, return_logprob: true, logprob_start_len: 0 },
        signal,
        0,
      )) as {
        meta_info?: { input_token_logprobs?: unknown[] };
      };
      return Array.isArray(r?.meta_info?.input_token_logprobs) && r.meta_info.input_token_logprobs.length >= 4;
    },
  },
  auto: true,
  explanation: (tokenize: boolean) =>
    `SGLang native scoring: /generate returns prompt log-probabilities from logprob_start_len, so repeated questions reuse the radix cache; ${spanWords(tokenize)}.`,
  createScorer: (options: ScorerOptions) => new SglangScorer(options),
} satisfies ServerFamily<'sglang-native'>;
