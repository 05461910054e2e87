import { parseArgs } from 'node:util';
import { RANKING_MODES, type RankingMode } from '../core/fileRanking';
import { SCORING_METHODS, type ScoringMethod } from '../core/families';
import { DEFAULTS, OPTIONS, type RunConfig } from '../core/runConfig';
import type { Measure } from '../core/types';

export const USAGE = `Usage:
  xl3m ask "<question>" --repo <dir> --base-url <url> --model <name> [options]
  xl3m ask "<question>" --repo <dir> --model-file <model.gguf>   (a local model, no server)
  xl3m ask "<question>" --repo <dir>          (no model: files ranked lexically, no answer)
  xl3m check --base-url <url> --model <name>
  xl3m mcp --repo <dir> [--repo <dir2> ...] [the model options of ask]

ask: ranks every file of a repository for the question (lexically: BM25F over paths, declared
names and content; with a model, fused with XL3M segment-wise certainty scoring), then streams an
answer from the best parts. A long question (a pasted bug report, a log) is fine.
check: says which scoring method a server allows, and why.
mcp: serves the Model Context Protocol on stdin/stdout for an agent (Claude Code, Cursor,
Continue, VS Code): tools find_relevant_files and, when a model answers, ask_codebase. It reads
only under the --repo folders, writes nothing, and logs to stderr.

Server:
  --base-url <url>          OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (vLLM,
                            vLLM-Ascend, SGLang, TGI, llama.cpp, Ollama, ...). Repeat it to share
                            the segments among several servers serving the same model.
  --model <name>            scoring model
  --method <m>              auto (default: probe the server) | ${SCORING_METHODS.join(' |\n                            ')}
  --answer-base-url <url>   server for the answer (default: --base-url)
  --answer-model <name>     answer model (default: --model)
  --api-key <key>           or the XL3M_API_KEY environment variable
  --concurrency <n>         scoring requests in flight, per server (default ${DEFAULTS.concurrency}); about twice
                            the server's parallel sequences keeps it busy
  --prompts-per-request <n> prompts sent as one list per request (default ${DEFAULTS.promptsPerRequest})
  --timeout <seconds>       per request (default ${DEFAULTS.timeoutSeconds})
  --retries <n>             retries on 429/5xx/connection errors (default ${DEFAULTS.retries})

Local model (llama.cpp in process, CPU; a server wins when both are given):
  --model-file <path.gguf>  score and answer with this model
  --context-size <n>        its context in tokens (default ${DEFAULTS.localContextSize})
  --threads <n>             its CPU threads (default: llama.cpp's choice)

Scoring and selection:
  --measure <m>             nll (default) | entropy | contrast
  --ranking <r>             with a model: fused (default: the model's and the lexical ranking,
                            by reciprocal rank fusion) | model (the model's certainty first)
  --prefilter <percent>     score only the best <percent>% of segments by BM25 (a cheaper run)
  --segment-tokens <n>      tokens per segment (default ${DEFAULTS.segmentTokens}, for a 4k-context scorer)
  --overlap-tokens <n>      repeated when a file is cut (default ${DEFAULTS.overlapTokens})
  --context-window <n>      answer model's window (default ${DEFAULTS.contextWindow})
  --answer-reserve <n>      tokens kept for the answer (default ${DEFAULTS.answerReserve})
  --budget <n>              key-context tokens (default: from the window)
  --pin <path>              always include this file (repeatable)
  --no-answer               rank files only

Files:
  --repo <dir>              repository root (default: current folder)
  --exclude <glob>          .gitignore-style pattern to leave out (repeatable), in addition to
                            .gitignore files and the defaults: ${DEFAULTS.excludes.join(' ')}
  --no-default-excludes     do not leave out those defaults (node_modules/ and the like)
                            (files left out for being binary, huge, generated or secret are
                            counted in the summary; --json lists them as "skipped", with why)
  --max-file-bytes <n>      larger files are skipped (default ${DEFAULTS.maxFileBytes})
  --include-secrets         send .env, keys and certificates too (off by default)
  --no-gitignore            do not read .gitignore files

Output:
  --json                    one JSON object on stdout: every file ranked, answer, skipped, stats
  --top <n>                 files listed in the text output (default ${DEFAULTS.top}; --json lists all)
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

export interface AskArgs {
  question: string;
  repo: string;
  config: RunConfig;
  json: boolean;
  top: number;
}

export interface McpArgs {
  /** The folders the server may read (a tool call naming a folder outside them is refused). */
  repos: string[];
  config: RunConfig;
}

export type Command = { command: 'help' } | ({ command: 'ask' } & AskArgs) | ({ command: 'check' } & ServerArgs) | ({ command: 'mcp' } & McpArgs);

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        repo: { type: 'string', multiple: true },
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
        'no-default-excludes': { type: 'boolean' },
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
  if (command !== 'ask' && command !== 'check' && command !== 'mcp') throw new UsageError(`unknown command "${command}" (try: xl3m ask "<question>" ..., xl3m check ... or xl3m mcp ...)`);
  const baseUrls = v['base-url'] ?? [];
  // Without a server, `ask` ranks lexically; `check` has nothing to check.
  if (baseUrls.length === 0 && (command === 'check' || v.model)) throw new UsageError('--base-url is required (an OpenAI-compatible server such as vLLM)');
  if (baseUrls.length > 0 && !v.model) throw new UsageError('--model is required (the scoring model served at --base-url)');
  for (const url of baseUrls) checkUrl(url, '--base-url');
  const timeout = optionalInt(v.timeout, '--timeout', 1);
  const server: ServerArgs = {
    baseUrls,
    model: v.model ?? '',
    apiKey: v['api-key'] ?? env.XL3M_API_KEY,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    retries: optionalInt(v.retries, '--retries', 0, 20),
  };
  if (command === 'check') {
    if (rest.length) throw new UsageError('check takes no question');
    return { command: 'check', ...server };
  }
  let question = '';
  if (command === 'mcp') {
    if (rest.length) throw new UsageError('mcp takes no question: the client asks');
  } else {
    if (rest.length !== 1) throw new UsageError('give the question as one quoted argument: xl3m ask "<question>" ...');
    question = rest[0]!.trim();
    if (!question) throw new UsageError('the question is empty');
    if ((v.repo?.length ?? 0) > 1) throw new UsageError('ask takes one --repo');
  }
  if (v['answer-base-url']) checkUrl(v['answer-base-url'], '--answer-base-url');
  const measure = v.measure;
  if (measure !== undefined && !['nll', 'entropy', 'contrast'].includes(measure)) throw new UsageError(`--measure must be nll, entropy or contrast (got "${measure}")`);
  const ranking = v.ranking;
  if (ranking !== undefined && !RANKING_MODES.includes(ranking as RankingMode)) throw new UsageError(`--ranking must be ${RANKING_MODES.join(' or ')} (got "${ranking}")`);
  const method = v.method ?? 'auto';
  if (method !== 'auto' && !SCORING_METHODS.includes(method as ScoringMethod)) throw new UsageError(`--method must be auto or one of ${SCORING_METHODS.join(', ')} (got "${method}")`);
  const int = (name: keyof typeof DEFAULTS, value: string | undefined) => {
    const spec = OPTIONS.find((o) => o.name === name)!;
    return optionalInt(value, spec.flag!, spec.min ?? 0, spec.max);
  };
  const config: RunConfig = {
    ...(baseUrls.length
      ? {
          server: {
            baseUrls,
            model: server.model,
            apiKey: server.apiKey,
            method: method as 'auto' | ScoringMethod,
            concurrency: int('concurrency', v.concurrency) ?? DEFAULTS.concurrency,
            promptsPerRequest: int('promptsPerRequest', v['prompts-per-request']) ?? DEFAULTS.promptsPerRequest,
            timeoutSeconds: timeout ?? DEFAULTS.timeoutSeconds,
            retries: server.retries ?? DEFAULTS.retries,
            answerBaseUrl: v['answer-base-url'],
            answerModel: v['answer-model'],
          },
        }
      : {}),
    ...(v['model-file']
      ? { localModel: { path: v['model-file'], contextSize: int('localContextSize', v['context-size']) ?? DEFAULTS.localContextSize, threads: optionalInt(v.threads, '--threads', 1) } }
      : {}),
    answer: !v['no-answer'],
    segmentTokens: int('segmentTokens', v['segment-tokens']),
    overlapTokens: int('overlapTokens', v['overlap-tokens']),
    contextWindow: int('contextWindow', v['context-window']),
    answerReserve: int('answerReserve', v['answer-reserve']),
    budget: optionalInt(v.budget, '--budget', 1),
    measure: (measure as Measure | undefined) ?? DEFAULTS.measure,
    ranking: (ranking as RankingMode | undefined) ?? DEFAULTS.ranking,
    prefilter: v.prefilter === undefined ? undefined : optionalInt(v.prefilter, '--prefilter', 1, 100)! / 100,
    excludes: v.exclude ?? [],
    useDefaultExcludes: !v['no-default-excludes'],
    maxFileBytes: int('maxFileBytes', v['max-file-bytes']) ?? DEFAULTS.maxFileBytes,
    includeSecrets: v['include-secrets'] ?? false,
    useGitignore: !v['no-gitignore'],
    pinned: v.pin ?? [],
  };
  if (command === 'mcp') return { command: 'mcp', repos: v.repo ?? ['.'], config };
  return { command: 'ask', question, repo: v.repo?.[0] ?? '.', config, json: v.json ?? false, top: int('top', v.top) ?? DEFAULTS.top };
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
