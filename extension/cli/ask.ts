// `xl3m ask`: the question (made ready by askInput.ts) answered in this process, by the CLI itself
// or by the repository's background server (indexServer.ts) on the caller's behalf; and what it
// writes: the ranking, the streamed answer, the summary, or the JSON contract.
import * as path from 'node:path';
import { nodeFileSystem } from '../core/files/fileSystem';
import type { AskResult } from '../core/pipeline';
import { runQuestion } from '../core/run';
import type { ProgressEvent, RankedFile } from '../core/types';
import { progressFilter } from '../core/report/progressFilter';
import { describeProgress } from '../core/report/progressText';
import { runSummary } from '../core/report/runSummary';
import { formatRanges, formatRelevance } from '../core/report/rangeFormat';
import { Tokenizing } from '../core/tokens/tokenizing';
import { inert, inertLine } from '../core/report/terminalText';
import { DiskIndex } from '../core/store/diskIndex';
import type { WarmIndex } from '../core/warmIndex';
import { inProcessModels } from './inProcessModels';
import type { AskArgs } from './args';
import type { Io } from './askInput';

/** What a process that answers many questions keeps between them (the background server); a run on its own makes its own and lets it go. */
export interface KeptForRuns {
  tokenizing: Tokenizing;
  disk?: DiskIndex;
  /** The disk index as loaded (what the server reports on). */
  index?: WarmIndex;
}

/** One question, answered in this process; with `kept`, the index is left for its owner to write back. */
export async function runAsk(args: AskArgs, io: Io, signal?: AbortSignal, kept?: KeptForRuns): Promise<number> {
  const { repo, config } = args;
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
  const tokenizing = kept?.tokenizing ?? new Tokenizing(__dirname, { keepCounts: false });
  const disk = kept ? kept.disk : args.cache ? await DiskIndex.of([repo], args.cache) : undefined;
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
    if (args.json) writeJson(result, io.stdout);
    else writeSummary(result, io, answerStarted);
    for (const note of result.notes) io.stderr.write(`xl3m: ${inertLine(note)}\n`);
    if (result.partial) io.stderr.write(`xl3m: partial result: ${inertLine(result.partial)}\n`);
    return signal?.aborted ? 130 : 0;
  } finally {
    flushProgress();
    // a server (kept) writes the index back itself, after the answer is out
    if (!kept) {
      await tokenizing.dispose();
      // after the answer is out, and after a cancel or a failure too: what was read is kept, and the next run reads only what changed from here
      const unsaved = await disk?.save();
      if (unsaved) io.stderr.write(`xl3m: ${inertLine(unsaved)}\n`);
    }
  }
}

/** The CLI's JSON contract: files most relevant first, paths relative to --repo with `/`. */
export function toJson(result: AskResult) {
  return { files: result.files.map(jsonFile), ...jsonRest(result) };
}

/** Files per piece of the JSON written: a few hundred kilobytes each. */
const FILES_PER_PIECE = 2000;

/**
 * Writes `toJson(result)` as JSON and a newline, the same text as `JSON.stringify`, in pieces of
 * a few thousand files: through the repository's server, the caller writes the first files while
 * the rest are still being made, and no 5 MB string (26,000 files) is made, measured and copied.
 */
export function writeJson(result: AskResult, out: NodeJS.WritableStream): void {
  const { files } = result;
  out.write('{"files":[');
  for (let start = 0; start < files.length; start += FILES_PER_PIECE) {
    const piece = JSON.stringify(files.slice(start, start + FILES_PER_PIECE).map(jsonFile));
    out.write((start > 0 ? ',' : '') + piece.slice(1, -1));
  }
  const rest = JSON.stringify(jsonRest(result));
  out.write(`]${rest.length > 2 ? ',' : ''}${rest.slice(1)}\n`);
}

function jsonFile(f: RankedFile) {
  const ranges = f.ranges.map((r) => ({ start: r.start, end: r.end }));
  const relevance = Number(f.relevance.toFixed(4));
  // most files have nothing more to say: one object, not one per optional field (26,000 files a question)
  if (f.modelScore === undefined && !f.mentioned && !f.pinned && !f.definitions)
    return { path: f.path, score: f.score, relevance, kind: f.kind, inKeyContext: f.inKeyContext, ranges };
  return {
    path: f.path,
    score: f.score,
    ...(f.modelScore !== undefined ? { modelScore: f.modelScore } : {}),
    relevance,
    kind: f.kind,
    inKeyContext: f.inKeyContext,
    ranges,
    ...(f.mentioned ? { mentioned: true } : {}),
    ...(f.pinned ? { pinned: true } : {}),
    ...(f.definitions ? { definitions: f.definitions } : {}),
  };
}

/** Everything after the files. */
function jsonRest(result: AskResult) {
  return {
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
