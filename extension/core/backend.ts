// The one place where a run configuration becomes what runs: which model scores (a server, a local
// GGUF model, or none: the lexical ranking), what answers, the token sizes that follow, a sentence
// saying so, and how to let go of it all. Every entry point (CLI, panel, ...) comes through here.
import type { Endpoint } from './model/endpoint';
import { localModelLimits } from './model/local/localModel';
import type { LocalRuntime } from './model/local/runtime';
import type { AskDeps, AskOptions } from './pipeline';
import { DEFAULTS, excludesOf, type LocalModelConfig, type RunConfig } from './config/runConfig';
import type { Scorer } from './model/scorer';
import { createScorer } from './model/createScorer';
import { forgetProbes, formatProbe, probeEndpoint, probeVerdict, type ProbeResult } from './model/probe';

export { formatProbe, probeVerdict, type ProbeResult };
import type { Tokenizer } from './tokens/tokenizer';

/** Opens a local model: in this process (the CLI) or in a child process kept between questions (the extension). */
export interface LocalModelHost {
  open(config: LocalModelConfig, signal?: AbortSignal): Promise<{ runtime: LocalRuntime; release(): Promise<void> }>;
}

export interface Backend {
  kind: 'server' | 'local' | 'none';
  /** Absent: no model; the files are ranked lexically. */
  scorer?: Scorer;
  answerer?: AskDeps['answerer'];
  answerEndpoint?: Endpoint;
  segmentTokens?: number;
  contextWindow?: number;
  answerReserve?: number;
  /** What scores and what answers, in one sentence. */
  description: string;
  /** What the user should know about the choice (a setting that lost, a server left out). */
  notes: string[];
  probes: ProbeResult[];
  dispose(): Promise<void>;
}

export interface BackendEnv {
  tokenizer: Tokenizer;
  localModels?: LocalModelHost;
  signal?: AbortSignal;
  /** A step that takes a while (probing a server, loading a model). */
  onStatus?(text: string): void;
  /**
   * Writes the answer when the configuration names no model that answers (e.g. the user's own VS
   * Code language model): xl3m chooses the context, this model writes. It cannot score (no
   * log-probabilities), so the ranking stays lexical.
   */
  answerModel?: AnswerModel;
}

export interface AnswerModel {
  name: string;
  /** Tokens the model reads. */
  contextWindow: number;
  answer: NonNullable<AskDeps['answerer']>;
}

export const NO_MODEL_NOTE =
  'no model is configured: files ranked lexically (BM25F over paths, declared names and content), and no answer. For model scoring and an answer, configure a server (a vLLM, SGLang, TGI, llama.cpp or Ollama server and its model) or a local GGUF model file.';

/** The servers of the configuration as endpoints, the first one also answering unless an answer server is set. */
export function endpointsOf(config: RunConfig): Endpoint[] {
  const s = config.server;
  if (!s) return [];
  return s.baseUrls.map((baseUrl) => ({ baseUrl, model: s.model, apiKey: s.apiKey, timeoutMs: s.timeoutSeconds * 1000, maxRetries: s.retries }));
}

/**
 * A server wins over a local model (with a note); with neither, no model. A token size the user
 * set is kept unless the local model cannot hold it, then it is lowered to what fits (with a note).
 */
export async function createBackend(config: RunConfig, env: BackendEnv): Promise<Backend> {
  const endpoints = endpointsOf(config);
  if (endpoints.length > 0) {
    const server = config.server!;
    env.onStatus?.('checking the server…');
    const created = await createScorer(
      { endpoints, method: server.method, concurrency: server.concurrency, promptsPerRequest: server.promptsPerRequest },
      env.signal,
    );
    const notes = created.notes.map((n) => `left out ${n}`);
    if (config.localModel)
      notes.push(`a local model (${config.localModel.path}) is configured too: the server is used; remove the server to use the local model`);
    const answerEndpoint = config.answer
      ? { ...endpoints[0]!, baseUrl: server.answerBaseUrl || endpoints[0]!.baseUrl, model: server.answerModel || server.model }
      : undefined;
    return {
      kind: 'server',
      scorer: created.scorer,
      ...(answerEndpoint ? { answerEndpoint } : {}),
      segmentTokens: config.segmentTokens,
      contextWindow: config.contextWindow,
      answerReserve: config.answerReserve,
      description: `Scoring: ${created.scorer.description}. ${answerEndpoint ? `Answer: ${answerEndpoint.model} at ${answerEndpoint.baseUrl}.` : 'No answer.'}`,
      notes,
      probes: created.probes,
      dispose: async () => {},
    };
  }
  if (config.localModel) {
    if (!env.localModels) throw new Error('a local model is configured, but this entry point cannot run one');
    env.onStatus?.(`loading the local model ${config.localModel.path}…`);
    const { runtime, release } = await env.localModels.open(config.localModel, env.signal);
    const limits = localModelLimits(runtime, env.tokenizer);
    const notes: string[] = [];
    const fit = (name: string, wanted: number | undefined, limit: number) => {
      if (wanted !== undefined && wanted > limit)
        notes.push(`${name} of ${wanted} tokens does not fit the local model (${runtime.contextSize} tokens of context); using ${limit}`);
      return Math.min(wanted ?? limit, limit);
    };
    const scorer = runtime.scorer();
    return {
      kind: 'local',
      scorer,
      ...(config.answer ? { answerer: (text: string, q: string, o: Parameters<LocalRuntime['answer']>[2]) => runtime.answer(text, q, o) } : {}),
      segmentTokens: fit('the segment size', config.segmentTokens, limits.segmentTokens),
      contextWindow: fit('the context window', config.contextWindow, limits.contextWindow),
      answerReserve: fit('the answer reserve', config.answerReserve, limits.answerReserve),
      description: `Scoring: ${scorer.description}. ${config.answer ? `Answer: ${runtime.name}.` : 'No answer.'}`,
      notes,
      probes: [],
      dispose: release,
    };
  }
  if (config.answer && env.answerModel) {
    const model = env.answerModel;
    const contextWindow = Math.min(config.contextWindow ?? model.contextWindow, model.contextWindow);
    return {
      kind: 'none',
      answerer: model.answer,
      segmentTokens: config.segmentTokens,
      contextWindow,
      answerReserve: Math.min(config.answerReserve ?? DEFAULTS.answerReserve, Math.floor(contextWindow / 4)),
      description: `Ranking: lexical (BM25F); no scoring model. Answer: ${model.name}.`,
      notes: [
        `no scoring model is configured: files ranked lexically (BM25F), and ${model.name} answers from the best files' lines. It gives no log-probabilities, so it cannot score; for XL3M scoring, configure a server (vLLM, SGLang, …) or a local GGUF model file.`,
      ],
      probes: [],
      dispose: async () => {},
    };
  }
  return {
    kind: 'none',
    segmentTokens: config.segmentTokens,
    contextWindow: config.contextWindow,
    answerReserve: config.answerReserve,
    description: 'Ranking: lexical (BM25F); no model configured, no answer.',
    notes: [NO_MODEL_NOTE],
    probes: [],
    dispose: async () => {},
  };
}

/** The ask options that follow from the configuration and the backend; an entry point adds the question, roots, signal and callbacks. */
export function runOptions(config: RunConfig, backend: Backend): Omit<AskOptions, 'question' | 'roots'> {
  return {
    gather: { excludes: excludesOf(config), maxFileBytes: config.maxFileBytes, includeSecrets: config.includeSecrets, useGitignore: config.useGitignore },
    segment: { maxTokens: backend.segmentTokens, overlapTokens: config.overlapTokens },
    measure: config.measure,
    ranking: config.ranking,
    ...(config.prefilter !== undefined && config.prefilter < 1 ? { prefilter: config.prefilter } : {}),
    scoringTokens: config.scoringTokens,
    budget: config.budget,
    contextWindow: backend.contextWindow,
    answerReserve: backend.answerReserve,
    pinned: config.pinned,
  };
}

/** What `ask` needs from the backend. */
export function runDeps(backend: Backend): Pick<AskDeps, 'scorer' | 'answerer' | 'answerEndpoint'> {
  return {
    ...(backend.scorer ? { scorer: backend.scorer } : {}),
    ...(backend.answerer ? { answerer: backend.answerer } : {}),
    ...(backend.answerEndpoint ? { answerEndpoint: backend.answerEndpoint } : {}),
  };
}

/** Probes every configured server afresh (`xl3m check`, **xl3m: Check Server**): which method each allows, and why. */
export async function checkServers(endpoints: Endpoint[], signal?: AbortSignal): Promise<ProbeResult[]> {
  forgetProbes();
  return Promise.all(endpoints.map((e) => probeEndpoint(e, signal)));
}
