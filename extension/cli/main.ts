import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { promises as fsp } from 'node:fs';
import { nodeFileSystem } from '../core/files/fileSystem';
import { CancelledError, type AskResult } from '../core/pipeline';
import { runQuestion } from '../core/run';
import type { ProgressEvent, RankedFile } from '../core/types';
import { progressFilter } from '../core/report/progressFilter';
import { describeProgress } from '../core/report/progressText';
import { runSummary } from '../core/report/runSummary';
import { formatRanges, formatRelevance } from '../core/report/rangeFormat';
import type { Endpoint } from '../core/model/endpoint';
import { checkServers, formatProbe } from '../core/backend';
import { Tokenizing } from '../core/tokens/tokenizing';
import { inert, inertLine } from '../core/report/terminalText';
import { inProcessModels } from './inProcessModels';
import { serveMcp } from './mcpServer';
import { parseCommandLine, USAGE, UsageError, type AskArgs, type ServerArgs } from './args';
import { DiskIndex } from '../core/store/diskIndex';
import { clearCache, listCache } from '../core/store/cacheFolder';

interface Io {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv, io.env);
  } catch (err) {
    if (err instanceof UsageError) {
      // node's parser explains an unknown or malformed flag over several lines: the first says it
      io.stderr.write(`xl3m: ${inertLine(err.message.split('\n', 1)[0]!)} (xl3m --help lists every option)\n`);
      return 2;
    }
    throw err;
  }
  if (command.command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (command.command === 'check') return await runCheck(command, io, signal);
    if (command.command === 'cache') return await runCache(command.action, command.folder, io);
    if (command.command === 'mcp')
      return await serveMcp(command, { stdin: (io.stdin ?? process.stdin) as Readable, stdout: io.stdout as Writable, stderr: io.stderr as Writable }, signal);
    return await runAsk(command, io, signal);
  } catch (err) {
    const message = err instanceof CancelledError ? err.message : (err as Error).message;
    io.stderr.write(`${io.stderr.isTTY ? '\r\x1b[K' : ''}xl3m: ${inertLine(message)}\n`);
    return err instanceof CancelledError ? 130 : err instanceof UsageError ? 2 : 1;
  }
}

function checkEndpoints(args: ServerArgs): Endpoint[] {
  return args.baseUrls.map((baseUrl) => ({ baseUrl, model: args.model, apiKey: args.apiKey, timeoutMs: args.timeoutMs, maxRetries: args.retries }));
}

/** `xl3m check`: which method each server allows, in plain words; exit 1 when one allows none. */
async function runCheck(args: ServerArgs, io: Io, signal?: AbortSignal): Promise<number> {
  let code = 0;
  for (const probe of await checkServers(checkEndpoints(args), signal)) {
    io.stdout.write(inert(formatProbe(probe)) + '\n');
    if (!probe.method) code = 1;
  }
  return code;
}

/** `xl3m cache status` / `clear`: each repository's index (files, size, last use), or none left. */
async function runCache(action: 'status' | 'clear', folder: string, io: Io): Promise<number> {
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const size = (bytes: number) => (bytes < 2 ** 20 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : mb(bytes));
  if (action === 'clear') {
    const { files, bytes } = await clearCache(folder);
    io.stdout.write(`removed ${files} ${files === 1 ? 'index' : 'indexes'} (${mb(bytes)}) from ${inertLine(folder)}\n`);
    return 0;
  }
  const indexes = await listCache(folder);
  const total = indexes.reduce((a, e) => a + e.bytes, 0);
  io.stdout.write(`${inertLine(folder)}: ${indexes.length} ${indexes.length === 1 ? 'index' : 'indexes'}, ${mb(total)}\n`);
  for (const e of indexes) {
    const what = e.header
      ? `${e.header.roots.map(inertLine).join(', ')}: ${e.header.files} files${e.journalBytes ? ` when written whole, then ${size(e.journalBytes)} of changes` : ''}`
      : `unreadable (${inertLine(e.problem ?? '')}; removed at the next trim)`;
    io.stdout.write(`  ${what}, ${mb(e.bytes)}, last used ${e.usedAt.toISOString()}\n`);
  }
  return 0;
}

/** The question: as given, or read from a file or standard input (one too long for a command line). */
async function questionOf(args: AskArgs, io: Io): Promise<string> {
  if (args.questionFrom === undefined) return args.question;
  let text: string;
  if (args.questionFrom === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of (io.stdin ?? process.stdin) as Readable) chunks.push(Buffer.from(chunk as Buffer));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await fsp.readFile(args.questionFrom, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--question-file cannot be read: ${args.questionFrom} (${err.code ?? err.message})`);
    });
  }
  if (!text.trim()) throw new UsageError(`the question is empty (read from ${args.questionFrom === '-' ? 'standard input' : args.questionFrom})`);
  return text.trim();
}

async function runAsk(args: AskArgs, io: Io, signal?: AbortSignal): Promise<number> {
  args = { ...args, question: await questionOf(args, io) };
  const repo = path.resolve(args.repo);
  const stat = await fsp.stat(repo).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UsageError(`--repo is not a folder: ${repo}`);
  const config = args.config;
  if (config.localModel && !config.server) {
    const file = path.resolve(config.localModel.path);
    if (!(await fsp.stat(file).catch(() => undefined))?.isFile()) throw new UsageError(`--model-file is not a file: ${file}`);
    config.localModel.path = file;
  }
  // said on stdout beside the answer, so that whoever reads it knows what wrote it (the demo's stand-in is no LLM)
  const answerBy = config.server ? (config.server.answerModel ?? config.server.model) : config.localModel ? path.basename(config.localModel.path) : undefined;
  const tty = io.stderr.isTTY === true;
  const shown = progressFilter({ everyMs: 100 });
  let answerStarted = false;
  let finished: ProgressEvent | undefined;
  const flushProgress = () => {
    if (finished) io.stderr.write(`${describeProgress(finished)}\n`);
    finished = undefined;
  };
  const tokenizing = new Tokenizing(__dirname, { keepCounts: false });
  const disk = args.cache ? await DiskIndex.of([repo], args.cache) : undefined;
  const index = await disk?.load();
  try {
    const { result } = await runQuestion(
      config,
      args.question,
      [{ path: repo, name: path.basename(repo) }],
      { fs: nodeFileSystem, ...tokenizing.env(), localModels: inProcessModels, index },
      {
        signal,
        onStatus: (t) => io.stderr.write(`${inertLine(t)}\n`),
        onBackend: (backend) => {
          for (const p of backend.probes) if (p.method) io.stderr.write(`${inertLine(`${p.endpoint}: ${p.explanation}`)}\n`);
          for (const n of backend.notes) io.stderr.write(`xl3m: ${inertLine(n)}\n`);
        },
        onProgress: (e) => {
          if (e.stage === 'answer') return;
          if (tty) {
            if (shown(e)) io.stderr.write(`\r\x1b[K${describeProgress(e)}`.slice(0, (io.stderr.columns || 120) + 4));
          } else {
            // not a terminal: one line per stage, written when the stage is over, so it is true when read
            if (finished && finished.stage !== e.stage) io.stderr.write(`${describeProgress(finished)}\n`);
            finished = e;
          }
        },
        onRanking: (files) => {
          flushProgress();
          if (args.json) return;
          if (tty) io.stderr.write('\r\x1b[K');
          io.stdout.write(formatRanking(files, args.top));
        },
        onAnswerDelta: (d) => {
          if (args.json) return;
          if (!answerStarted) {
            answerStarted = true;
            if (tty) io.stderr.write('\r\x1b[K');
            io.stdout.write(`\nAnswer${answerBy ? ` (written by ${inertLine(answerBy)})` : ''}:\n`);
          }
          io.stdout.write(inert(d));
        },
      },
    );
    if (tty) io.stderr.write('\r\x1b[K');
    flushProgress();
    if (args.json) io.stdout.write(JSON.stringify(toJson(result)) + '\n');
    else writeSummary(result, io, answerStarted);
    for (const note of result.notes) io.stderr.write(`xl3m: ${inertLine(note)}\n`);
    if (result.partial) io.stderr.write(`xl3m: partial result: ${inertLine(result.partial)}\n`);
    return signal?.aborted ? 130 : 0;
  } finally {
    flushProgress();
    await tokenizing.dispose();
    // after the answer is out, and after a cancel or a failure too: what was read is kept, and the next run reads only what changed from here
    const unsaved = await disk?.save();
    if (unsaved) io.stderr.write(`xl3m: ${inertLine(unsaved)}\n`);
  }
}

/** The CLI's JSON contract: files most relevant first, paths relative to --repo with `/`. */
export function toJson(result: AskResult) {
  return {
    files: result.files.map((f) => ({
      path: f.path,
      score: f.score,
      ...(f.modelScore !== undefined ? { modelScore: f.modelScore } : {}),
      relevance: Number(f.relevance.toFixed(4)),
      kind: f.kind,
      inKeyContext: f.inKeyContext,
      ranges: f.ranges.map((r) => ({ start: r.start, end: r.end })),
      ...(f.mentioned ? { mentioned: true } : {}),
      ...(f.pinned ? { pinned: true } : {}),
      ...(f.definitions ? { definitions: f.definitions } : {}),
    })),
    answer: result.answer,
    skipped: result.skipped,
    ...(result.partial ? { partial: result.partial } : {}),
    ...(result.notes.length ? { notes: result.notes } : {}),
    stats: result.stats,
  };
}

/** The best `top` files: rank, relevance (% of the best), kind, path, lines; `*` marks the key context. */
export function formatRanking(files: RankedFile[], top = 20): string {
  if (files.length > 0 && files.every((f) => f.score === 0)) return `Nothing matched: no file holds a word of the question (${files.length} files searched).\n`;
  const shown = files.slice(0, top);
  const lines = [`Relevant files (${shown.length} of ${files.length}, most relevant first; * = read for the answer):\n`];
  shown.forEach((f, i) => {
    const ranges = formatRanges(f.ranges, '');
    const pct = formatRelevance(f).padStart(4);
    const defines = f.definitions?.length ? `defines ${f.definitions.map((d) => `${inertLine(d.name)} (${d.kind}, line ${d.line})`).join(', ')}` : '';
    const flags = [f.pinned ? 'pinned' : '', f.mentioned ? 'named in the question' : '', defines].filter(Boolean).join(', ');
    lines.push(
      `${String(i + 1).padStart(3)}. ${pct} ${f.inKeyContext ? '*' : ' '} ${f.kind.padEnd(9)} ${inertLine(f.path)}  lines ${ranges}${flags ? `  (${flags})` : ''}\n`,
    );
  });
  if (files.length > shown.length) lines.push(`     … ${files.length - shown.length} more (--top N to list more, --json for all)\n`);
  return lines.join('');
}

function writeSummary(result: AskResult, io: Io, answerStreamed: boolean) {
  io.stdout.write(`${answerStreamed ? '\n' : '\n(no answer)\n'}\n${runSummary(result.stats)}\n`);
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    controller.abort(new Error('interrupted'));
  });
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, controller.signal).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`xl3m: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
