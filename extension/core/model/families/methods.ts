// The scoring methods by name, best first (the order the probe tries their families in), each with
// its line for the settings: plain data, so that the settings reader and the CLI's flags check a
// method's name without loading the families themselves (and the OpenAI client they call).
// index.ts lists the families in this order; a family takes its name and line from here.
export const METHODS = [
  { method: 'sglang-native', summary: 'SGLang native /generate with logprob_start_len (reuses the radix cache).' },
  { method: 'completions-echo', summary: 'Prompt log-probabilities from /v1/completions with echo (vLLM, vLLM-Ascend, SGLang).' },
  { method: 'tgi-prefill', summary: 'TGI /generate with prefill details (--enable-prefill-logprobs).' },
  { method: 'chat-yes-no', summary: 'Yes/No relevance from chat top_logprobs (llama.cpp, Ollama, LM Studio, OpenAI).' },
  { method: 'next-token-entropy', summary: 'Entropy of the next token after [segment][question], from chat top_logprobs.' },
] as const;

export type ScoringMethod = (typeof METHODS)[number]['method'];
export const SCORING_METHODS: ScoringMethod[] = METHODS.map((m) => m.method);

/** A method's name and line, for its family's declaration. */
export function describedMethod<M extends ScoringMethod>(method: M): { method: M; summary: string } {
  return { method, summary: METHODS.find((m) => m.method === method)!.summary };
}
