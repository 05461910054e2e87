import { homedir } from 'node:os';
import { DEFAULT_RANKING_MODE, RANKING_MODES, type RankingMode } from './core/fileRanking';
import { SCORING_METHODS, type ScoringMethod } from './core/families';
import type { Measure } from './core/types';
import { DEFAULTS, type RunConfig } from './core/runConfig';

export interface Settings {
  baseUrl: string;
  /** More servers with the same model, sharing the segments. */
  additionalBaseUrls: string[];
  model: string;
  /** A GGUF file scored and answered in a child process when no server is set. */
  localModel: string;
  localContextSize: number;
  /** CPU threads for the local model; 0: llama.cpp's choice. */
  localThreads: number;
  scoringMethod: 'auto' | ScoringMethod;
  answerBaseUrl: string;
  answerModel: string;
  includeSecrets: boolean;
  segmentTokens: number;
  concurrency: number;
  promptsPerRequest: number;
  contextWindow: number;
  answerReserve: number;
  budget: number;
  measure: Measure;
  ranking: RankingMode;
  /** Files listed in the panel, the Relevant Files view and the Explorer badges. */
  listedFiles: number;
  /** Score only this percentage of segments, the best by BM25 (0 or 100: all). */
  prefilterPercent: number;
  /** Added to the default excludes (unless `useDefaultExcludes` is off). */
  excludes: string[];
  useDefaultExcludes: boolean;
  /** With no model that answers configured, the panel's answer comes from a VS Code language model (VS Code asks the user's consent). */
  answerWithVsCodeModel: boolean;
  maxFileBytes: number;
  confirmAboveTokens: number;
  requestTimeoutSeconds: number;
  retries: number;
}

/**
 * Where settings come from. `userValue` reads the user (machine) level only: settings that choose
 * where code is sent are never taken from a workspace, whatever its trust.
 */
export interface SettingsSource {
  value(key: string): unknown;
  userValue(key: string): unknown;
}

/** Reads and checks every `xl3m.*` setting; a wrong value falls back to its default with a problem line. */
export function readSettings(source: SettingsSource): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const str = (key: string, fromUser: boolean): string => {
    const v = fromUser ? source.userValue(key) : source.value(key);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') {
      problems.push(`xl3m.${key} must be text; ignored.`);
      return '';
    }
    return v.trim();
  };
  const url = (key: string, given?: unknown): string => {
    const v = given === undefined ? str(key, true) : typeof given === 'string' ? given.trim() : '';
    if (!v) return '';
    try {
      const u = new URL(v);
      if (u.protocol === 'http:' || u.protocol === 'https:') return v;
    } catch {
      // reported below
    }
    problems.push(`xl3m.${key} is not an http(s) URL: "${v}"; ignored.`);
    return '';
  };
  const int = (key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = source.value(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`xl3m.${key} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}; using ${fallback}.`);
      return fallback;
    }
    return v;
  };
  const measure = source.value('measure') ?? 'nll';
  if (!['nll', 'entropy', 'contrast'].includes(measure as string)) problems.push(`xl3m.measure must be nll, entropy or contrast; using nll.`);
  let excludes = source.value('excludes') ?? [];
  if (!Array.isArray(excludes) || !excludes.every((e) => typeof e === 'string')) {
    problems.push('xl3m.excludes must be a list of patterns; ignored.');
    excludes = [];
  }
  const useDefaultExcludes = source.value('useDefaultExcludes') ?? true;
  if (typeof useDefaultExcludes !== 'boolean') problems.push('xl3m.useDefaultExcludes must be true or false; using true.');
  const answerWithVsCodeModel = source.value('answerWithVsCodeModel') ?? false;
  if (typeof answerWithVsCodeModel !== 'boolean') problems.push('xl3m.answerWithVsCodeModel must be true or false; using false.');
  const includeSecrets = source.userValue('includeSecrets');
  const more = source.userValue('additionalBaseUrls') ?? [];
  if (!Array.isArray(more)) problems.push('xl3m.additionalBaseUrls must be a list of URLs; ignored.');
  const ranking = source.value('ranking') ?? DEFAULT_RANKING_MODE;
  const rankingOk = RANKING_MODES.includes(ranking as RankingMode);
  if (!rankingOk) problems.push(`xl3m.ranking must be ${RANKING_MODES.join(' or ')}; using ${DEFAULT_RANKING_MODE}.`);
  const method = source.value('scoringMethod') ?? 'auto';
  const methodOk = method === 'auto' || SCORING_METHODS.includes(method as ScoringMethod);
  if (!methodOk) problems.push(`xl3m.scoringMethod must be auto or one of ${SCORING_METHODS.join(', ')}; using auto.`);
  const settings: Settings = {
    baseUrl: url('baseUrl'),
    additionalBaseUrls: (Array.isArray(more) ? more : []).map((u) => url('additionalBaseUrls', u)).filter(Boolean),
    model: str('model', true),
    localModel: str('localModel', true).replace(/^~(?=$|[\\/])/, homedir()),
    localContextSize: int('localContextSize', DEFAULTS.localContextSize, 512),
    localThreads: int('localThreads', 0, 0, 256),
    scoringMethod: (methodOk ? method : 'auto') as 'auto' | ScoringMethod,
    answerBaseUrl: url('answerBaseUrl'),
    answerModel: str('answerModel', true),
    includeSecrets: includeSecrets === true,
    segmentTokens: int('segmentTokens', DEFAULTS.segmentTokens, 64),
    concurrency: int('concurrency', DEFAULTS.concurrency, 1, 256),
    promptsPerRequest: int('promptsPerRequest', DEFAULTS.promptsPerRequest, 1, 64),
    contextWindow: int('contextWindow', DEFAULTS.contextWindow, 512),
    answerReserve: int('answerReserve', DEFAULTS.answerReserve, 1),
    budget: int('budget', 0, 0),
    measure: (['nll', 'entropy', 'contrast'].includes(measure as string) ? measure : DEFAULTS.measure) as Measure,
    ranking: (rankingOk ? ranking : DEFAULT_RANKING_MODE) as RankingMode,
    listedFiles: int('listedFiles', DEFAULTS.listedFiles, 1, 500),
    prefilterPercent: int('prefilterPercent', 0, 0, 100),
    excludes: excludes as string[],
    useDefaultExcludes: useDefaultExcludes !== false,
    answerWithVsCodeModel: answerWithVsCodeModel === true,
    maxFileBytes: int('maxFileBytes', DEFAULTS.maxFileBytes, 1),
    confirmAboveTokens: int('confirmAboveTokens', DEFAULTS.confirmAboveTokens, 0),
    requestTimeoutSeconds: int('requestTimeoutSeconds', DEFAULTS.timeoutSeconds, 1),
    retries: int('retries', DEFAULTS.retries, 0, 20),
  };
  return { settings, problems };
}

/**
 * The run configuration of the extension's settings. A server (with its API key) and a local model
 * may both be set: the server is used, and the run says so (`createBackend`).
 */
export function toRunConfig(settings: Settings, apiKey: string | undefined, pinned: string[]): RunConfig {
  const server = Boolean(settings.baseUrl && settings.model);
  return {
    ...(server
      ? {
          server: {
            baseUrls: [settings.baseUrl, ...settings.additionalBaseUrls],
            model: settings.model,
            apiKey,
            method: settings.scoringMethod,
            concurrency: settings.concurrency,
            promptsPerRequest: settings.promptsPerRequest,
            timeoutSeconds: settings.requestTimeoutSeconds,
            retries: settings.retries,
            answerBaseUrl: settings.answerBaseUrl || undefined,
            answerModel: settings.answerModel || undefined,
          },
        }
      : {}),
    ...(settings.localModel ? { localModel: { path: settings.localModel, contextSize: settings.localContextSize, ...(settings.localThreads ? { threads: settings.localThreads } : {}) } } : {}),
    answer: true,
    // VS Code reads an unset setting as its default: a size left at the default is not one the user
    // chose, so a local model may lower it without a word
    ...chosen('segmentTokens', settings.segmentTokens),
    ...chosen('contextWindow', settings.contextWindow),
    ...chosen('answerReserve', settings.answerReserve),
    ...(settings.budget ? { budget: settings.budget } : {}),
    measure: settings.measure,
    ranking: settings.ranking,
    ...(settings.prefilterPercent > 0 && settings.prefilterPercent < 100 ? { prefilter: settings.prefilterPercent / 100 } : {}),
    excludes: settings.excludes,
    useDefaultExcludes: settings.useDefaultExcludes,
    maxFileBytes: settings.maxFileBytes,
    includeSecrets: settings.includeSecrets,
    useGitignore: true,
    pinned,
  };
}

function chosen<K extends 'segmentTokens' | 'contextWindow' | 'answerReserve'>(key: K, value: number): Partial<Record<K, number>> {
  return value === DEFAULTS[key] ? {} : ({ [key]: value } as Record<K, number>);
}
