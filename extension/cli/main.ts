import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { nodeFileSystem } from '../core/fileSystem';
import { DEFAULT_EXCLUDES } from '../core/gather';
import { ask, CancelledError, type AskResult } from '../core/pipeline';
import type { RankedFile } from '../core/types';
import { describeProgress } from '../core/progressText';
import type { Endpoint } from '../core/endpoint';
import type { Scorer } from '../core/scorer';
import { LocalModel, LocalScorer, localModelLimits } from '../core/scorers/localModel';
import { createScorer } from '../core/scorers/createScorer';
import { formatProbe, probeEndpoint } from '../core/scorers/probe';
import { TiktokenTokenizer } from '../core/tokenizer';
import { bundledTokenizerPool } from '../core/tokenizerPool';
import { parseCommandLine, USAGE, UsageError, type AskArgs, type ServerArgs } from './args';

interface Io {
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
      io.stderr.write(`xl3m: ${err.message}\n`);
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
    return await runAsk(command, io, signal);
  } catch (err) {
    const message = err instanceof CancelledError ? err.message : (err as Error).message;
    io.stderr.write(`${io.stderr.isTTY ? '\r\x1b[K' : ''}xl3m: ${message}\n`);
    return err instanceof CancelledError ? 130 : 1;
  }
}

function endpointsOf(args: ServerArgs): Endpoint[] {
  return args.baseUrls.map((baseUrl) => ({ baseUrl, model: args.model, apiKey: args.apiKey, timeoutMs: args.timeoutMs, maxRetries: args.retries }));
}

/** `xl3m check`: which method each server allows, in plain words; exit 1 when one allows none. */
async function runCheck(args: ServerArgs, io: Io, signal?: AbortSignal): Promise<number> {
  let code = 0;
  for (const endpoint of endpointsOf(args)) {
    const probe = await probeEndpoint(endpoint, signal);
    io.stdout.write(formatProbe(probe) + '\n');
    if (!probe.method) code = 1;
  }
  return code;
}

async function runAsk(args: AskArgs, io: Io, signal?: AbortSignal): Promise<number> {
  const repo = path.resolve(args.repo);
  const stat = await fsp.stat(repo).catch(() => undefined);
  if (!stat?.isDirectory()) throw new Error(`--repo is not a folder: ${repo}`);
  const endpoints = endpointsOf(args);
  let scorer: Scorer | undefined;
  let local: LocalModel | undefined;
  if (args.modelFile) {
    const file = path.resolve(args.modelFile);
    if (!(await fsp.stat(file).catch(() => undefined))?.isFile()) throw new Error(`--model-file is not a file: ${file}`);
    io.stderr.write(`loading ${path.basename(file)}…\n`);
    local = await LocalModel.load(file, { contextSize: args.contextSize, threads: args.threads });
    scorer = new LocalScorer(local);
  } else if (endpoints.length === 0) {
    io.stderr.write('xl3m: no model configured: files ranked lexically (BM25F), no answer. Give --base-url and --model (or --model-file) for model scoring and an answer.\n');
  } else {
    const created = await createScorer({ endpoints, method: args.method, concurrency: args.concurrency, promptsPerRequest: args.promptsPerRequest }, signal);
    scorer = created.scorer;
    for (const p of created.probes) if (p.method) io.stderr.write(`${p.endpoint}: ${p.explanation}\n`);
    for (const n of created.notes) io.stderr.write(`xl3m: left out ${n}\n`);
  }
  const endpoint = endpoints[0];
  const tty = io.stderr.isTTY === true;
  let lastStage = '';
  let lastDraw = 0;
  let answerStarted = false;
  const tokenizer = new TiktokenTokenizer();
  const tokenizerPool = bundledTokenizerPool(__dirname);
  const limits = local && localModelLimits(local, tokenizer);
  try {
    const result = await ask(
      {
        question: args.question,
        roots: [{ path: repo, name: path.basename(repo) }],
        gather: {
          excludes: [...DEFAULT_EXCLUDES, ...(args.excludes ?? [])],
          maxFileBytes: args.maxFileBytes,
          includeSecrets: args.includeSecrets,
          useGitignore: args.gitignore,
        },
        segment: { maxTokens: args.segmentTokens ?? limits?.segmentTokens, overlapTokens: args.overlapTokens },
        measure: args.measure,
        ranking: args.ranking,
        contextWindow: args.contextWindow ?? limits?.contextWindow,
        prefilter: args.prefilter,
        budget: args.budget,
        answerReserve: args.answerReserve ?? limits?.answerReserve,
        pinned: args.pins,
        signal,
        onProgress: (e) => {
          if (e.stage === 'answer') return;
          const now = performance.now();
          if (tty) {
            if (now - lastDraw < 100 && e.stage === lastStage) return;
            io.stderr.write(`\r\x1b[K${describeProgress(e)}`.slice(0, (io.stderr.columns ?? 120) + 4));
          } else if (e.stage !== lastStage) {
            io.stderr.write(`${describeProgress(e)}\n`);
          }
          lastDraw = now;
          lastStage = e.stage;
        },
        onRanking: (files) => {
          if (args.json) return;
          if (tty) io.stderr.write('\r\x1b[K');
          io.stdout.write(formatRanking(files, args.top));
        },
        onAnswerDelta: (d) => {
          if (args.json) return;
          if (!answerStarted) {
            answerStarted = true;
            if (tty) io.stderr.write('\r\x1b[K');
            io.stdout.write('\nAnswer:\n');
          }
          io.stdout.write(d);
        },
      },
      {
        fs: nodeFileSystem,
        tokenizer,
        tokenizerPool,
        scorer,
        ...(local && args.answer ? { answerer: (text: string, q: string, o: Parameters<LocalModel['answer']>[2]) => local.answer(text, q, o) } : {}),
        answerEndpoint:
          args.answer && endpoint ? { ...endpoint, baseUrl: args.answerBaseUrl ?? endpoint.baseUrl, model: args.answerModel ?? args.model } : undefined,
      },
    );
    if (tty) io.stderr.write('\r\x1b[K');
    if (args.json) io.stdout.write(JSON.stringify(toJson(result)) + '\n');
    else writeSummary(result, io, answerStarted);
    for (const note of result.notes) io.stderr.write(`xl3m: ${note}\n`);
    if (result.partial) io.stderr.write(`xl3m: partial result: ${result.partial}\n`);
    return signal?.aborted ? 130 : 0;
  } finally {
    tokenizer.dispose();
    await tokenizerPool?.dispose();
    await local?.dispose();
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
  const shown = files.slice(0, top);
  const lines = [`Relevant files (${shown.length} of ${files.length}, most relevant first; * = in the key context):\n`];
  shown.forEach((f, i) => {
    const ranges = f.ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(', ');
    const pct = `${Math.round(100 * f.relevance)}%`.padStart(4);
    const flags = [f.pinned ? 'pinned' : '', f.mentioned ? 'named in the question' : ''].filter(Boolean).join(', ');
    lines.push(`${String(i + 1).padStart(3)}. ${pct} ${f.inKeyContext ? '*' : ' '} ${f.kind.padEnd(9)} ${f.path}  lines ${ranges}${flags ? `  (${flags})` : ''}\n`);
  });
  if (files.length > shown.length) lines.push(`     … ${files.length - shown.length} more (--top N to list more, --json for all)\n`);
  return lines.join('');
}

function writeSummary(result: AskResult, io: Io, answerStreamed: boolean) {
  const s = result.stats;
  const scoring =
    s.scoreMethod === 'lexical'
      ? `ranked lexically in ${s.rankingSeconds.toFixed(1)}s`
      : `${s.segments} segments scored in ${s.scoringSeconds.toFixed(1)}s (${Math.round(s.scoringTokensPerSecond)} tok/s, ${s.requests} requests), ${s.finePassFiles} files scored alone, ${s.scoreMethod} ranking`;
  io.stdout.write(
    `${answerStreamed ? '\n' : '\n(no answer)\n'}\n${s.files} files, ${s.tokensEstimated ? '~' : ''}${s.tokens} tokens, ${scoring}; ` +
      `key context ${s.keyContextTokens} of ${s.budget} tokens; ${s.skippedFiles} files skipped; ${s.totalSeconds.toFixed(1)}s in all\n`,
  );
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
