import { AnswerError, streamAnswer, type AnswerOptions } from './model/answer';
import type { Endpoint } from './model/endpoint';
import type { FileSystem } from './files/fileSystem';
import type { WarmIndex } from './warmIndex';
import { gather, type GatherOptions, type GatherRoot } from './files/gather';
import { bm25Prefilter } from './lexical/bm25';
import { relevance } from './xl3m/certainty';
import { combineScores, modelFileScores, rankAllFiles, type RankingMode } from './lexical/fileRanking';
import { rankFilesLexicallyAsync, type LexicalRanking } from './lexical/lexicalRanking';
import { condenseQuestion } from './lexical/question';
import type { Scorer, ScoreRequest } from './model/scorer';
import { segment, pieceText, type SegmentOptions } from './xl3m/segment';
import { answerBudget, selectKeyContext, selectLexicalContext, type KeyContext } from './xl3m/select';
import { tokenizeFile, type Tokenizer } from './tokens/tokenizer';
import type { TokenCountCache } from './tokens/tokenCountCache';
import type { TokenizerPool } from './tokens/tokenizerPool';
import type { Certainty, LineRange, Measure, ProgressListener, RankedFile, Segment, SkippedFile, SourceFile, TokenizedFile } from './types';
import { DEFAULTS } from './options';

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
  /** The fine pass: the files of this many of the best segments that several files share are each scored alone. */
  refineTop?: number;
  /** How the model's certainty and the lexical ranking combine (with a model). */
  ranking?: RankingMode;
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
  /** What earlier questions read and analysed, kept by a long-lived host: unchanged files are not read again. */
  index?: WarmIndex;
  /** The model that scores segments; without one, the files are ranked lexically and nothing is sent anywhere to score. */
  scorer?: Scorer;
  /** Where the answer comes from; no answer is asked for when absent (nor `answerer`). */
  answerEndpoint?: Endpoint;
  /** An answer from elsewhere than an OpenAI-compatible server (e.g. the local model). */
  answerer?(keyContext: string, question: string, options: { signal?: AbortSignal; maxTokens?: number; onDelta?(text: string): void }): Promise<string>;
}

export interface AskStats {
  files: number;
  skippedFiles: number;
  /** Files read in this run, and files whose earlier reading a long-lived host reused (unchanged since; 0 in a cold run). */
  filesRead: number;
  filesReused: number;
  bytes: number;
  /** Tokens of every gathered file: counted when a model scores, estimated from the size (`tokensEstimated`) when not. */
  tokens: number;
  tokensEstimated: boolean;
  /** Seconds spent ranking the files lexically. */
  rankingSeconds: number;
  /** How the files' scores were made: `lexical`, or with a model `fused` / `model`. */
  scoreMethod: 'lexical' | RankingMode;
  /** Files scored alone after the coarse pass, and their tokens (the fine pass's cost beside `scoredTokens`). */
  finePassFiles: number;
  finePassTokens: number;
  /** Segment tokens sent in the coarse pass. */
  scoredTokens: number;
  /** The question as the scoring prompts carry it: whole, or condensed to the lines with the most signal. */
  questionTokens: number;
  scoredQuestionTokens: number;
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
  /** Things the user should know that do not make the result partial (e.g. the question was condensed for the model). */
  notes: string[];
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
    fresh = await deps.tokenizerPool.tokenizeFiles(
      todo.map((i) => files[i]!),
      { signal },
    );
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

/** The whole run: gather, rank lexically, (tokenize, segment, score, fine pass, fuse), select, answer. */
export async function ask(options: AskOptions, deps: AskDeps): Promise<AskResult> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const question = options.question.trim();
  if (!question) throw new Error('the question is empty');
  const notes: string[] = [];
  const check = (stage: string) => {
    if (signal?.aborted) throw new CancelledError(stage);
  };

  const gathered = await gather(deps.fs, options.roots, { ...options.gather, signal, onProgress, cache: deps.index?.files }).catch((err) => {
    check('gathering files');
    throw err;
  });
  check('gathering files');
  if (gathered.files.length === 0) throw new Error(`no text files to read (${gathered.skipped.length} skipped)`);

  const rankingStarted = performance.now();
  const lexical = await rankFilesLexicallyAsync(gathered.files, question, undefined, signal, deps.index?.lexical).catch((err) => {
    check('ranking files');
    throw err;
  });
  const rankingSeconds = (performance.now() - rankingStarted) / 1000;
  onProgress?.({ stage: 'rank', files: gathered.files.length });
  check('ranking files');

  // The answer model reads the question whole unless it would crowd out the key context: then it
  // reads the condensed question too, capped at a quarter of its window.
  const contextWindow = options.contextWindow ?? DEFAULTS.contextWindow;
  const answerQuestion = condenseQuestion(question, Math.max(1024, Math.floor(contextWindow / 4)), deps.tokenizer, lexical.idf);
  const questionTokens = answerQuestion.originalTokens;
  if (answerQuestion.tokens < answerQuestion.originalTokens) {
    notes.push(
      `the answer model reads the question condensed to ${answerQuestion.tokens} of its ${answerQuestion.originalTokens} tokens (its title and the lines with the rarest words), leaving its window to the code`,
    );
  }
  const budget =
    options.budget ??
    answerBudget({
      contextWindow,
      questionTokens: answerQuestion.tokens,
      answerReserve: options.answerReserve ?? DEFAULTS.answerReserve,
    });
  const pinned = new Set(options.pinned ?? []);
  const scored = deps.scorer ? await scoreWithModel(deps.scorer, gathered.files, question, lexical, options, deps, budget, pinned, notes) : undefined;
  const bytes = gathered.files.reduce((a, f) => a + f.bytes, 0);

  let context: { text: string; tokens: number; ranges: ReadonlyMap<number, LineRange[]>; segments: number };
  let scores: number[];
  if (scored) {
    scores = combineScores(lexical.files, scored.modelScores, options.ranking ?? DEFAULTS.ranking);
    context = { ...scored.context, segments: scored.context.segments.length };
  } else {
    scores = lexical.files.map((e) => e.score);
    const lexicalContext = selectLexicalContext(gathered.files, lexical.files, scores, { budget, pinned, tokenizer: deps.tokenizer });
    context = { ...lexicalContext, segments: 0 };
    check('selecting the key context');
  }
  onProgress?.({ stage: 'select', segments: context.segments, tokens: context.tokens, budget });
  const files = rankAllFiles({
    files: gathered.files,
    lexical: lexical.files,
    scores,
    keyContext: context.ranges,
    pinned,
    modelScores: scored?.modelScores,
    modelRanges: scored?.modelRanges,
  });
  options.onRanking?.(files);

  const answered = await answerStage(context.text, answerQuestion.text, options, deps, signal);
  const partial = [scored?.partial, answered.partial].filter(Boolean).join('; ') || undefined;

  return {
    question,
    files,
    answer: answered.answer,
    skipped: gathered.skipped,
    ...(partial ? { partial } : {}),
    notes,
    keyContext: context.text,
    stats: {
      files: gathered.files.length,
      skippedFiles: gathered.skipped.length,
      filesRead: gathered.read,
      filesReused: gathered.reused,
      bytes,
      tokens: scored?.tokens ?? Math.round(gathered.files.reduce((a, f) => a + f.text.length, 0) / 4),
      tokensEstimated: !scored,
      rankingSeconds,
      scoreMethod: scored ? (options.ranking ?? DEFAULTS.ranking) : 'lexical',
      finePassFiles: scored?.finePassFiles ?? 0,
      finePassTokens: scored?.finePassTokens ?? 0,
      scoredTokens: scored?.scoredTokens ?? 0,
      questionTokens,
      scoredQuestionTokens: scored?.scoredQuestionTokens ?? 0,
      segments: scored?.segments.length ?? 0,
      candidateSegments: scored?.candidates ?? 0,
      scoredSegments: scored?.scoredSegments ?? 0,
      failedSegments: scored?.failedSegments ?? 0,
      keyContextSegments: context.segments,
      keyContextTokens: context.tokens,
      budget,
      measure: options.measure ?? 'nll',
      scorer: deps.scorer?.description ?? 'lexical (BM25F over paths, declared names and content; no model configured)',
      requests: deps.scorer?.stats.requests ?? 0,
      attempts: deps.scorer?.stats.attempts ?? 0,
      scoringSeconds: scored?.scoringSeconds ?? 0,
      scoringTokensPerSecond: scored && scored.scoringSeconds > 0 ? scored.scoredTokens / scored.scoringSeconds : 0,
      totalSeconds: (performance.now() - started) / 1000,
    },
  };
}

interface ModelScoring {
  tokens: number;
  segments: Segment[];
  candidates: number;
  scoredSegments: number;
  failedSegments: number;
  scoredTokens: number;
  scoredQuestionTokens: number;
  scoringSeconds: number;
  finePassFiles: number;
  finePassTokens: number;
  modelScores: Map<number, number>;
  modelRanges: Map<number, LineRange[]>;
  context: KeyContext;
  partial?: string;
}

/** Tokenize, segment, score every segment (the coarse pass), score the files of the best shared segments alone (the fine pass), select the key context. */
async function scoreWithModel(
  scorer: Scorer,
  gatheredFiles: SourceFile[],
  fullQuestion: string,
  lexical: LexicalRanking,
  options: AskOptions,
  deps: AskDeps,
  budget: number,
  pinned: ReadonlySet<string>,
  notes: string[],
): Promise<ModelScoring> {
  const { signal, onProgress } = options;
  const measure = options.measure ?? 'nll';
  const check = (stage: string) => {
    if (signal?.aborted) throw new CancelledError(stage);
  };
  const maxQuestion = Math.floor((options.segment?.maxTokens ?? DEFAULTS.segmentTokens) / 3);
  const condensed = condenseQuestion(fullQuestion, maxQuestion, deps.tokenizer, lexical.idf);
  const question = condensed.text;
  if (condensed.tokens < condensed.originalTokens) {
    notes.push(
      `the scoring model reads the question condensed to ${condensed.tokens} of its ${condensed.originalTokens} tokens (its title and the lines with the rarest words); the lexical ranking reads it whole`,
    );
  }

  const tokenized = await tokenizeAll(gatheredFiles, deps, signal).catch((err) => {
    check('tokenizing');
    throw err;
  });
  check('tokenizing');
  const tokens = tokenized.reduce((a, f) => a + f.tokens, 0);
  const segments = segment(tokenized, deps.tokenizer, options.segment);
  onProgress?.({ stage: 'segment', files: tokenized.length, tokens, segments: segments.length });
  if (options.confirmScoring && !(await options.confirmScoring({ segments: segments.length, tokens }))) throw new CancelledError('confirming the run');
  check('confirming the run');

  const candidates =
    options.prefilter !== undefined && options.prefilter < 1
      ? bm25Prefilter(
          segments.map((s) => s.text),
          question,
          options.prefilter,
        ).map((i) => segments[i]!)
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
    if (measure === 'contrast') baseline = await scoreOne(scorer, '', question, topK, signal);
    progress();
    await scorer.score(
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
  const scoredSegments = certainties.filter((c) => c !== undefined).length;
  if (signal?.aborted) {
    if (scoredSegments === 0) throw new CancelledError('scoring');
    partial = `cancelled after scoring ${scoredSegments} of ${candidates.length} segments`;
  } else if (scoredSegments === 0) {
    throw new Error(failures[0]?.message ?? 'no segment could be scored');
  } else if (failures.length > 0) {
    partial = `${failures.length} of ${candidates.length} segments could not be scored: ${failures[0]!.message}`;
  }
  const scores = certainties.map((c) => (c ? relevance(c, measure, baseline) : undefined));

  const context = selectKeyContext(tokenized, segments, scores, { budget, pinned, tokenizer: deps.tokenizer });
  const fine = signal?.aborted
    ? { alone: new Map<number, { score: number; range: LineRange }>(), files: 0, tokens: 0 }
    : await finePass(scorer, tokenized, segments, scores, options.refineTop ?? DEFAULT_REFINE_TOP, question, measure, topK, baseline, signal);
  const modelScores = modelFileScores(segments, scores, new Map([...fine.alone].map(([i, a]) => [i, a.score])));
  const modelRanges = bestModelRanges(segments, scores, fine.alone);
  return {
    tokens,
    segments,
    candidates: candidates.length,
    scoredSegments,
    failedSegments: failures.length,
    scoredTokens,
    scoredQuestionTokens: condensed.tokens,
    scoringSeconds,
    finePassFiles: fine.files,
    finePassTokens: fine.tokens,
    modelScores,
    modelRanges,
    context,
    ...(partial ? { partial } : {}),
  };
}

/** Shared segments whose files are scored alone: the best this many. */
export const DEFAULT_REFINE_TOP = 8;

/** Each file's best scored part as its line range (a part scored alone, or a segment it had to itself). */
function bestModelRanges(
  segments: Segment[],
  scores: ReadonlyArray<number | undefined>,
  alone: ReadonlyMap<number, { score: number; range: LineRange }>,
): Map<number, LineRange[]> {
  const best = new Map<number, { score: number; range: LineRange }>(alone);
  for (const seg of segments) {
    const s = scores[seg.index];
    if (s === undefined || Number.isNaN(s) || seg.pieces.length !== 1) continue;
    const p = seg.pieces[0]!;
    const cur = best.get(p.fileIndex);
    if (!cur || s > cur.score) best.set(p.fileIndex, { score: s, range: { start: p.start, end: p.end } });
  }
  return new Map([...best].map(([i, b]) => [i, [b.range]]));
}

async function answerStage(
  keyContext: string,
  question: string,
  options: AskOptions,
  deps: AskDeps,
  signal: AbortSignal | undefined,
): Promise<{ answer: string; partial?: string }> {
  let answer = '';
  let partial: string | undefined;
  const answerer = deps.answerer ?? (deps.answerEndpoint && ((text: string, q: string, o: AnswerOptions) => streamAnswer(deps.answerEndpoint!, text, q, o)));
  if (!answerer || signal?.aborted || !keyContext) return { answer };
  try {
    answer = await answerer(keyContext, question, {
      signal,
      maxTokens: options.answerReserve ?? DEFAULTS.answerReserve,
      onDelta: (d) => {
        answer += d;
        options.onAnswerDelta?.(d);
        options.onProgress?.({ stage: 'answer', characters: answer.length });
      },
    });
    if (signal?.aborted) partial = 'cancelled while answering';
  } catch (err) {
    partial = signal?.aborted ? 'cancelled while answering' : `the answer failed: ${(err as Error).message}`;
    if (err instanceof AnswerError) answer = err.partial;
  }
  return { answer, ...(partial ? { partial } : {}) };
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
 * The fine pass: the files of the best segments that several files share are each scored alone,
 * so that no file takes a neighbour's score. Best effort: a failure leaves those files to the
 * lexical ranking.
 */
async function finePass(
  scorer: Scorer,
  files: TokenizedFile[],
  segments: Segment[],
  scores: ReadonlyArray<number | undefined>,
  top: number,
  question: string,
  measure: Measure,
  topK: number,
  baseline: Certainty | undefined,
  signal?: AbortSignal,
): Promise<{ alone: Map<number, { score: number; range: LineRange }>; files: number; tokens: number }> {
  const shared = segments.filter((s) => s.pieces.length > 1 && scores[s.index] !== undefined && !Number.isNaN(scores[s.index]!));
  shared.sort((a, b) => scores[b.index]! - scores[a.index]! || a.index - b.index);
  const requests: ScoreRequest[] = [];
  const owners: { fileIndex: number; range: LineRange }[] = [];
  let tokens = 0;
  for (const seg of shared.slice(0, top)) {
    for (const p of seg.pieces) {
      requests.push({ index: owners.length, text: pieceText(files[p.fileIndex]!, p) });
      owners.push({ fileIndex: p.fileIndex, range: { start: p.start, end: p.end } });
      tokens += p.tokens;
    }
  }
  const alone = new Map<number, { score: number; range: LineRange }>();
  if (requests.length === 0) return { alone, files: 0, tokens: 0 };
  try {
    await scorer.score(requests, question, {
      signal,
      topK,
      onResult: (i, c) => {
        const s = relevance(c, measure, baseline);
        const owner = owners[i]!;
        const cur = alone.get(owner.fileIndex);
        if (!cur || s > cur.score) alone.set(owner.fileIndex, { score: s, range: owner.range });
      },
      onFailure: () => {},
    });
  } catch {
    // a refinement; the lexical ranking stands for these files without it
  }
  return { alone, files: new Set(owners.map((o) => o.fileIndex)).size, tokens };
}
