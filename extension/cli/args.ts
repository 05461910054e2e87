import { parseArgs } from 'node:util';
import { RANKING_MODES, type RankingMode } from '../core/fileRanking';
import { SCORING_METHODS, type ScoringMethod } from '../core/scorers/probe';
import type { Measure } from '../core/types';

export const USAGE = `Usage:
  xl3m ask "<question>" --repo <dir> --base-url <url> --model <name> [options]
  xl3m ask "<question>" --repo <dir> --model-file <model.gguf>   (a local model, no server)
  xl3m ask "<question>" --repo <dir>          (no model: files ranked lexically, no answer)
  xl3m check --base-url <url> --model <name>

ask: ranks every file of a repository for the question (lexically: BM25F over paths, declared
names and content; with a model, fused with XL3M segment-wise certainty scoring), then streams an
answer from the best parts. A long question (a pasted bug report, a log) is fine.
check: says which scoring method a server allows, and why.

Server:
  --base-url <url>          OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (vLLM,
                            vLLM-Ascend, SGLang, TGI, llama.cpp, Ollama, ...). Repeat it to share
                            the segments among several servers serving the same model.
  --model <name>            scoring model
  --method <m>              auto (default: probe the server) | completions-echo | sglang-native |
                            tgi-prefill | chat-yes-no | next-token-entropy
  --answer-base-url <url>   server for the answer (default: --base-url)
  --answer-model <name>     answer model (default: --model)
  --api-key <key>           or the XL3M_API_KEY environment variable
  --concurrency <n>         scoring requests in flight, per server (default 8); about twice
                            the server's parallel sequences keeps it busy
  --prompts-per-request <n> prompts sent as one list per request (default 4)
  --timeout <seconds>       per request (default 120)
  --retries <n>             retries on 429/5xx/connection errors (default 3)

Local model (llama.cpp in process, CPU):
  --model-file <path.gguf>  score and answer with this model instead of a server
  --context-size <n>        its context in tokens (default 4096)
  --threads <n>             its CPU threads (default: llama.cpp's choice)

Scoring and selection:
  --measure <m>             nll (default) | entropy | contrast
  --ranking <r>             with a model: fused (default: the model's and the lexical ranking,
                            by reciprocal rank fusion) | model (the model's certainty first)
  --prefilter <percent>     score only the best <percent>% of segments by BM25 (a cheaper run)
  --segment-tokens <n>      tokens per segment (default 3072, for a 4k-context scorer)
  --overlap-tokens <n>      repeated when a file is cut (default 48)
  --context-window <n>      answer model's window (default 16384)
  --answer-reserve <n>      tokens kept for the answer (default 1024)
  --budget <n>              key-context tokens (default: from the window)
  --pin <path>              always include this file (repeatable)
  --no-answer               rank files only

Files:
  --repo <dir>              repository root (default: current folder)
  --exclude <glob>          .gitignore-style pattern to leave out (repeatable)
  --max-file-bytes <n>      larger files are skipped (default 1048576)
  --include-secrets         send .env, keys and certificates too (off by default)
  --no-gitignore            do not read .gitignore files

Output:
  --json                    one JSON object on stdout: every file ranked, answer, skipped, stats
  --top <n>                 files listed in the text output (default 20; --json lists all)
  -h, --help                this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ServerArgs {
  baseUrls: string[];
  model: string;
  apiKey?: string;
  timeoutMs?: number;
  retries?: number;
}

export interface AskArgs extends ServerArgs {
  question: string;
  modelFile?: string;
  contextSize?: number;
  threads?: number;
  repo: string;
  method: 'auto' | ScoringMethod;
  answerBaseUrl?: string;
  answerModel?: string;
  concurrency?: number;
  promptsPerRequest?: number;
  measure?: Measure;
  ranking?: RankingMode;
  top: number;
  /** Fraction (0-1] of segments scored, the best by BM25. */
  prefilter?: number;
  segmentTokens?: number;
  overlapTokens?: number;
  contextWindow?: number;
  answerReserve?: number;
  budget?: number;
  pins: string[];
  answer: boolean;
  excludes?: string[];
  maxFileBytes?: number;
  includeSecrets: boolean;
  gitignore: boolean;
  json: boolean;
}

export type Command = { command: 'help' } | ({ command: 'ask' } & AskArgs) | ({ command: 'check' } & ServerArgs);

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repo: { type: 'string' },
        'base-url': { type: 'string', multiple: true },
        method: { type: 'string' },
        'model-file': { type: 'string' },
        'context-size': { type: 'string' },
        threads: { type: 'string' },
        model: { type: 'string' },
        'answer-base-url': { type: 'string' },
        'answer-model': { type: 'string' },
        'api-key': { type: 'string' },
        concurrency: { type: 'string' },
        'prompts-per-request': { type: 'string' },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        measure: { type: 'string' },
        ranking: { type: 'string' },
        top: { type: 'string' },
        prefilter: { type: 'string' },
        'segment-tokens': { type: 'string' },
        'overlap-tokens': { type: 'string' },
        'context-window': { type: 'string' },
        'answer-reserve': { type: 'string' },
        budget: { type: 'string' },
        pin: { type: 'string', multiple: true },
        'no-answer': { type: 'boolean' },
        exclude: { type: 'string', multiple: true },
        'max-file-bytes': { type: 'string' },
        'include-secrets': { type: 'boolean' },
        'no-gitignore': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help || positionals.length === 0) return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command !== 'ask' && command !== 'check') throw new UsageError(`unknown command "${command}" (try: xl3m ask "<question>" ... or xl3m check ...)`);
  const baseUrls = v['base-url'] ?? [];
  // Without a server, `ask` ranks by BM25; `check` has nothing to check.
  if (v['model-file'] && baseUrls.length > 0) throw new UsageError('give either --model-file (a local model) or --base-url (a server), not both');
  if (baseUrls.length === 0 && (command === 'check' || v.model)) throw new UsageError('--base-url is required (an OpenAI-compatible server such as vLLM)');
  if (baseUrls.length > 0 && !v.model) throw new UsageError('--model is required (the scoring model served at --base-url)');
  for (const url of baseUrls) checkUrl(url, '--base-url');
  const timeout = optionalInt(v.timeout, '--timeout', 1);
  const server: ServerArgs = {
    baseUrls,
    model: v.model ?? '',
    apiKey: v['api-key'] ?? env.XL3M_API_KEY,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    retries: optionalInt(v.retries, '--retries', 0),
  };
  if (command === 'check') {
    if (rest.length) throw new UsageError('check takes no question');
    return { command: 'check', ...server };
  }
  if (rest.length !== 1) throw new UsageError('give the question as one quoted argument: xl3m ask "<question>" ...');
  const question = rest[0]!.trim();
  if (!question) throw new UsageError('the question is empty');
  if (v['answer-base-url']) checkUrl(v['answer-base-url'], '--answer-base-url');
  const measure = v.measure;
  if (measure !== undefined && !['nll', 'entropy', 'contrast'].includes(measure)) throw new UsageError(`--measure must be nll, entropy or contrast (got "${measure}")`);
  const ranking = v.ranking;
  if (ranking !== undefined && !RANKING_MODES.includes(ranking as RankingMode)) throw new UsageError(`--ranking must be ${RANKING_MODES.join(' or ')} (got "${ranking}")`);
  const method = v.method ?? 'auto';
  if (method !== 'auto' && !SCORING_METHODS.includes(method as ScoringMethod)) throw new UsageError(`--method must be auto or one of ${SCORING_METHODS.join(', ')} (got "${method}")`);
  return {
    command: 'ask',
    ...server,
    question,
    repo: v.repo ?? '.',
    modelFile: v['model-file'],
    contextSize: optionalInt(v['context-size'], '--context-size', 256),
    threads: optionalInt(v.threads, '--threads', 1),
    method: method as 'auto' | ScoringMethod,
    answerBaseUrl: v['answer-base-url'],
    answerModel: v['answer-model'],
    concurrency: optionalInt(v.concurrency, '--concurrency', 1),
    promptsPerRequest: optionalInt(v['prompts-per-request'], '--prompts-per-request', 1),
    measure: measure as Measure | undefined,
    ranking: ranking as RankingMode | undefined,
    top: optionalInt(v.top, '--top', 1) ?? 20,
    prefilter: v.prefilter === undefined ? undefined : optionalInt(v.prefilter, '--prefilter', 1, 100)! / 100,
    segmentTokens: optionalInt(v['segment-tokens'], '--segment-tokens', 64),
    overlapTokens: optionalInt(v['overlap-tokens'], '--overlap-tokens', 0),
    contextWindow: optionalInt(v['context-window'], '--context-window', 512),
    answerReserve: optionalInt(v['answer-reserve'], '--answer-reserve', 1),
    budget: optionalInt(v.budget, '--budget', 1),
    pins: v.pin ?? [],
    answer: !v['no-answer'],
    excludes: v.exclude,
    maxFileBytes: optionalInt(v['max-file-bytes'], '--max-file-bytes', 1),
    includeSecrets: v['include-secrets'] ?? false,
    gitignore: !v['no-gitignore'],
    json: v.json ?? false,
  };
}

function optionalInt(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number ${max < Number.MAX_SAFE_INTEGER ? `from ${min} to ${max}` : `>= ${min}`} (got "${value}")`);
  }
  return n;
}

function checkUrl(value: string, name: string) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${name} must be an http(s) URL (got "${value}")`);
}
