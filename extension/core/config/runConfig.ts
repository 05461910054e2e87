// One configuration of a run, whatever asks (the CLI, the panel, the chat, the tool, MCP), made from
// the options of the one table (config/options.ts), and the way back to the CLI's arguments.
import { DEFAULT_EXCLUDES, DEFAULTS, OPTION_NAMES, OPTIONS, type OptionName, type Options, type OptionSpec } from '../options';
import type { ScoringMethod } from '../model/families/methods';
import type { RankingMode } from '../lexical/fileRanking';
import type { Measure } from '../types';

export { DEFAULTS };

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
  /** Tokens of the best files (by the lexical ranking) the model scores; 0: every file. */
  scoringTokens: number;
  /** Patterns (.gitignore syntax) left out in addition to the defaults (and to .gitignore files). */
  excludes: string[];
  /** Leave out DEFAULT_EXCLUDES too (node_modules/ and the like). */
  useDefaultExcludes: boolean;
  maxFileBytes: number;
  includeSecrets: boolean;
  useGitignore: boolean;
  pinned: string[];
}

/** The patterns a run leaves out: the defaults (unless turned off), then the user's. */
export function excludesOf(config: Pick<RunConfig, 'excludes' | 'useDefaultExcludes'>): string[] {
  return [...(config.useDefaultExcludes ? DEFAULT_EXCLUDES : []), ...config.excludes];
}

/** A configuration with every default: no server, no local model, an answer when one can be had. */
export function defaultRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...runConfigOf(DEFAULTS), ...overrides };
}

/** The sizes a local model may lower when the user did not choose them: a value at its default is not a choice. */
const SIZES = ['segmentTokens', 'overlapTokens', 'contextWindow', 'answerReserve'] as const;

/** The run configuration of a set of options, from the settings or the flags alike. */
export function runConfigOf(o: Readonly<Options>): RunConfig {
  const server = Boolean(o.baseUrl && o.model);
  const config: RunConfig = {
    ...(server
      ? {
          server: {
            baseUrls: [o.baseUrl, ...o.additionalBaseUrls],
            model: o.model,
            apiKey: o.apiKey || undefined,
            method: o.scoringMethod,
            concurrency: o.concurrency,
            promptsPerRequest: o.promptsPerRequest,
            timeoutSeconds: o.requestTimeoutSeconds,
            retries: o.retries,
            answerBaseUrl: o.answerBaseUrl || undefined,
            answerModel: o.answerModel || undefined,
          },
        }
      : {}),
    ...(o.localModel ? { localModel: { path: o.localModel, contextSize: o.localContextSize, ...(o.localThreads ? { threads: o.localThreads } : {}) } } : {}),
    answer: o.answer,
    ...(o.budget ? { budget: o.budget } : {}),
    measure: o.measure,
    ranking: o.ranking,
    ...(o.prefilterPercent > 0 && o.prefilterPercent < 100 ? { prefilter: o.prefilterPercent / 100 } : {}),
    scoringTokens: o.scoringTokens,
    excludes: [...o.excludes],
    useDefaultExcludes: o.useDefaultExcludes,
    maxFileBytes: o.maxFileBytes,
    includeSecrets: o.includeSecrets,
    useGitignore: o.useGitignore,
    pinned: [...o.pinned],
  };
  for (const size of SIZES) if (o[size] !== DEFAULTS[size]) config[size] = o[size];
  return config;
}

/** Options that mean something only with a server: without one, the CLI would refuse them. */
const SERVER_ONLY: OptionName[] = ['baseUrl', 'additionalBaseUrls', 'model', 'answerBaseUrl', 'answerModel'];

/**
 * The CLI arguments that give these options (those not at their default), so that a process the
 * extension starts (`xl3m mcp`) runs with every setting. The API key is not an argument (others
 * could read it): pass it as XL3M_API_KEY.
 */
export function toArgv(o: Readonly<Options>): string[] {
  const argv: string[] = [];
  const withServer = Boolean(o.baseUrl && o.model);
  for (const name of OPTION_NAMES) {
    const spec: OptionSpec = OPTIONS[name];
    const value = o[name];
    if (!spec.flag || name === 'apiKey' || (!withServer && SERVER_ONLY.includes(name))) continue;
    if (Array.isArray(value)) for (const item of value) argv.push(spec.flag, item);
    else if (typeof value === 'boolean') {
      if (value !== spec.default) argv.push(spec.flag);
    } else if (value !== spec.default) argv.push(spec.flag, String(value));
  }
  return argv;
}
