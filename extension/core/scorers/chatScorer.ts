import type OpenAI from 'openai';
import { entropyFromTopK, yesNoProbability } from '../certainty';
import { createClient } from '../endpoint';
import { QUESTION_LEAD, ScoringUnsupportedError, type ScoreRequest } from '../scorer';
import { BatchScorer, type BatchOptions, type BatchReport } from './batchScorer';

export const YES_NO_INSTRUCTION = 'Does the document above help answer the question? Answer yes or no.';

/**
 * For servers that give log-probs of generated tokens only (llama.cpp, Ollama, LM Studio, OpenAI
 * chat models): one chat completion of one token with its top-20 alternatives, read either as a
 * Yes/No relevance judgement or as the entropy of the next token after `[segment][question]`.
 */
export class ChatScorer extends BatchScorer {
  protected readonly requestName = 'POST /v1/chat/completions';
  private readonly client: OpenAI;

  constructor(options: BatchOptions, readonly mode: 'yes-no' | 'next-token-entropy') {
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
