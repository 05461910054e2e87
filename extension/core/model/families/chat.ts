import type OpenAI from 'openai';
import { entropyFromTopK, yesNoProbability } from '../../xl3m/certainty';
import { createClient } from '../endpoint';
import { QUESTION_LEAD, ScoringUnsupportedError, type ScoreRequest } from '../scorer';
import { BatchScorer, type BatchOptions, type BatchReport } from '../scorers/batchScorer';
import type { ProbeCheck, ScorerOptions, ServerFamily } from './family';
import { describedMethod } from './methods';

export const YES_NO_INSTRUCTION = 'Does the document above help answer the question? Answer yes or no.';

/**
 * For servers that give log-probs of generated tokens only (llama.cpp, Ollama, LM Studio, OpenAI
 * chat models): one chat completion of one token with its top-20 alternatives, read either as a
 * Yes/No relevance judgement or as the entropy of the next token after `[segment][question]`.
 */
export class ChatScorer extends BatchScorer {
  protected readonly requestName = 'POST /v1/chat/completions';
  private readonly client: OpenAI;

  constructor(
    options: BatchOptions,
    readonly mode: 'yes-no' | 'next-token-entropy',
  ) {
    super(options);
    this.client = createClient(options.endpoint, this.countAttempt);
  }

  get description() {
    return this.mode === 'yes-no'
      ? `Yes/No relevance from ${this.endpoint.baseUrl} (chat completions with top_logprobs)`
      : `next-token entropy from ${this.endpoint.baseUrl} (chat completions with top_logprobs)`;
  }

  override get batchSize() {
    return 1;
  }

  protected async scoreBatch(batch: ScoreRequest[], question: string, _topK: number, signal: AbortSignal, report: BatchReport) {
    const text = batch[0]!.text;
    const content = this.mode === 'yes-no' ? `${text}${QUESTION_LEAD}${question}\n\n${YES_NO_INSTRUCTION}` : `${text}${QUESTION_LEAD}${question}`;
    this.stats.requests++;
    const reply = await this.client.chat.completions.create(
      { model: this.endpoint.model, messages: [{ role: 'user', content }], max_tokens: 1, temperature: 0, logprobs: true, top_logprobs: 20 },
      { signal },
    );
    this.stats.promptTokens += reply.usage?.prompt_tokens ?? 0;
    const first = reply.choices?.[0]?.logprobs?.content?.[0];
    if (!first || !Array.isArray(first.top_logprobs) || first.top_logprobs.length === 0) {
      throw new ScoringUnsupportedError('returned no `choices[0].logprobs.content[0].top_logprobs` for a chat completion: it gives no token log-probabilities');
    }
    if (this.mode === 'yes-no') {
      const { yes, floored } = yesNoProbability(first.top_logprobs);
      report.result(0, { yesProbability: yes, questionTokens: 0, flooredTokens: floored });
    } else {
      report.result(0, { nextTokenEntropy: entropyFromTopK(first.top_logprobs.map((t) => t.logprob)), questionTokens: 0, flooredTokens: 0 });
    }
  }
}

export const chatLogprobsCheck: ProbeCheck = {
  name: 'chat completions with top_logprobs',
  async run({ client, endpoint, signal }) {
    const r = await client.chat.completions.create(
      {
        model: endpoint.model,
        messages: [{ role: 'user', content: 'Answer yes or no: is the sky blue?' }],
        max_tokens: 1,
        temperature: 0,
        logprobs: true,
        top_logprobs: 5,
      },
      { signal },
    );
    return (r.choices?.[0]?.logprobs?.content?.[0]?.top_logprobs?.length ?? 0) > 0;
  },
};

/** llama.cpp's llama-server, Ollama, LM Studio, OpenAI chat models: generated-token log-probabilities only. */
export const chatYesNoFamily = {
  ...describedMethod('chat-yes-no'),
  check: chatLogprobsCheck,
  auto: true,
  explanation: () =>
    'Yes/No relevance: this server gives log-probabilities of generated tokens only (no prompt log-probabilities), so each segment is judged by p(yes) / (p(yes) + p(no)) of a one-token chat answer. One request per segment; slower and coarser than prompt log-probabilities.',
  createScorer: (options: ScorerOptions) => new ChatScorer(options, 'yes-no'),
} satisfies ServerFamily<'chat-yes-no'>;

/** The second fallback on the same servers, only when chosen. */
export const nextTokenEntropyFamily = {
  ...describedMethod('next-token-entropy'),
  check: chatLogprobsCheck,
  auto: false,
  explanation: () =>
    'next-token entropy: the entropy of the next token after [segment][question], from chat completions with top_logprobs (chosen, never probed for).',
  createScorer: (options: ScorerOptions) => new ChatScorer(options, 'next-token-entropy'),
} satisfies ServerFamily<'next-token-entropy'>;
