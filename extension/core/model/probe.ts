import { createClient, describeError, serverProblem, serverRoot, type Endpoint, type ServerProblem } from './endpoint';
import { FAMILIES, type ScoringMethod } from './families';
import type { ProbeCheck } from './families/family';
import { postJson } from './http';

export { SCORING_METHODS, type ScoringMethod } from './families';

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
  /** In plain words: which method and why, or what is wrong and what to do. */
  explanation: string;
  /** When no method: whether the server was unreachable, refused the key, does not serve the model, or answers but cannot score. */
  problem?: 'unreachable' | 'unauthorized' | 'wrong-model' | 'not-found' | 'cannot-score';
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
        return {
          ok: false,
          problem: serverProblem(err),
          finding: `${check.name}: no (${describeError(endpoint, err).replace(`${endpoint.baseUrl} (model ${endpoint.model}): `, '')})`,
        };
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
  if (method) return { endpoint: endpoint.baseUrl, model: endpoint.model, capabilities, method, explanation: chosen.explanation, findings };
  const diagnosis = await diagnose(
    ctx,
    outcomes.map((o) => ('problem' in o ? o.problem : undefined)),
  );
  let explanation = diagnosis?.explanation ?? chosen.explanation;
  const answers = findings.filter((f) => f.includes(': no ('));
  if (answers.length) explanation += ` What it answered: ${answers.join('; ')}`;
  return { endpoint: endpoint.baseUrl, model: endpoint.model, capabilities, explanation, findings, problem: diagnosis?.problem ?? 'cannot-score' };
}

/**
 * When no check passed because of the address, the key or the model, that is what the user must
 * hear (a server that is down is not a server that cannot score), with what to do about it.
 */
async function diagnose(
  ctx: { endpoint: Endpoint; client: ReturnType<typeof createClient>; signal?: AbortSignal },
  problems: (ServerProblem | undefined)[],
): Promise<{ problem: NonNullable<ProbeResult['problem']>; explanation: string } | undefined> {
  const { baseUrl, model } = ctx.endpoint;
  const unauthorized = problems.find((p) => p?.kind === 'unauthorized');
  if (unauthorized)
    return {
      problem: 'unauthorized',
      explanation: `the server refused the request (HTTP ${unauthorized.kind === 'unauthorized' ? unauthorized.status : 401}): the API key is missing or wrong. Set it with "xl3m: Set API Key" (the CLI reads XL3M_API_KEY).`,
    };
  const unreachable = problems.filter((p) => p?.kind === 'unreachable');
  if (unreachable.length === problems.length && unreachable[0]?.kind === 'unreachable')
    return {
      problem: 'unreachable',
      explanation: `cannot reach ${baseUrl}: ${unreachable[0].cause}. Is the server running, and is the address (xl3m.baseUrl, --base-url) right, with its /v1?`,
    };
  const notFound = problems.filter((p) => p?.kind === 'not-found');
  if (notFound.some((p) => p?.kind === 'not-found' && p.modelNamed)) {
    const served = await ctx.client.models
      .list({ signal: ctx.signal, timeout: 5000, maxRetries: 0 })
      .then((page) => page.data.map((m) => m.id))
      .catch((): string[] => []);
    // a server that lists the model but answers 404 for it on some route has another problem
    if (served.includes(model)) return undefined;
    return {
      problem: 'wrong-model',
      explanation: `the server does not serve the model "${model}". Set xl3m.model (--model) to ${served.length ? `one it serves: ${served.slice(0, 10).join(', ')}` : 'a model it serves (GET /v1/models lists them)'}.`,
    };
  }
  if (notFound.length === problems.length)
    return {
      problem: 'not-found',
      explanation: `nothing at ${baseUrl} answers /completions or /chat/completions (HTTP 404): is the address right? An OpenAI-compatible server's usually ends in /v1.`,
    };
  return undefined;
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

/** What a probe found, in two or three words: the method, or what is wrong. */
export function probeVerdict(r: ProbeResult): string {
  if (r.method) return r.method;
  switch (r.problem) {
    case 'unreachable':
      return 'unreachable';
    case 'unauthorized':
      return 'API key refused';
    case 'wrong-model':
      return 'model not served';
    case 'not-found':
      return 'no OpenAI API at this address';
    default:
      return 'cannot score';
  }
}

/** A probe result as lines for a terminal or an output channel. */
export function formatProbe(r: ProbeResult): string {
  return [
    `Server ${r.endpoint}, model ${r.model}`,
    ...r.findings.map((f) => `  ${f}`),
    r.method ? `Scoring method: ${r.method}: ${r.explanation}` : `No scoring method (${probeVerdict(r)}): ${r.explanation}`,
  ].join('\n');
}
