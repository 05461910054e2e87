import { createClient, describeError, serverRoot, type Endpoint } from '../endpoint';
import { postJson } from '../http';

export type ScoringMethod = 'completions-echo' | 'sglang-native' | 'tgi-prefill' | 'chat-yes-no' | 'next-token-entropy';
export const SCORING_METHODS: ScoringMethod[] = ['completions-echo', 'sglang-native', 'tgi-prefill', 'chat-yes-no', 'next-token-entropy'];

export interface Capabilities {
  /** `POST /tokenize` at the server root gives token ids. */
  tokenize: boolean;
  /** `/v1/completions` with `echo` returns log-probs of the prompt's tokens. */
  completionsEcho: boolean;
  /** SGLang's native `/generate` returns `meta_info.input_token_logprobs`. */
  sglangNative: boolean;
  /** TGI's `/generate` returns `details.prefill` log-probs. */
  tgiPrefill: boolean;
  /** Chat completions return `top_logprobs` of the generated token. */
  chatLogprobs: boolean;
}

export interface ProbeResult {
  endpoint: string;
  model: string;
  capabilities: Capabilities;
  /** The best method this server allows; absent when it allows none. */
  method?: ScoringMethod;
  /** In plain words: which method and why. */
  explanation: string;
  /** What each check answered, for `xl3m check`. */
  findings: string[];
}

const PROBE_TEXT = 'The quick brown fox jumps over the lazy dog. The quick brown fox';
const cache = new Map<string, Promise<ProbeResult>>();

/** Probes once per endpoint and model; later calls reuse the answer. */
export function probeEndpoint(endpoint: Endpoint, signal?: AbortSignal): Promise<ProbeResult> {
  const key = `${endpoint.baseUrl}\n${endpoint.model}`;
  let result = cache.get(key);
  if (!result) {
    result = runProbe(endpoint, signal);
    cache.set(key, result);
    result.catch(() => cache.delete(key));
  }
  return result;
}

export function forgetProbes() {
  cache.clear();
}

async function runProbe(endpoint: Endpoint, signal?: AbortSignal): Promise<ProbeResult> {
  const quick: Endpoint = { ...endpoint, maxRetries: 0, timeoutMs: Math.min(endpoint.timeoutMs ?? 30_000, 30_000) };
  const client = createClient(quick);
  const root = serverRoot(endpoint.baseUrl);
  const findings: string[] = [];
  const check = async (name: string, run: () => Promise<boolean>): Promise<boolean> => {
    try {
      const ok = await run();
      findings.push(`${name}: ${ok ? 'yes' : 'no'}`);
      return ok;
    } catch (err) {
      signal?.throwIfAborted();
      findings.push(`${name}: no (${describeError(endpoint, err).replace(`${endpoint.baseUrl} (model ${endpoint.model}): `, '')})`);
      return false;
    }
  };
  const [tokenize, completionsEcho, sglangNative, tgiPrefill, chatLogprobs] = await Promise.all([
    check('/tokenize', async () => {
      const r = (await postJson(quick, `${root}/tokenize`, { model: endpoint.model, prompt: PROBE_TEXT }, signal, 0)) as { tokens?: unknown };
      return Array.isArray(r?.tokens) && r.tokens.length > 0 && r.tokens.every((t) => Number.isInteger(t));
    }),
    check('/v1/completions with echo', async () => {
      const r = await client.completions.create({ model: endpoint.model, prompt: PROBE_TEXT, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 }, { signal });
      const lp = r.choices?.[0]?.logprobs?.token_logprobs as (number | null)[] | undefined;
      // a server that ignores echo returns the generated token's entry only
      return Array.isArray(lp) && lp.length >= 4 && lp.slice(1).filter((x) => typeof x === 'number').length >= 3;
    }),
    check('SGLang /generate with logprob_start_len', async () => {
      const r = (await postJson(quick, `${root}/generate`, { text: PROBE_TEXT, sampling_params: { max_new_tokens: 1 }, return_logprob: true, logprob_start_len: 0 }, signal, 0)) as {
        meta_info?: { input_token_logprobs?: unknown[] };
      };
      return Array.isArray(r?.meta_info?.input_token_logprobs) && r.meta_info.input_token_logprobs.length >= 4;
    }),
    check('TGI /generate with prefill details', async () => {
      const r = (await postJson(quick, `${root}/generate`, { inputs: PROBE_TEXT, parameters: { details: true, decoder_input_details: true, max_new_tokens: 1 } }, signal, 0)) as {
        details?: { prefill?: { logprob: number | null }[] };
      };
      const prefill = r?.details?.prefill;
      return Array.isArray(prefill) && prefill.filter((t) => typeof t?.logprob === 'number').length >= 3;
    }),
    check('chat completions with top_logprobs', async () => {
      const r = await client.chat.completions.create(
        { model: endpoint.model, messages: [{ role: 'user', content: 'Answer yes or no: is the sky blue?' }], max_tokens: 1, temperature: 0, logprobs: true, top_logprobs: 5 },
        { signal },
      );
      return (r.choices?.[0]?.logprobs?.content?.[0]?.top_logprobs?.length ?? 0) > 0;
    }),
  ]);
  const capabilities: Capabilities = { tokenize, completionsEcho, sglangNative, tgiPrefill, chatLogprobs };
  const chosen = chooseMethod(capabilities);
  const method = chosen.method;
  let explanation = chosen.explanation;
  if (!method) {
    const answers = findings.filter((f) => f.includes(': no ('));
    if (answers.length) explanation += ` What it answered: ${answers.join('; ')}`;
  }
  return { endpoint: endpoint.baseUrl, model: endpoint.model, capabilities, ...(method ? { method } : {}), explanation, findings };
}

/** The best method the capabilities allow, and why, in plain words. */
export function chooseMethod(c: Capabilities): { method?: ScoringMethod; explanation: string } {
  const spans = c.tokenize ? 'question tokens located exactly with the server tokenizer (/tokenize)' : 'question tokens located by counting back through the returned token texts (no /tokenize)';
  if (c.sglangNative) {
    return { method: 'sglang-native', explanation: `SGLang native scoring: /generate returns prompt log-probabilities from logprob_start_len, so repeated questions reuse the radix cache; ${spans}.` };
  }
  if (c.completionsEcho) {
    return { method: 'completions-echo', explanation: `prompt log-probabilities (vLLM wire format): /v1/completions with echo returns the log-probability of every prompt token; ${spans}.` };
  }
  if (c.tgiPrefill) {
    return { method: 'tgi-prefill', explanation: 'prompt log-probabilities from TGI: /generate returns the prefill log-probabilities (decoder_input_details); question tokens located by counting back through the token texts.' };
  }
  if (c.chatLogprobs) {
    return {
      method: 'chat-yes-no',
      explanation:
        'Yes/No relevance: this server gives log-probabilities of generated tokens only (no prompt log-probabilities), so each segment is judged by p(yes) / (p(yes) + p(no)) of a one-token chat answer. One request per segment; slower and coarser than prompt log-probabilities.',
    };
  }
  return {
    explanation:
      'this server cannot score: it returns no prompt log-probabilities (echo, SGLang or TGI) and no top_logprobs for chat completions. Use vLLM, vLLM-Ascend or SGLang, or a server that returns chat logprobs.',
  };
}

/** A probe result as lines for a terminal or an output channel. */
export function formatProbe(r: ProbeResult): string {
  return [
    `Server ${r.endpoint}, model ${r.model}`,
    ...r.findings.map((f) => `  ${f}`),
    r.method ? `Scoring method: ${r.method}: ${r.explanation}` : `No scoring method: ${r.explanation}`,
  ].join('\n');
}
