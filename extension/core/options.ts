// Every option of xl3m, declared once: its type, default, bounds or values, scope, VS Code setting,
// CLI flag and help. The settings reader (extension/config.ts), the CLI parser and usage text
// (cli/args.ts), package.json's settings (scripts/manifest.ts writes them; a test checks them),
// the MCP server's arguments (`toArgv`) and every default a run uses come from this table.
// Adding an option: one entry here, and the code that uses its value.
//
// This module imports no code (types only), so that any module of the core, those the server
// families import included, may take its defaults from here. The scoring methods come from the
// family registry, above it: `optionValues.ts` resolves them, and checks values.
import type { ScoringMethod } from './model/families/methods';
import type { RankingMode } from './lexical/fileRanking';
import type { Measure } from './types';

export type OptionKind = 'int' | 'text' | 'url' | 'urls' | 'path' | 'bool' | 'patterns' | 'enum';

export interface OptionSpec {
  kind: OptionKind;
  default: unknown;
  /** `machine`: read from the user's (or remote machine's) settings only, never a workspace's, and restricted in untrusted workspaces. */
  scope: 'machine' | 'any';
  /** The VS Code setting `xl3m.<setting>`; none: a CLI option only. */
  setting?: string;
  /** The CLI flag; none: a setting only. A `bool` flag with `negated` turns the option off. */
  flag?: string;
  negated?: boolean;
  /** Further uses of another option's flag land here (`--base-url` twice: the second server). */
  repeatOf?: string;
  /** The flag's value placeholder in the usage text. */
  arg?: string;
  min?: number;
  max?: number;
  /** An `enum`'s values, and their descriptions, in order; `scoring methods`: the server families' (optionValues.ts). */
  values?: readonly string[] | 'scoring methods';
  valueDescriptions?: readonly string[];
  /** The usage text's section. */
  section: 'Server' | 'Local model' | 'Scoring and selection' | 'Files' | 'Output' | 'VS Code';
  /** The usage text's line (plain words; the default is added). */
  help: string;
  /** The setting's description in VS Code (markdown); `help` when absent. */
  description?: string;
  /** The default as the usage text names it, when not the value itself. */
  defaultText?: string;
}

const MEASURES = ['nll', 'entropy', 'contrast'] as const;
const RANKINGS = ['fused', 'model'] as const;

export const OPTIONS = {
  baseUrl: {
    kind: 'url',
    default: '',
    scope: 'machine',
    setting: 'baseUrl',
    flag: '--base-url',
    arg: '<url>',
    section: 'Server',
    help: 'OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (vLLM, vLLM-Ascend, SGLang, TGI, llama.cpp, Ollama, ...). Repeat it to share the segments among several servers serving the same model.',
    description:
      'OpenAI-compatible server that scores segments with prompt log-probabilities (vLLM, vLLM-Ascend, SGLang), e.g. `http://127.0.0.1:8000/v1`. A machine setting: a workspace cannot change it.',
  },
  model: {
    kind: 'text',
    default: '',
    scope: 'machine',
    setting: 'model',
    flag: '--model',
    arg: '<name>',
    section: 'Server',
    help: 'scoring model',
    description: 'Scoring model served at xl3m.baseUrl.',
  },
  localModel: {
    kind: 'path',
    default: '',
    scope: 'machine',
    setting: 'localModel',
    flag: '--model-file',
    arg: '<path.gguf>',
    section: 'Local model',
    help: 'score and answer with this model',
    description:
      'Path to a GGUF model file, run on this machine with llama.cpp (CPU) when no `xl3m.baseUrl` is set: it scores the segments and writes the answer, in a child process. A machine setting: a workspace cannot change it.',
  },
  localContextSize: {
    kind: 'int',
    default: 4096,
    min: 512,
    scope: 'any',
    setting: 'localContextSize',
    flag: '--context-size',
    arg: '<n>',
    section: 'Local model',
    help: 'its context in tokens',
    description:
      "Context length (tokens) of the local model; a segment, the question and the answer's key context must fit. Keep `xl3m.segmentTokens` and `xl3m.contextWindow` at or below it.",
  },
  localThreads: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 256,
    scope: 'any',
    setting: 'localThreads',
    flag: '--threads',
    arg: '<n>',
    section: 'Local model',
    help: "its CPU threads (0: llama.cpp's choice)",
    description: "CPU threads for the local model (0: llama.cpp's choice).",
  },
  additionalBaseUrls: {
    kind: 'urls',
    default: [] as string[],
    scope: 'machine',
    setting: 'additionalBaseUrls',
    flag: '--base-url',
    repeatOf: 'baseUrl',
    section: 'Server',
    help: 'more servers serving the same model',
    description:
      "More servers serving the same model (e.g. one vLLM server per GPU or NPU card): one question's segments are shared among `xl3m.baseUrl` and these, each with `xl3m.concurrency` requests in flight; a failing server is taken out and its segments go to the others.",
  },
  scoringMethod: {
    kind: 'enum',
    default: 'auto' as 'auto' | ScoringMethod,
    values: 'scoring methods',
    scope: 'any',
    setting: 'scoringMethod',
    flag: '--method',
    arg: '<m>',
    section: 'Server',
    help: 'how segments are scored (auto: probe the server)',
    description: 'How segments are scored.',
  },
  answerBaseUrl: {
    kind: 'url',
    default: '',
    scope: 'machine',
    setting: 'answerBaseUrl',
    flag: '--answer-base-url',
    arg: '<url>',
    section: 'Server',
    help: 'server for the answer (default: --base-url)',
    description: 'Server for the answer (empty: xl3m.baseUrl).',
  },
  answerModel: {
    kind: 'text',
    default: '',
    scope: 'machine',
    setting: 'answerModel',
    flag: '--answer-model',
    arg: '<name>',
    section: 'Server',
    help: 'answer model (default: --model)',
    description: 'Answer model (empty: xl3m.model).',
  },
  apiKey: {
    kind: 'text',
    default: '',
    scope: 'machine',
    flag: '--api-key',
    arg: '<key>',
    section: 'Server',
    help: 'or the XL3M_API_KEY environment variable (in VS Code: xl3m: Set API Key)',
  },
  includeSecrets: {
    kind: 'bool',
    default: false,
    scope: 'machine',
    setting: 'includeSecrets',
    flag: '--include-secrets',
    section: 'Files',
    help: 'send .env, keys and certificates too (off by default)',
    description: 'Send .env files, private keys and certificates too. Off by default.',
  },
  segmentTokens: {
    kind: 'int',
    default: 3072,
    min: 64,
    scope: 'any',
    setting: 'segmentTokens',
    flag: '--segment-tokens',
    arg: '<n>',
    section: 'Scoring and selection',
    help: 'tokens per segment (for a 4k-context scorer)',
    description: "Tokens per segment: fit the scoring model's context with room for the question.",
  },
  overlapTokens: {
    kind: 'int',
    default: 48,
    min: 0,
    scope: 'any',
    flag: '--overlap-tokens',
    arg: '<n>',
    section: 'Scoring and selection',
    help: 'repeated when a file is cut',
  },
  concurrency: {
    kind: 'int',
    default: 8,
    min: 1,
    max: 256,
    scope: 'any',
    setting: 'concurrency',
    flag: '--concurrency',
    arg: '<n>',
    section: 'Server',
    help: "scoring requests in flight, per server; about twice the server's parallel sequences keeps it busy",
    description: "Scoring requests in flight per server. About twice the server's parallel sequences keeps it busy (see BENCHMARKS.md).",
  },
  promptsPerRequest: {
    kind: 'int',
    default: 4,
    min: 1,
    max: 64,
    scope: 'any',
    setting: 'promptsPerRequest',
    flag: '--prompts-per-request',
    arg: '<n>',
    section: 'Server',
    help: 'prompts sent as one list per request',
    description: 'Prompts sent together in one request.',
  },
  contextWindow: {
    kind: 'int',
    default: 16384,
    min: 512,
    scope: 'any',
    setting: 'contextWindow',
    flag: '--context-window',
    arg: '<n>',
    section: 'Scoring and selection',
    help: "answer model's window",
    description: "The answer model's context window, in tokens.",
  },
  answerReserve: {
    kind: 'int',
    default: 1024,
    min: 1,
    scope: 'any',
    setting: 'answerReserve',
    flag: '--answer-reserve',
    arg: '<n>',
    section: 'Scoring and selection',
    help: 'tokens kept for the answer',
    description: 'Tokens kept free for the answer.',
  },
  budget: {
    kind: 'int',
    default: 0,
    min: 0,
    scope: 'any',
    setting: 'budget',
    flag: '--budget',
    arg: '<n>',
    section: 'Scoring and selection',
    help: 'key-context tokens (0: from the window)',
    description: 'Key-context tokens (0: computed from the context window).',
  },
  measure: {
    kind: 'enum',
    default: 'nll' as Measure,
    values: MEASURES,
    valueDescriptions: [
      'Mean negative log-likelihood of the question tokens.',
      'Mean entropy at the question positions, estimated from the top-5.',
      'Question NLL against the question after an empty segment.',
    ],
    scope: 'any',
    setting: 'measure',
    flag: '--measure',
    arg: '<m>',
    section: 'Scoring and selection',
    help: 'certainty measure',
    description: 'Certainty measure.',
  },
  ranking: {
    kind: 'enum',
    default: 'fused' as RankingMode,
    values: RANKINGS,
    valueDescriptions: [
      "The model's certainty and the lexical ranking combined by reciprocal rank fusion.",
      'The files the model scored first, by its certainty; the rest by the lexical ranking.',
    ],
    scope: 'any',
    setting: 'ranking',
    flag: '--ranking',
    arg: '<r>',
    section: 'Scoring and selection',
    help: "how files are ranked with a model (fused: the model's and the lexical ranking by reciprocal rank fusion; model: the model's certainty first)",
    description: 'How files are ranked when a model scores them (without a model, the ranking is lexical).',
  },
  prefilterPercent: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 100,
    scope: 'any',
    setting: 'prefilterPercent',
    flag: '--prefilter',
    arg: '<percent>',
    section: 'Scoring and selection',
    help: 'score only the best <percent>% of segments by BM25, a cheaper run (0: all)',
    description: 'A cheaper run: score only this percentage of segments, the best by BM25 (0: score all).',
  },
  scoringTokens: {
    kind: 'int',
    default: 500_000,
    min: 0,
    scope: 'any',
    setting: 'scoringTokens',
    flag: '--scoring-tokens',
    arg: '<n>',
    section: 'Scoring and selection',
    help: 'with a model: score the best files of the lexical ranking up to <n> tokens, not the whole repository (0: every file)',
    description:
      "With a model: the model scores the best files of the lexical ranking up to this many tokens, so that a question's cost is bounded whatever the repository's size (0: every file). The rest keep their lexical rank.",
  },
  pinned: {
    kind: 'patterns',
    default: [] as string[],
    scope: 'any',
    flag: '--pin',
    arg: '<path>',
    section: 'Scoring and selection',
    help: 'always include this file (repeatable; in VS Code: Pin)',
  },
  answer: { kind: 'bool', default: true, scope: 'any', flag: '--no-answer', negated: true, section: 'Scoring and selection', help: 'rank files only' },
  excludes: {
    kind: 'patterns',
    default: [] as string[],
    scope: 'any',
    setting: 'excludes',
    flag: '--exclude',
    arg: '<glob>',
    section: 'Files',
    help: '.gitignore-style pattern to leave out (repeatable), in addition to .gitignore files and the default excludes',
    description:
      'Patterns (.gitignore syntax) never sent, in addition to .gitignore files and to the default excludes (`node_modules/`, `.hg/`, `.svn/`, `__pycache__/`, `.venv/`, `.DS_Store`; see `#xl3m.useDefaultExcludes#`).',
  },
  useDefaultExcludes: {
    kind: 'bool',
    default: true,
    scope: 'any',
    setting: 'useDefaultExcludes',
    flag: '--no-default-excludes',
    negated: true,
    section: 'Files',
    help: 'do not leave out node_modules/, .hg/, .svn/, __pycache__/, .venv/ and .DS_Store',
    description: 'Leave out `node_modules/`, `.hg/`, `.svn/`, `__pycache__/`, `.venv/` and `.DS_Store` as well as `#xl3m.excludes#`.',
  },
  useGitignore: { kind: 'bool', default: true, scope: 'any', flag: '--no-gitignore', negated: true, section: 'Files', help: 'do not read .gitignore files' },
  maxFileBytes: {
    kind: 'int',
    default: 1024 * 1024,
    min: 1,
    scope: 'any',
    setting: 'maxFileBytes',
    flag: '--max-file-bytes',
    arg: '<n>',
    section: 'Files',
    help: 'larger files are skipped (skipped files are counted in the summary; --json lists them)',
    description: 'Files larger than this are skipped.',
  },
  indexCache: {
    kind: 'bool',
    default: true,
    scope: 'machine',
    setting: 'indexCache',
    flag: '--no-cache',
    negated: true,
    section: 'Files',
    help: 'keep no index on disk: every file is read again (the cache folder: XL3M_CACHE_DIR, else the user cache folder; xl3m cache status)',
    description:
      "Keep each repository's index (every file's words, sizes and times; never its text, nor a skipped file) in the user cache folder (`XL3M_CACHE_DIR`, else e.g. `~/.cache/xl3m`), so that the first question after VS Code starts again reads only the files that changed. A machine setting.",
  },
  indexCacheMegabytes: {
    kind: 'int',
    default: 2048,
    min: 1,
    scope: 'machine',
    setting: 'indexCacheMegabytes',
    flag: '--cache-max-mb',
    arg: '<n>',
    section: 'Files',
    help: 'the cache folder holds at most this many MB; the indexes used least recently go first',
    description: 'The index cache folder holds at most this many megabytes; the repositories used least recently are dropped first. A machine setting.',
  },
  indexServer: {
    kind: 'bool',
    default: true,
    scope: 'machine',
    flag: '--no-server',
    negated: true,
    section: 'Files',
    help: "ask in this process, without the repository's background server (which keeps the index in memory between questions: xl3m server status)",
  },
  serverIdleMinutes: {
    kind: 'int',
    default: 15,
    min: 1,
    max: 1440,
    scope: 'machine',
    flag: '--server-idle-minutes',
    arg: '<n>',
    section: 'Files',
    help: 'the background server stops after this many minutes without a question',
  },
  answerWithVsCodeModel: {
    kind: 'bool',
    default: false,
    scope: 'any',
    setting: 'answerWithVsCodeModel',
    section: 'VS Code',
    help: "with no model that answers, one of VS Code's language models answers",
    description:
      "When no server or local model answers, the panel's answer comes from one of VS Code's language models (e.g. Copilot's; VS Code asks your consent first): xl3m chooses the context, that model writes. It gives no log-probabilities, so the ranking stays lexical. In the Chat view, `@xl3m` answers with the model you picked there.",
  },
  listedFiles: {
    kind: 'int',
    default: 30,
    min: 1,
    max: 500,
    scope: 'any',
    setting: 'listedFiles',
    section: 'VS Code',
    help: 'files listed in the panel',
    description: 'Files listed in the panel (with a way to see more), the Relevant Files view and the Explorer badges.',
  },
  confirmAboveTokens: {
    kind: 'int',
    default: 2_000_000,
    min: 0,
    scope: 'any',
    setting: 'confirmAboveTokens',
    section: 'VS Code',
    help: 'ask before scoring more tokens than this',
    description: 'Ask before scoring more tokens than this (0: never ask).',
  },
  requestTimeoutSeconds: {
    kind: 'int',
    default: 120,
    min: 1,
    scope: 'any',
    setting: 'requestTimeoutSeconds',
    flag: '--timeout',
    arg: '<seconds>',
    section: 'Server',
    help: 'per request',
    description: 'Timeout of each request.',
  },
  retries: {
    kind: 'int',
    default: 3,
    min: 0,
    max: 20,
    scope: 'any',
    setting: 'retries',
    flag: '--retries',
    arg: '<n>',
    section: 'Server',
    help: 'retries on 429/5xx, connection errors and replies cut short',
    description: 'Retries of a scoring request on 429/5xx, connection errors and replies cut short.',
  },
  top: {
    kind: 'int',
    default: 20,
    min: 1,
    scope: 'any',
    flag: '--top',
    arg: '<n>',
    section: 'Output',
    help: 'files listed in the text output (--json lists all)',
  },
  json: {
    kind: 'bool',
    default: false,
    scope: 'any',
    flag: '--json',
    section: 'Output',
    help: 'one JSON object on stdout: every file ranked, the answer, every file skipped with why, stats',
  },
} satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** The value every option holds, typed by its default. */
export type Options = {
  -readonly [K in OptionName]: (typeof OPTIONS)[K]['default'] extends readonly string[]
    ? string[]
    : (typeof OPTIONS)[K]['default'] extends string
      ? (typeof OPTIONS)[K]['default']
      : (typeof OPTIONS)[K]['default'] extends number
        ? number
        : boolean;
};

/** Every option's default. */
export const DEFAULTS: Readonly<Options> = Object.freeze(Object.fromEntries(Object.entries(OPTIONS).map(([k, s]) => [k, s.default])) as Options);

/** The patterns always left out unless `useDefaultExcludes` is off; the user's excludes add to these. */
export const DEFAULT_EXCLUDES: readonly string[] = ['node_modules/', '.hg/', '.svn/', '__pycache__/', '.venv/', '.DS_Store'];

export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];
