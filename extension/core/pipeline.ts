import { AnswerError, streamAnswer, type AnswerOptions } from './answer';
import type { Endpoint } from './endpoint';
import type { FileSystem } from './fileSystem';
import { gather, type GatherOptions, type GatherRoot } from './gather';
import { bm25Prefilter } from './bm25';
import { relevance } from './certainty';
import type { Scorer, ScoreRequest } from './scorer';
import { DEFAULT_SEGMENT_TOKENS, segment, pieceText, type SegmentOptions } from './segment';
import { answerBudget, DEFAULT_ANSWER_RESERVE, DEFAULT_CONTEXT_WINDOW, rankFiles, selectKeyContext } from './select';
import { tokenizeFile, type Tokenizer } from './tokenizer';
import type { TokenCountCache } from './tokenCountCache';
import type { TokenizerPool } from './tokenizerPool';
import type { Certainty, Measure, ProgressListener, RankedFile, Segment, SkippedFile, SourceFile, TokenizedFile } from './types';

export interface AskOptions {
  question: string;
  roots: GatherRoot[];
  gather?: Omit<GatherOptions, 'signal' | 'onProgress'>;
  segment?: SegmentOptions;
  measure?: Measure;
  /** Key-context tokens; computed from the answer model's window when absent. */
  budget?: number;
  contextWindow?: number;
  answerReserve?: number;
  /** Paths (as reported) always put in the key context. */
  pinned?: string[];
  /** Score only this fraction (0-1] of the segments, the best by BM25: a cheaper run. */
  prefilter?: number;
  /** Top segments shared by several files whose files are scored one by one to order them. */
  refineTop?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Asked after segmenting, before any request: false cancels the run (e.g. the user declines a big run). */
  confirmScoring?(plan: { segments: number; tokens: number }): Promise<boolean>;
  /** The ranking, as soon as it is known (before the answer streams). */
  onRanking?(files: RankedFile[]): void;
  onAnswerDelta?(text: string): void;
}

export interface AskDeps {
  fs: FileSystem;
  tokenizer: Tokenizer;
  /** Tokenizes on worker threads; without it, on the calling thread. */
  tokenizerPool?: TokenizerPool;
  /** Counts from earlier runs on the same files (the extension keeps one between questions). */
  tokenCache?: TokenCountCache;
  scorer: Scorer;
  /** Where the answer comes from; no answer is asked for when absent (nor `answerer`). */
  answerEndpoint?: Endpoint;
  /** An answer from elsewhere than an OpenAI-compatible server (e.g. the local model). */
  answerer?(keyContext: string, question: string, options: { signal?: AbortSignal; maxTokens?: number; onDelta?(text: string): void }): Promise<string>;
}

export interface AskStats {
  files: number;
  skippedFiles: number;
  bytes: number;
  tokens: number;
  segments: number;
  /** Segments sent to the scorer (fewer than `segments` with a BM25 pre-filter). */
  candidateSegments: number;
  scoredSegments: number;
  failedSegments: number;
  keyContextSegments: number;
  keyContextTokens: number;
  budget: number;
  measure: Measure;
  scorer: string;
  requests: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  scoringSeconds: number;
  /** Segment tokens (tokenizer counts) scored per second of scoring. */
  scoringTokensPerSecond: number;
  totalSeconds: number;
}

export interface AskResult {
  question: string;
  files: RankedFile[];
  answer: string;
  skipped: SkippedFile[];
  /** Why the result is incomplete (cancelled, segments that failed, answer cut off); absent when complete. */
  partial?: string;
  keyContext: string;
  stats: AskStats;
}

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(stage: string) {
    super(`cancelled while ${stage}`);
  }
}

/** Every file's line token counts: from the cache where the text is unchanged, else on the pool's threads or here. */
async function tokenizeAll(files: SourceFile[], deps: AskDeps, signal: AbortSignal | undefined): Promise<TokenizedFile[]> {
  const cache = deps.tokenCache;
  const hashes = cache ? files.map((f) => cache.hash(f)) : [];
  const out = new Array<TokenizedFile>(files.length);
  const todo: number[] = [];
  files.forEach((f, i) => {
    const hit = cache?.get(f, hashes[i]!);
    if (hit) out[i] = hit;
    else todo.push(i);
  });
  let fresh: TokenizedFile[] = [];
  if (deps.tokenizerPool && todo.length > 1) {
    fresh = await deps.tokenizerPool.tokenizeFiles(todo.map((i) => files[i]!), { signal });
  } else {
    for (const i of todo) {
      signal?.throwIfAborted();
      fresh.push(tokenizeFile(files[i]!, deps.tokenizer));
      if (fresh.length % 500 === 0) await new Promise((r) => setImmediate(r)); // let cancellation in
    }
  }
  todo.forEach((i, k) => {
    out[i] = fresh[k]!;
    cache?.set(fresh[k]!, hashes[i]!);
  });
  cache?.retainOnly(files);
  return out;
}

/** The whole XL3M run: gather, tokenize, segment, score, select, answer. */
export async function ask(options: AskOptions, deps: AskDeps): Promise<AskResult> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const measure = options.measure ?? 'nll';
  const question = options.question.trim();
  if (!question) throw new Error('the question is empty');
  const questionTokens = deps.tokenizer.count(question);
  const maxQuestion = Math.floor((options.segment?.maxTokens ?? DEFAULT_SEGMENT_TOKENS) / 3);
  if (questionTokens > maxQuestion) throw new Error(`the question is too long: ${questionTokens} tokens (at most ${maxQuestion}, a third of a segment)`);
  const check = (stage: string) => {
    if (signal?.aborted) throw new CancelledError(stage);
  };

  const gathered = await gather(deps.fs, options.roots, { ...options.gather, signal, onProgress }).catch((err) => {
    check('gathering files');
    throw err;
  });
  check('gathering files');
  const tokenized = await tokenizeAll(gathered.files, deps, signal).catch((err) => {
    check('tokenizing');
    throw err;
  });
  check('tokenizing');
  const tokens = tokenized.reduce((a, f) => a + f.tokens, 0);
  const segments = segment(tokenized, deps.tokenizer, options.segment);
  onProgress?.({ stage: 'segment', files: tokenized.length, tokens, segments: segments.length });
  if (segments.length === 0) throw new Error(`no text files to read (${gathered.skipped.length} skipped)`);
  if (options.confirmScoring && !(await options.confirmScoring({ segments: segments.length, tokens }))) throw new CancelledError('confirming the run');
  check('confirming the run');

  const candidates =
    options.prefilter !== undefined && options.prefilter < 1
      ? bm25Prefilter(segments.map((s) => s.text), question, options.prefilter).map((i) => segments[i]!)
      : segments;
  const scoreStarted = performance.now();
  const certainties: (Certainty | undefined)[] = new Array(segments.length);
  const failures: Error[] = [];
  let scoredTokens = 0;
  let done = 0;
  const totalTokens = candidates.reduce((a, s) => a + s.tokens, 0);
  const progress = () => {
    const seconds = (performance.now() - scoreStarted) / 1000;
    const rate = seconds > 0 ? scoredTokens / seconds : 0;
    onProgress?.({
      stage: 'score',
      done,
      failed: failures.length,
      total: candidates.length,
      tokensPerSecond: rate,
      ...(rate > 0 ? { etaSeconds: (totalTokens - scoredTokens) / rate } : {}),
    });
  };
  const topK = measure === 'entropy' ? 5 : 1;
  let baseline: Certainty | undefined;
  let partial: string | undefined;
  try {
    if (measure === 'contrast') baseline = await scoreOne(deps.scorer, '', question, topK, signal);
    progress();
    await deps.scorer.score(
      // a segment is a request; its text is built when a scorer reads it, not held for the run
      candidates,
      question,
      {
        signal,
        topK,
        onResult: (index, c) => {
          certainties[index] = c;
          scoredTokens += segments[index]!.tokens;
          done++;
          progress();
        },
        onFailure: (_index, error) => {
          failures.push(error);
          done++;
          progress();
        },
      },
    );
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
  const scoringSeconds = (performance.now() - scoreStarted) / 1000;
  const scored = certainties.filter((c) => c !== undefined).length;
  if (signal?.aborted) {
    if (scored === 0) throw new CancelledError('scoring');
    partial = `cancelled after scoring ${scored} of ${candidates.length} segments`;
  } else if (scored === 0) {
    throw new Error(failures[0]?.message ?? 'no segment could be scored');
  } else if (failures.length > 0) {
    partial = `${failures.length} of ${candidates.length} segments could not be scored: ${failures[0]!.message}`;
  }
  const scores = certainties.map((c) => (c ? relevance(c, measure, baseline) : undefined));

  const budget =
    options.budget ??
    answerBudget({
      contextWindow: options.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
      questionTokens,
      answerReserve: options.answerReserve ?? DEFAULT_ANSWER_RESERVE,
    });
  const pinned = new Set(options.pinned ?? []);
  const context = selectKeyContext(tokenized, segments, scores, { budget, pinned, tokenizer: deps.tokenizer });
  onProgress?.({ stage: 'select', segments: context.segments.length, tokens: context.tokens, budget });
  const tieBreak = signal?.aborted ? new Map<number, number>() : await refineShared(deps.scorer, tokenized, segments, context.segments.slice(0, options.refineTop ?? 4), question, measure, topK, baseline, signal);
  const files = rankFiles(tokenized, segments, scores, context, pinned, tieBreak);
  options.onRanking?.(files);

  let answer = '';
  const answerer = deps.answerer ?? (deps.answerEndpoint && ((text: string, q: string, o: AnswerOptions) => streamAnswer(deps.answerEndpoint!, text, q, o)));
  if (answerer && !signal?.aborted && context.text) {
    try {
      answer = await answerer(context.text, question, {
        signal,
        maxTokens: options.answerReserve ?? DEFAULT_ANSWER_RESERVE,
        onDelta: (d) => {
          answer += d;
          options.onAnswerDelta?.(d);
          onProgress?.({ stage: 'answer', characters: answer.length });
        },
      });
      if (signal?.aborted) partial ??= 'cancelled while answering';
    } catch (err) {
      if (signal?.aborted) partial ??= 'cancelled while answering';
      else partial = (partial ? partial + '; ' : '') + `the answer failed: ${(err as Error).message}`;
      if (err instanceof AnswerError) answer = err.partial;
    }
  }

  return {
    question,
    files,
    answer,
    skipped: gathered.skipped,
    ...(partial ? { partial } : {}),
    keyContext: context.text,
    stats: {
      files: tokenized.length,
      skippedFiles: gathered.skipped.length,
      bytes: gathered.files.reduce((a, f) => a + f.bytes, 0),
      tokens,
      segments: segments.length,
      candidateSegments: candidates.length,
      scoredSegments: scored,
      failedSegments: failures.length,
      keyContextSegments: context.segments.length,
      keyContextTokens: context.tokens,
      budget,
      measure,
      scorer: deps.scorer.description,
      requests: deps.scorer.stats.requests,
      attempts: deps.scorer.stats.attempts,
      scoringSeconds,
      scoringTokensPerSecond: scoringSeconds > 0 ? scoredTokens / scoringSeconds : 0,
      totalSeconds: (performance.now() - started) / 1000,
    },
  };
}

async function scoreOne(scorer: Scorer, text: string, question: string, topK: number, signal?: AbortSignal): Promise<Certainty> {
  let result: Certainty | undefined;
  let failure: Error | undefined;
  await scorer.score([{ index: 0, text }], question, {
    signal,
    topK,
    onResult: (_i, c) => (result = c),
    onFailure: (_i, e) => (failure = e),
  });
  if (!result) throw failure ?? new Error('the baseline could not be scored');
  return result;
}

/**
 * Files that share a top segment tie on that segment's score; each of their pieces is scored
 * alone to order them. Best effort: a failure here leaves the tie in repository order.
 */
async function refineShared(
  scorer: Scorer,
  files: TokenizedFile[],
  segments: Segment[],
  top: number[],
  question: string,
  measure: Measure,
  topK: number,
  baseline: Certainty | undefined,
  signal?: AbortSignal,
): Promise<Map<number, number>> {
  const requests: ScoreRequest[] = [];
  const owners: number[] = [];
  for (const index of top) {
    const seg = segments[index]!;
    if (seg.pieces.length < 2) continue;
    for (const p of seg.pieces) {
      requests.push({ index: owners.length, text: pieceText(files[p.fileIndex]!, p) });
      owners.push(p.fileIndex);
    }
  }
  const tieBreak = new Map<number, number>();
  if (requests.length === 0) return tieBreak;
  try {
    await scorer.score(requests, question, {
      signal,
      topK,
      onResult: (i, c) => {
        const s = relevance(c, measure, baseline);
        tieBreak.set(owners[i]!, Math.max(tieBreak.get(owners[i]!) ?? -Infinity, s));
      },
      onFailure: () => {},
    });
  } catch {
    // ordering within a tie is a refinement; the ranking stands without it
  }
  return tieBreak;
}
