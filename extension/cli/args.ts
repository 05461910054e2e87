import { parseArgs } from 'node:util';
import { DEFAULTS, OPTION_NAMES, OPTIONS, type OptionSpec, type Options } from '../core/options';
import { checkValue, enumValues } from '../core/config/optionValues';
import { runConfigOf, type RunConfig } from '../core/config/runConfig';
import { cacheFolder } from '../core/store/cacheFolder';
import type { DiskCacheOptions } from '../core/store/diskIndex';

const COMMANDS = `Usage:
  xl3m ask "<question>" --repo <dir> --base-url <url> --model <name> [options]
  xl3m ask "<question>" --repo <dir> --model-file <model.gguf>   (a local model, no server)
  xl3m ask "<question>" --repo <dir>          (no model: files ranked lexically, no answer)
  xl3m ask - --repo <dir>                     (the question from standard input; or --question-file F)
  xl3m check --base-url <url> --model <name>
  xl3m mcp --repo <dir> [--repo <dir2> ...] [the model options of ask]
  xl3m cache status | clear
  xl3m server status | stop

ask: ranks every file of a repository for the question (lexically: BM25F over paths, declared
names and content; with a model, fused with XL3M segment-wise certainty scoring), then streams an
answer from the best parts. A long question (a pasted bug report, a log) is fine.
check: says which scoring method a server allows, and why.
mcp: serves the Model Context Protocol on stdin/stdout for an agent (Claude Code, Cursor,
Continue, VS Code): tools find_relevant_files and, when a model answers, ask_codebase. It reads
only under the --repo folders, writes nothing there, and logs to stderr.
cache: what the index cache holds (each repository's files, size, last use), or removes it all. A
question reads only the files that changed since the last one; the index lives in XL3M_CACHE_DIR,
else the user cache folder (~/.cache/xl3m, ~/Library/Caches/xl3m, %LOCALAPPDATA%\\xl3m), never in a
repository, and holds no file's text.
server: \`ask\` hands its question to a background server of the repository, started by the first
question, that keeps the index in memory: the next question there costs what changed, not a read
of the whole index (--no-server asks in the calling process). It stops after
--server-idle-minutes without a question, when its cache folder is cleared, or with
\`xl3m server stop\`; \`status\` lists the running ones. Not on Windows.
`;

/** Flags that are not options of a run: where to look (first in its section), and this text (last). */
const COMMAND_FLAGS: Partial<Record<OptionSpec['section'], { first?: [string, string]; last?: [string, string] }>> = {
  Files: { first: ['--repo <dir>', 'repository root (default: current folder)'] },
  'Scoring and selection': {
    first: ['--question-file <F>', 'read the question from a file (`-` as the question: from standard input), for one too long for a command line'],
  },
  Output: { last: ['-h, --help', 'this text'] },
};

/** The usage text: the commands, then every flag of the option table by section, with its default. */
export const USAGE = `${COMMANDS}${(['Server', 'Local model', 'Scoring and selection', 'Files', 'Output'] as const)
  .map((section) => {
    const { first, last } = COMMAND_FLAGS[section] ?? {};
    const rows: [string, string][] = first ? [first] : [];
    for (const name of OPTION_NAMES) {
      const spec: OptionSpec = OPTIONS[name];
      if (spec.section !== section || !spec.flag || spec.repeatOf) continue;
      rows.push([`${spec.flag}${spec.arg ? ` ${spec.arg}` : ''}`, helpLine(spec)]);
    }
    if (last) rows.push(last);
    return `\n${section}${section === 'Local model' ? ' (llama.cpp in process, CPU; a server wins when both are given)' : ''}:\n${rows.map(([flag, help]) => formatRow(flag, help)).join('')}`;
  })
  .join('')}`;

function helpLine(spec: OptionSpec): string {
  if (spec.kind === 'enum') {
    const values = enumValues(spec).map((v) => (v === spec.default ? `${v} (default)` : v));
    return `${spec.help}: ${values.join(' | ')}`;
  }
  const shown = spec.defaultText ?? (spec.kind === 'int' && spec.default !== 0 ? String(spec.default) : undefined);
  return shown === undefined ? spec.help : `${spec.help} (default ${shown})`;
}

/** One flag and its help, wrapped under a 28-column flag column at 100 columns. */
function formatRow(flag: string, help: string): string {
  const indent = ' '.repeat(28);
  const lines: string[] = [];
  let line = '';
  for (const word of help.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  const first = `  ${flag}`.padEnd(27);
  return `${first.length > 27 ? `${first}\n${indent}` : `${first} `}${lines.join(`\n${indent}`)}\n`;
}

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
  /** Where to read the question instead: a file, or `-` for standard input. */
  questionFrom?: string;
  repo: string;
  config: RunConfig;
  json: boolean;
  top: number;
  /** Where the index is kept between runs; none: not kept (--no-cache). */
  cache?: DiskCacheOptions;
  /** Ask through the repository's background server (cli/indexServer.ts); none: in this process (--no-server). */
  server?: { idleMinutes: number };
}

export interface McpArgs {
  /** The folders the server may read (a tool call naming a folder outside them is refused). */
  repos: string[];
  config: RunConfig;
  cache?: DiskCacheOptions;
}

export type Command =
  | { command: 'help' }
  | ({ command: 'ask' } & AskArgs)
  | ({ command: 'check' } & ServerArgs)
  | ({ command: 'mcp' } & McpArgs)
  | { command: 'cache'; action: 'status' | 'clear'; folder: string }
  | { command: 'server'; action: 'status' | 'stop'; folder: string }
  /** What `ask` starts in the background: the server of one repository, in the foreground. */
  | { command: 'server'; action: 'run'; folder: string; repo: string; idleMinutes: number };

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Command {
  const flagOptions: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    repo: { type: 'string', multiple: true },
    'question-file': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  const repeated = new Set(OPTION_NAMES.map((n) => (OPTIONS[n] as OptionSpec).repeatOf).filter(Boolean));
  for (const name of OPTION_NAMES) {
    const spec: OptionSpec = OPTIONS[name];
    if (!spec.flag || spec.repeatOf) continue;
    flagOptions[spec.flag.slice(2)] = spec.kind === 'bool' ? { type: 'boolean' } : { type: 'string', multiple: spec.kind === 'patterns' || repeated.has(name) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: flagOptions });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed as { values: Record<string, string | string[] | boolean | undefined>; positionals: string[] };
  if (v.help || positionals.length === 0) return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command !== 'ask' && command !== 'check' && command !== 'mcp' && command !== 'cache' && command !== 'server')
    throw new UsageError(`unknown command "${command}" (try: xl3m ask "<question>" ..., xl3m check ..., xl3m mcp ... or xl3m cache status)`);
  const options = optionsOf(v, env);
  if (command === 'cache') {
    if (rest.length !== 1 || (rest[0] !== 'status' && rest[0] !== 'clear')) throw new UsageError('cache takes one of: status, clear');
    return { command: 'cache', action: rest[0], folder: cacheFolder(env) };
  }
  if (command === 'server') {
    if (rest.length !== 1 || (rest[0] !== 'status' && rest[0] !== 'stop' && rest[0] !== 'run')) throw new UsageError('server takes one of: status, stop');
    if (rest[0] !== 'run') return { command: 'server', action: rest[0], folder: cacheFolder(env) };
    const repo = (v.repo as string[] | undefined)?.[0];
    if (!repo) throw new UsageError('server run takes --repo');
    return { command: 'server', action: 'run', folder: cacheFolder(env), repo, idleMinutes: options.serverIdleMinutes };
  }
  const cache = options.indexCache ? { cache: { folder: cacheFolder(env), maxBytes: options.indexCacheMegabytes * 2 ** 20 } } : {};
  // Without a server, `ask` ranks lexically; `check` has nothing to check.
  if (!options.baseUrl && (command === 'check' || options.model)) throw new UsageError('--base-url is required (an OpenAI-compatible server such as vLLM)');
  if (options.baseUrl && !options.model) throw new UsageError('--model is required (the scoring model served at --base-url)');
  const repos = (v.repo as string[] | undefined) ?? [];
  if (command === 'check') {
    if (rest.length) throw new UsageError('check takes no question');
    return {
      command: 'check',
      baseUrls: [options.baseUrl, ...options.additionalBaseUrls],
      model: options.model,
      apiKey: options.apiKey || undefined,
      timeoutMs: v.timeout === undefined ? undefined : options.requestTimeoutSeconds * 1000,
      retries: v.retries === undefined ? undefined : options.retries,
    };
  }
  const config = runConfigOf(options);
  if (command === 'mcp') {
    if (rest.length) throw new UsageError('mcp takes no question: the client asks');
    return { command: 'mcp', repos: repos.length ? repos : ['.'], config, ...cache };
  }
  const questionFile = v['question-file'] as string | undefined;
  if (questionFile !== undefined) {
    if (rest.length) throw new UsageError('give the question either as an argument or with --question-file, not both');
  } else if (rest.length !== 1)
    throw new UsageError('give the question as one quoted argument: xl3m ask "<question>" ... (or - to read it from standard input)');
  const question = questionFile !== undefined ? '' : rest[0]!.trim();
  if (questionFile === undefined && !question) throw new UsageError('the question is empty');
  if (repos.length > 1) throw new UsageError('ask takes one --repo');
  const from = questionFile !== undefined ? { questionFrom: questionFile } : question === '-' ? { questionFrom: '-' } : {};
  // the server keeps the index in memory, which --no-cache asks not to keep
  const server = options.indexServer && options.indexCache ? { server: { idleMinutes: options.serverIdleMinutes } } : {};
  return { command: 'ask', question, ...from, repo: repos[0] ?? '.', config, json: options.json, top: options.top, ...cache, ...server };
}

/** The option table's values from the flags given (each checked), the table's defaults for the rest. */
export function optionsOf(v: Record<string, string | string[] | boolean | undefined>, env: NodeJS.ProcessEnv): Options {
  const options = { ...DEFAULTS, apiKey: env.XL3M_API_KEY ?? '' } as Record<string, unknown>;
  for (const name of OPTION_NAMES) {
    const spec: OptionSpec = OPTIONS[name];
    if (!spec.flag || spec.repeatOf) continue;
    const given = v[spec.flag.slice(2)];
    if (given === undefined) continue;
    if (spec.kind === 'bool') {
      options[name] = spec.negated ? !given : Boolean(given);
      continue;
    }
    const values = (Array.isArray(given) ? given : [given as string]).map((value) => {
      const checked = checkValue(spec, spec.kind === 'patterns' ? [value] : value);
      if ('problem' in checked) throw new UsageError(`${spec.flag} ${checked.problem}${checked.problem.includes('(got') ? '' : ` (got "${value}")`}`);
      return checked.value;
    });
    if (spec.kind === 'patterns') options[name] = values.flat();
    else {
      options[name] = values[0];
      const repeatedInto = OPTION_NAMES.find((n) => (OPTIONS[n] as OptionSpec).repeatOf === name);
      if (repeatedInto) options[repeatedInto] = values.slice(1);
    }
  }
  return options as Options;
}
