// Finding the question's tokens among a prompt's log-probabilities: a wrong span silently scores
// the wrong tokens, so every scorer locates it here, by token ids where the server can tokenize.
import { serverRoot, type Endpoint } from '../endpoint';
import { postJson } from '../http';
import { ScoringUnsupportedError } from '../scorer';

export type PromptLogprobs = {
  tokens?: string[];
  token_logprobs?: (number | null)[];
  top_logprobs?: (Record<string, number> | null)[] | null;
  text_offset?: number[];
};

/** The server's own tokenizer (`POST /tokenize` at the server root, as vLLM and SGLang serve it). */
export async function tokenize(
  endpoint: Endpoint,
  text: string,
  addSpecialTokens: boolean,
  signal: AbortSignal,
  retries?: number,
  onAttempt?: () => void,
): Promise<number[]> {
  const body = (await postJson(
    endpoint,
    `${serverRoot(endpoint.baseUrl)}/tokenize`,
    { model: endpoint.model, prompt: text, add_special_tokens: addSpecialTokens },
    signal,
    retries,
    onAttempt,
  )) as { tokens?: unknown };
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
