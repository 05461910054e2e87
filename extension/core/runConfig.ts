// One configuration of a run, whatever asks (the CLI, the panel, and the entry points to come), and
// the one table of its defaults. package.json's settings and the CLI's options and usage text are
// checked against this table by test/core/runConfig.test.ts.
import { DEFAULT_RANKING_MODE, type RankingMode } from './fileRanking';
import type { ScoringMethod } from './families';
import type { Measure } from './types';

export const DEFAULTS = {
  method: 'auto' as 'auto' | ScoringMethod,
  concurrency: 8,
  promptsPerRequest: 4,
  timeoutSeconds: 120,
  retries: 3,
  localContextSize: 4096,
  segmentTokens: 3072,
  overlapTokens: 48,
  contextWindow: 16384,
  answerReserve: 1024,
  measure: 'nll' as Measure,
  ranking: DEFAULT_RANKING_MODE as RankingMode,
  maxFileBytes: 1024 * 1024,
  /** Always left out unless `useDefaultExcludes` is off; the user's excludes are added to these. */
  excludes: ['node_modules/', '.hg/', '.svn/', '__pycache__/', '.venv/', '.DS_Store'],
  listedFiles: 30,
  confirmAboveTokens: 2_000_000,
  top: 20,
};

/** Where each option of the table lives: its setting (`xl3m.<setting>`) and its CLI flag, with the bounds both check. */
export interface OptionSpec {
  name: keyof typeof DEFAULTS;
  setting?: string;
  flag?: string;
  min?: number;
  max?: number;
}

export const OPTIONS: OptionSpec[] = [
  { name: 'method', setting: 'scoringMethod', flag: '--method' },
  { name: 'concurrency', setting: 'concurrency', flag: '--concurrency', min: 1, max: 256 },
  { name: 'promptsPerRequest', setting: 'promptsPerRequest', flag: '--prompts-per-request', min: 1, max: 64 },
  { name: 'timeoutSeconds', setting: 'requestTimeoutSeconds', flag: '--timeout', min: 1 },
  { name: 'retries', setting: 'retries', flag: '--retries', min: 0, max: 20 },
  { name: 'localContextSize', setting: 'localContextSize', flag: '--context-size', min: 512 },
  { name: 'segmentTokens', setting: 'segmentTokens', flag: '--segment-tokens', min: 64 },
  { name: 'overlapTokens', flag: '--overlap-tokens', min: 0 },
  { name: 'contextWindow', setting: 'contextWindow', flag: '--context-window', min: 512 },
  { name: 'answerReserve', setting: 'answerReserve', flag: '--answer-reserve', min: 1 },
  { name: 'measure', setting: 'measure', flag: '--measure' },
  { name: 'ranking', setting: 'ranking', flag: '--ranking' },
  { name: 'maxFileBytes', setting: 'maxFileBytes', flag: '--max-file-bytes', min: 1 },
  { name: 'excludes', flag: '--exclude' },
  { name: 'listedFiles', setting: 'listedFiles', min: 1, max: 500 },
  { name: 'confirmAboveTokens', setting: 'confirmAboveTokens', min: 0 },
  { name: 'top', flag: '--top', min: 1 },
];

export interface ServerConfig {
  baseUrls: string[];
  model: string;
  apiKey?: string;
  method: 'auto' | ScoringMethod;
  concurrency: number;
  promptsPerRequest: number;
  timeoutSeconds: number;
  retries: number;
  /** The answer's server and model; the first server and its model when absent. */
  answerBaseUrl?: string;
  answerModel?: string;
}

export interface LocalModelConfig {
  path: string;
  contextSize: number;
  /** CPU threads; llama.cpp's choice when absent. */
  threads?: number;
}

/** Everything that decides what a run reads, where its text goes and how it is ranked. */
export interface RunConfig {
  /** Servers to score (and answer) with; none: no server. */
  server?: ServerConfig;
  /** A GGUF model on this machine; used when no server is configured (a server wins, with a note). */
  localModel?: LocalModelConfig;
  /** Ask for an answer (false: rank only). */
  answer: boolean;
  /** Token sizes the user set; absent: the defaults, or what a local model allows. */
  segmentTokens?: number;
  overlapTokens?: number;
  contextWindow?: number;
  answerReserve?: number;
  budget?: number;
  measure: Measure;
  ranking: RankingMode;
  /** Fraction (0-1] of the segments scored, the best by BM25. */
  prefilter?: number;
  /** Patterns (.gitignore syntax) left out in addition to the defaults (and to .gitignore files). */
  excludes: string[];
  /** Leave out DEFAULTS.excludes too (node_modules/ and the like). */
  useDefaultExcludes: boolean;
  maxFileBytes: number;
  includeSecrets: boolean;
  useGitignore: boolean;
  pinned: string[];
}

/** The patterns a run leaves out: the defaults (unless turned off), then the user's. */
export function excludesOf(config: Pick<RunConfig, 'excludes' | 'useDefaultExcludes'>): string[] {
  return [...(config.useDefaultExcludes ? DEFAULTS.excludes : []), ...config.excludes];
}

/** A configuration with every default: no server, no local model, an answer when one can be had. */
export function defaultRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    answer: true,
    measure: DEFAULTS.measure,
    ranking: DEFAULTS.ranking,
    excludes: [],
    useDefaultExcludes: true,
    maxFileBytes: DEFAULTS.maxFileBytes,
    includeSecrets: false,
    useGitignore: true,
    pinned: [],
    ...overrides,
  };
}
