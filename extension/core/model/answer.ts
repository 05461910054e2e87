import { createClient, describeError, type Endpoint } from './endpoint';

export const ANSWER_INSTRUCTIONS =
  'You answer questions about a code repository. You are given excerpts of it; each starts with a ' +
  'line "--- path:first-last ---" naming its file and line numbers. Answer from the excerpts only. ' +
  'Cite the code you rely on as path:line (for example src/app.ts:42). If the excerpts do not ' +
  'contain the answer, say so.';

export function answerMessages(keyContext: string, question: string) {
  return [
    { role: 'system' as const, content: ANSWER_INSTRUCTIONS },
    { role: 'user' as const, content: `${keyContext}\n\nQuestion: ${question}` },
  ];
}

export interface AnswerOptions {
  signal?: AbortSignal;
  maxTokens?: number;
  onDelta?(text: string): void;
}

/** Streams the answer from `/v1/chat/completions` on `[key context][question]`; returns the whole text. */
export async function streamAnswer(endpoint: Endpoint, keyContext: string, question: string, options: AnswerOptions = {}): Promise<string> {
  const client = createClient(endpoint);
  let text = '';
  try {
    const stream = await client.chat.completions.create(
      {
        model: endpoint.model,
        messages: answerMessages(keyContext, question),
        stream: true,
        temperature: 0,
        ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
      },
      { signal: options.signal },
    );
    for await (const chunk of stream) {
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) {
        text += delta;
        options.onDelta?.(delta);
      }
    }
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    throw new AnswerError(describeError(endpoint, err), text);
  }
  return text;
}

/** The answer failed part-way: what arrived is kept. */
export class AnswerError extends Error {
  override name = 'AnswerError';
  constructor(
    message: string,
    readonly partial: string,
  ) {
    super(message);
  }
}
