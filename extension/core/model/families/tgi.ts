import { questionCertainty } from '../../xl3m/certainty';
import { serverRoot } from '../endpoint';
import { postJson } from '../http';
import { QUESTION_LEAD, type ScoreRequest } from '../scorer';
import { BatchScorer, type BatchOptions, type BatchReport } from '../scorers/batchScorer';
import { textSpan } from '../scorers/promptSpans';
import type { ScorerOptions, ServerFamily } from './family';
import { describedMethod } from './methods';

interface TgiReply {
  details?: { prefill?: { id: number; text: string; logprob: number | null }[] };
}

/**
 * Hugging Face TGI's `POST /generate` with `decoder_input_details` (the server must run with
 * `--enable-prefill-logprobs`): the prefill's log-probs, one prompt per request.
 */
export class TgiScorer extends BatchScorer {
  protected readonly requestName = 'POST /generate';
  constructor(options: BatchOptions) {
    super(options);
  }

  get description() {
    return `prompt log-probabilities from ${this.endpoint.baseUrl} (TGI /generate prefill details)`;
  }

  override get batchSize() {
    return 1;
  }

  protected async scoreBatch(batch: ScoreRequest[], question: string, _topK: number, signal: AbortSignal, report: BatchReport) {
    const prompt = batch[0]!.text + QUESTION_LEAD + question;
    this.stats.requests++;
    const reply = (await postJson(
      this.endpoint,
      `${serverRoot(this.endpoint.baseUrl)}/generate`,
      {
        inputs: prompt,
        parameters: { details: true, decoder_input_details: true, max_new_tokens: 1 },
      },
      signal,
      undefined,
      this.countAttempt,
    )) as TgiReply;
    try {
      const prefill = reply?.details?.prefill;
      if (!Array.isArray(prefill)) throw new Error('the reply has no `details.prefill` list (is TGI running with --enable-prefill-logprobs?)');
      this.stats.promptTokens += prefill.length;
      const span = textSpan({ tokens: prefill.map((t) => t.text), token_logprobs: prefill.map((t) => t.logprob) }, prompt, question, 0);
      report.result(0, questionCertainty(span.logprobs));
    } catch (err) {
      report.invalid(0, err);
    }
  }
}

/** Hugging Face TGI with `--enable-prefill-logprobs`. */
export const tgiFamily = {
  ...describedMethod('tgi-prefill'),
  check: {
    name: 'TGI /generate with prefill details',
    async run({ endpoint, root, text, signal }) {
      const r = (await postJson(
        endpoint,
        `${root}/generate`,
        { inputs: text, parameters: { details: true, decoder_input_details: true, max_new_tokens: 1 } },
        signal,
        0,
      )) as {
        details?: { prefill?: { logprob: number | null }[] };
      };
      const prefill = r?.details?.prefill;
      return Array.isArray(prefill) && prefill.filter((t) => typeof t?.logprob === 'number').length >= 3;
    },
  },
  auto: true,
  explanation: () =>
    'prompt log-probabilities from TGI: /generate returns the prefill log-probabilities (decoder_input_details); question tokens located by counting back through the token texts.',
  createScorer: (options: ScorerOptions) => new TgiScorer(options),
} satisfies ServerFamily<'tgi-prefill'>;
