import { homedir } from 'node:os';
import { DEFAULT_RANKING_MODE, RANKING_MODES, type RankingMode } from './core/fileRanking';
import { SCORING_METHODS, type ScoringMethod } from './core/scorers/probe';
import type { Measure } from './core/types';
import { DEFAULT_EXCLUDES, DEFAULT_MAX_FILE_BYTES } from './core/gather';
import { DEFAULT_SEGMENT_TOKENS } from './core/segment';
import { DEFAULT_ANSWER_RESERVE, DEFAULT_CONTEXT_WINDOW } from './core/select';

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
  excludes: string[];
  maxFileBytes: number;
  confirmAboveTokens: number;
  requestTimeoutSeconds: number;
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
  let excludes = source.value('excludes') ?? DEFAULT_EXCLUDES;
  if (!Array.isArray(excludes) || !excludes.every((e) => typeof e === 'string')) {
    problems.push('xl3m.excludes must be a list of patterns; using the defaults.');
    excludes = DEFAULT_EXCLUDES;
  }
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
    localContextSize: int('localContextSize', 4096, 512),
    localThreads: int('localThreads', 0, 0, 256),
    scoringMethod: (methodOk ? method : 'auto') as 'auto' | ScoringMethod,
    answerBaseUrl: url('answerBaseUrl'),
    answerModel: str('answerModel', true),
    includeSecrets: includeSecrets === true,
    segmentTokens: int('segmentTokens', DEFAULT_SEGMENT_TOKENS, 64),
    concurrency: int('concurrency', 8, 1, 256),
    promptsPerRequest: int('promptsPerRequest', 4, 1, 64),
    contextWindow: int('contextWindow', DEFAULT_CONTEXT_WINDOW, 512),
    answerReserve: int('answerReserve', DEFAULT_ANSWER_RESERVE, 1),
    budget: int('budget', 0, 0),
    measure: (['nll', 'entropy', 'contrast'].includes(measure as string) ? measure : 'nll') as Measure,
    ranking: (rankingOk ? ranking : DEFAULT_RANKING_MODE) as RankingMode,
    listedFiles: int('listedFiles', 30, 1, 500),
    prefilterPercent: int('prefilterPercent', 0, 0, 100),
    excludes: excludes as string[],
    maxFileBytes: int('maxFileBytes', DEFAULT_MAX_FILE_BYTES, 1),
    confirmAboveTokens: int('confirmAboveTokens', 2_000_000, 0),
    requestTimeoutSeconds: int('requestTimeoutSeconds', 120, 1),
  };
  return { settings, problems };
}
