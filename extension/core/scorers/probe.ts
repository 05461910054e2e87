import { createClient, describeError, serverRoot, type Endpoint } from '../endpoint';
import { FAMILIES, type ScoringMethod } from '../families';
import type { ProbeCheck } from '../families/family';
import { postJson } from '../http';

export { SCORING_METHODS, type ScoringMethod } from '../families';

/** Which checks passed: one entry per probe check (by its name), and `/tokenize`. */
export interface Capabilities {
  /** `POST /tokenize` at the server root gives token ids. */
  tokenize: boolean;
  /** Check name -> passed. */
  checks: Record<string, boolean>;
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

const tokenizeCheck: ProbeCheck = {
  name: '/tokenize',
  async run({ endpoint, root, text, signal }) {
    const r = (await postJson(endpoint, `${root}/tokenize`, { model: endpoint.model, prompt: text }, signal, 0)) as { tokens?: unknown };
    return Array.isArray(r?.tokens) && r.tokens.length > 0 && r.tokens.every((t) => Number.isInteger(t));
  },
};

/** Each distinct check of the families once, and /tokenize, all at once; then the best family whose check passed. */
async function runProbe(endpoint: Endpoint, signal?: AbortSignal): Promise<ProbeResult> {
  const quick: Endpoint = { ...endpoint, maxRetries: 0, timeoutMs: Math.min(endpoint.timeoutMs ?? 30_000, 30_000) };
  const ctx = { endpoint: quick, client: createClient(quick), root: serverRoot(endpoint.baseUrl), text: PROBE_TEXT, signal };
  const checks = [tokenizeCheck, ...new Set(FAMILIES.map((f) => f.check))];
  const findings: string[] = [];
  const outcomes = await Promise.all(
    checks.map(async (check) => {
      try {
        const ok = await check.run(ctx);
        return { ok, finding: `${check.name}: ${ok ? 'yes' : 'no'}` };
      } catch (err) {
        signal?.throwIfAborted();
        return { ok: false, finding: `${check.name}: no (${describeError(endpoint, err).replace(`${endpoint.baseUrl} (model ${endpoint.model}): `, '')})` };
      }
    }),
  );
  const passed: Record<string, boolean> = {};
  checks.forEach((c, i) => {
    passed[c.name] = outcomes[i]!.ok;
    findings.push(outcomes[i]!.finding);
  });
  const capabilities: Capabilities = { tokenize: passed[tokenizeCheck.name]!, checks: passed };
  const chosen = chooseMethod(capabilities);
  const method = chosen.method;
  let explanation = chosen.explanation;
  if (!method) {
    const answers = findings.filter((f) => f.includes(': no ('));
    if (answers.length) explanation += ` What it answered: ${answers.join('; ')}`;
  }
  return { endpoint: endpoint.baseUrl, model: endpoint.model, capabilities, ...(method ? { method } : {}), explanation, findings };
}

/** The best method the capabilities allow (the first family in the list whose check passed), and why, in plain words. */
export function chooseMethod(c: Capabilities): { method?: ScoringMethod; explanation: string } {
  const family = FAMILIES.find((f) => f.auto && c.checks[f.check.name]);
  if (family) return { method: family.method, explanation: family.explanation(c.tokenize) };
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
