import { CancelledError } from './cancelled';
import { modelPass } from './modelPass';
import { AnswerError, streamAnswer, type AnswerOptions } from './model/answer';
import type { Endpoint } from './model/endpoint';
import type { FileSystem } from './files/fileSystem';
import type { IndexSource, WarmIndex } from './warmIndex';
import { gather, type GatherOptions, type GatherRoot } from './files/gather';
import { combineScores, rankAllFiles, type RankingMode } from './lexical/fileRanking';
import { rankFilesLexicallyAsync } from './lexical/lexicalRanking';
import { condenseQuestion } from './lexical/question';
import type { Scorer } from './model/scorer';
import type { SegmentOptions } from './xl3m/segment';
import { answerBudget, selectLexicalContext } from './xl3m/select';
import type { Tokenizer } from './tokens/tokenizer';
import type { TokenCountCache } from './tokens/tokenCountCache';
import type { TokenizerPool } from './tokens/tokenizerPool';
import type { LineRange, Measure, ProgressListener, RankedFile, SkippedFile, SourceFile } from './types';
import { mayDefineNamed, namedDefinitions, namedIdentifiers } from './lexical/namedDefinitions';
import { ParsingAhead } from './structure/parseAhead';
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
  /** The model scores the best files of the lexical ranking up to this many tokens (0: every file); DEFAULTS.scoringTokens when absent. */
  scoringTokens?: number;
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
  /** A file watcher told what changed since the last question (a long-lived host on Linux): the files it vouched for were not stat'ed. */
  watched: boolean;
  /**
   * What the run started from: `new` (nothing kept: every file read and analysed), `memory` (what this
   * process kept from earlier questions), `disk` (an index a process wrote earlier); `none`: no index.
   */
  index: IndexSource | 'none';
  /** Seconds spent bringing the files up to date: listing, stat, reading and classifying what changed. */
  gatherSeconds: number;
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
  /** With a model: the files it scored (the best by the lexical ranking, within `scoringTokens`) and their tokens; 0 without one. */
  candidateFiles: number;
  candidateTokens: number;
  /** The question as the scoring prompts carry it: whole, or condensed to the lines with the most signal. */
  questionTokens: number;
  scoredQuestionTokens: number;
  segments: number;
  /** Segments sent to the scorer (fewer than `segments` with a BM25 pre-filter). */
  candidateSegments: number;
  scoredSegments: number;
  failedSegments: number;
  keyContextSegments: number;
  /** Tokens of the key context; 0 when no answer is written (without a model, none is chosen then). */
  keyContextTokens: number;
  /** Whether a model wrote (or was to write) an answer. */
  answered: boolean;
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

/** The whole run: gather, rank lexically, (tokenize, segment, score, fine pass, fuse), select, answer. */
export async function ask(options: AskOptions, deps: AskDeps): Promise<AskResult> {
  try {
    return await run(options, deps);
  } finally {
    // a long-lived host holds the files' words, not their texts: those this question read again
    // (its key context, the definitions it lists) are let go too (each file's as its words were made)
    deps.index?.files.letGoOfTexts();
  }
}

async function run(options: AskOptions, deps: AskDeps): Promise<AskResult> {
  const started = performance.now();
  const { signal, onProgress } = options;
  const question = options.question.trim();
  if (!question) throw new Error('the question is empty');
  const notes: string[] = [];
  const check = (stage: string) => {
    if (signal?.aborted) throw new CancelledError(stage);
  };

  const indexSource = deps.index?.source ?? 'none';
  if (deps.index) notes.push(...deps.index.takeNotes());
  const gatherStarted = performance.now();
  const gathered = await gather(deps.fs, options.roots, {
    ...options.gather,
    signal,
    onProgress,
    cache: deps.index?.files,
    folders: deps.index?.folders,
    changes: deps.index?.changes,
  }).catch((err) => {
    check('gathering files');
    throw err;
  });
  check('gathering files');
  // what the gather found wrong with the index (its file watcher stopped, say), said now
  if (deps.index) notes.push(...deps.index.takeNotes());
  const gatherSeconds = (performance.now() - gatherStarted) / 1000;
  if (gathered.files.length === 0) throw new Error(`no text files to read (${gathered.skipped.length} skipped)`);

  const rankingStarted = performance.now();
  const lexical = await rankFilesLexicallyAsync(gathered.files, question, undefined, signal, deps.index?.lexical, (analysed, toAnalyse) => {
    const seconds = (performance.now() - rankingStarted) / 1000;
    onProgress?.({ stage: 'rank', files: gathered.files.length, analysed, toAnalyse, filesPerSecond: seconds > 0 ? analysed / seconds : 0 });
  }).catch((err) => {
    check('ranking files');
    throw err;
  });
  // a grammar that could not load (its files' declarations come from patterns), the structure process failing
  notes.push(...lexical.notes);
  const rankingSeconds = (performance.now() - rankingStarted) / 1000;
  onProgress?.({ stage: 'rank', files: gathered.files.length });
  check('ranking files');
  if (deps.index) deps.index.source = 'memory';

  // The answer model reads the question whole unless it would crowd out the key context: then it
  // reads the condensed question too, capped at a quarter of its window.
  const contextWindow = options.contextWindow ?? DEFAULTS.contextWindow;
  const answerQuestion = condenseQuestion(question, Math.max(1024, Math.floor(contextWindow / 4)), deps.tokenizer, lexical.idf);
  const questionTokens = answerQuestion.originalTokens;
  // whether a model will write an answer: only then is there a question it reads, and lines it reads
  const answering = Boolean(answererOf(deps));
  if (answering && answerQuestion.tokens < answerQuestion.originalTokens) {
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
  const scored = deps.scorer ? await modelPass({ scorer: deps.scorer, files: gathered.files, question, lexical, budget, pinned }, options, deps) : undefined;
  if (scored) notes.push(...scored.notes);
  if (!scored && lexical.files.every((e) => e.score === 0)) {
    notes.push(`no file holds a word of the question: nothing matched, and the files are listed in path order, not by relevance`);
  }
  const bytes = gathered.files.reduce((a, f) => a + f.bytes, 0);

  let context: { text: string; tokens: number; ranges: ReadonlyMap<number, LineRange[]>; segments: number };
  let scores: number[];
  if (scored) {
    scores = combineScores(lexical.files, scored.modelScores, options.ranking ?? DEFAULTS.ranking);
    context = { ...scored.context, segments: scored.context.segments.length };
  } else {
    scores = lexical.files.map((e) => e.score);
    // nothing will read a key context when no answer is written: its files are not read again nor their lines counted
    context = answering
      ? {
          ...selectLexicalContext(gathered.files, lexical.files, scores, { budget, pinned, tokenizer: deps.tokenizer, tokenCache: deps.tokenCache }),
          segments: 0,
        }
      : { text: '', tokens: 0, ranges: new Map(), segments: 0 };
    check('selecting the key context');
  }
  onProgress?.({ stage: 'select', segments: context.segments, tokens: context.tokens, budget });
  const files = rankAllFiles({
    files: gathered.files,
    lexical: lexical.files,
    scores,
    keyContext: answering ? context.ranges : new Map(),
    pinned,
    modelScores: scored?.modelScores,
    modelRanges: scored?.modelRanges,
  });
  notes.push(...(await markNamedDefinitions(files, gathered.files, question)).filter((n) => !notes.includes(n)));
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
      watched: gathered.watched,
      index: indexSource,
      gatherSeconds,
      bytes,
      tokens: scored?.tokens ?? Math.round(gathered.files.reduce((a, f) => a + (f.chars ?? f.text.length), 0) / 4),
      tokensEstimated: !scored || scored.tokensEstimated,
      rankingSeconds,
      scoreMethod: scored ? (options.ranking ?? DEFAULTS.ranking) : 'lexical',
      finePassFiles: scored?.finePassFiles ?? 0,
      finePassTokens: scored?.finePassTokens ?? 0,
      scoredTokens: scored?.scoredTokens ?? 0,
      candidateFiles: scored?.candidateFiles ?? 0,
      candidateTokens: scored?.candidateTokens ?? 0,
      questionTokens,
      scoredQuestionTokens: scored?.scoredQuestionTokens ?? 0,
      segments: scored?.segments.length ?? 0,
      candidateSegments: scored?.candidates ?? 0,
      scoredSegments: scored?.scoredSegments ?? 0,
      failedSegments: scored?.failedSegments ?? 0,
      keyContextSegments: context.segments,
      keyContextTokens: context.tokens,
      answered: answering,
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

async function answerStage(
  keyContext: string,
  question: string,
  options: AskOptions,
  deps: AskDeps,
  signal: AbortSignal | undefined,
): Promise<{ answer: string; partial?: string }> {
  let answer = '';
  let partial: string | undefined;
  const answerer = answererOf(deps);
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

/** Listed files (the first this many) say which definitions of names the question names they hold. */
const DEFINITIONS_LISTED = 50;

/** Marks the listed files' definitions of the names the question names; what went wrong reading their trees, if anything. */
async function markNamedDefinitions(files: RankedFile[], sources: readonly SourceFile[], question: string): Promise<string[]> {
  const named = namedIdentifiers(question);
  if (named.size === 0) return [];
  const byPath = new Map(sources.map((f) => [f.path, f]));
  const listed = files.slice(0, DEFINITIONS_LISTED).flatMap((f) => {
    const source = byPath.get(f.path);
    return source ? [{ ranked: f, source }] : [];
  });
  // the syntax trees of the listed files that hold a name, read in the structure process (else here)
  const ahead = await ParsingAhead.start(listed.map((l) => l.source).filter((s) => mayDefineNamed(s, named)));
  try {
    await ahead.all();
    for (const { ranked, source } of listed) {
      const definitions = namedDefinitions(source, named);
      if (definitions.length) ranked.definitions = definitions;
    }
    return ahead.problems;
  } finally {
    ahead.dispose();
  }
}

export { CancelledError } from './cancelled';
export { DEFAULT_REFINE_TOP } from './modelPass';

/** What writes the answer: the entry point's or the backend's answerer, or the answer endpoint; none: no answer. */
function answererOf(deps: AskDeps) {
  return deps.answerer ?? (deps.answerEndpoint && ((text: string, q: string, o: AnswerOptions) => streamAnswer(deps.answerEndpoint!, text, q, o)));
}
