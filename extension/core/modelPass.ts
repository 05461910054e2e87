// XL3M with a model: every file tokenized (from the count cache, on worker threads or here),
// segmented, every segment scored (the coarse pass), the files of the best shared segments scored
// alone (the fine pass), and the key context selected from the certainties.
import { CancelledError } from './cancelled';
import { bm25Prefilter } from './lexical/bm25';
import { modelFileScores } from './lexical/fileRanking';
import type { LexicalRanking } from './lexical/lexicalRanking';
import { condenseQuestion } from './lexical/question';
import type { Scorer, ScoreRequest } from './model/scorer';
import { DEFAULTS } from './options';
import type { AskDeps, AskOptions } from './pipeline';
import { tokenizeFile } from './tokens/tokenizer';
import type { Certainty, LineRange, Measure, Segment, SourceFile, TokenizedFile } from './types';
import { relevance } from './xl3m/certainty';
import { pieceText, segment } from './xl3m/segment';
import { selectKeyContext, type KeyContext } from './xl3m/select';

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
  return out;
}

/** The files the model scores, in repository order, tokenized; and every file's tokens, counted where tokenized. */
interface Candidates {
  /** Indices into the gathered files, ascending. */
  indices: number[];
  tokenized: TokenizedFile[];
  /** Tokens of every gathered file: counted for those tokenized, estimated (characters / 4) for the rest. */
  tokens: number;
  tokensEstimated: boolean;
}

/** A file's tokens before it is tokenized: about four characters a token, for code and prose alike. */
const estimatedTokens = (f: SourceFile) => Math.ceil((f.chars ?? f.text.length) / 4);

/**
 * The best files by the lexical ranking (the pinned ones first) whose tokens fit the budget: a
 * file that does not fit is passed over for the next, smaller ones. Files are tokenized batch by
 * batch, each batch about what the budget has left, so that a big repository is not tokenized
 * whole. A budget of 0, or one the whole repository fits, takes every file.
 */
async function scoringCandidates(
  files: SourceFile[],
  lexical: LexicalRanking,
  pinned: ReadonlySet<string>,
  budget: number,
  deps: AskDeps,
  signal: AbortSignal | undefined,
): Promise<Candidates> {
  const estimated = files.map(estimatedTokens);
  const estimatedTotal = estimated.reduce((a, b) => a + b, 0);
  if (budget <= 0 || estimatedTotal <= budget) {
    const tokenized = await tokenizeAll(files, deps, signal);
    return { indices: files.map((_, i) => i), tokenized, tokens: tokenized.reduce((a, f) => a + f.tokens, 0), tokensEstimated: false };
  }
  const order = files
    .map((_, i) => i)
    .sort((a, b) => Number(pinned.has(files[b]!.path)) - Number(pinned.has(files[a]!.path)) || lexical.files[b]!.score - lexical.files[a]!.score || a - b);
  const counted = new Map<number, TokenizedFile>();
  const chosen: number[] = [];
  let used = 0;
  let next = 0;
  while (next < order.length && budget - used >= MIN_CANDIDATE_TOKENS) {
    const batch: number[] = [];
    let guess = 0;
    while (next < order.length && (batch.length === 0 || guess < budget - used)) {
      batch.push(order[next]!);
      guess += estimated[order[next]!]!;
      next++;
    }
    const tokenized = await tokenizeAll(
      batch.map((i) => files[i]!),
      deps,
      signal,
    );
    let added = 0;
    batch.forEach((i, k) => {
      const tf = tokenized[k]!;
      counted.set(i, tf);
      if (used + tf.tokens <= budget || chosen.length === 0 || pinned.has(files[i]!.path)) {
        chosen.push(i);
        used += tf.tokens;
        added++;
      }
    });
    // a batch none of whose files fit: what is left of the budget is too small for the files that follow (not a reason to tokenize them all)
    if (added === 0) break;
  }
  chosen.sort((a, b) => a - b);
  let tokens = 0;
  files.forEach((_, i) => (tokens += counted.get(i)?.tokens ?? estimated[i]!));
  return { indices: chosen, tokenized: chosen.map((i) => counted.get(i)!), tokens, tokensEstimated: counted.size < files.length };
}

const count = (n: number) => n.toLocaleString('en-US');

/** Below this many tokens left, the budget is full. */
const MIN_CANDIDATE_TOKENS = 64;

export interface ModelScoring {
  /** Tokens of every gathered file (estimated for those the budget left untokenized: `tokensEstimated`). */
  tokens: number;
  tokensEstimated: boolean;
  /** The files the model scored (the best by the lexical ranking within the scoring budget) and their tokens. */
  candidateFiles: number;
  candidateTokens: number;
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
  /** What the run should tell the user (the scoring model read the question condensed). */
  notes: string[];
}

/** What the model pass works on: the gathered files, the question as asked, their lexical ranking, the key context's budget and pins. */
export interface ModelPassInput {
  scorer: Scorer;
  files: SourceFile[];
  question: string;
  lexical: LexicalRanking;
  budget: number;
  pinned: ReadonlySet<string>;
}

/** Tokenize, segment, score every segment (the coarse pass), score the files of the best shared segments alone (the fine pass), select the key context. */
export async function modelPass(input: ModelPassInput, options: AskOptions, deps: AskDeps): Promise<ModelScoring> {
  const { scorer, files: gatheredFiles, question: fullQuestion, lexical, budget, pinned } = input;
  const { signal, onProgress } = options;
  const notes: string[] = [];
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

  const chosen = await scoringCandidates(gatheredFiles, lexical, pinned, options.scoringTokens ?? DEFAULTS.scoringTokens, deps, signal).catch((err) => {
    check('tokenizing');
    throw err;
  });
  check('tokenizing');
  deps.tokenCache?.retainOnly(gatheredFiles);
  const { tokenized, tokens } = chosen;
  // the model's file indices are the candidates'; `original` turns them back into the gathered files'
  const original = <T>(maps: ReadonlyMap<number, T>) => new Map([...maps].map(([k, v]) => [chosen.indices[k]!, v]));
  const candidateTokens = tokenized.reduce((a, f) => a + f.tokens, 0);
  if (chosen.indices.length < gatheredFiles.length) {
    notes.push(
      `the model scored the best ${chosen.indices.length} of ${gatheredFiles.length} files by the lexical ranking, ${count(candidateTokens)} of ${chosen.tokensEstimated ? 'about ' : ''}${count(tokens)} tokens (the scoring budget: ${count(options.scoringTokens ?? DEFAULTS.scoringTokens)}); the rest keep their lexical rank`,
    );
  }
  const segments = segment(tokenized, deps.tokenizer, options.segment);
  onProgress?.({ stage: 'segment', files: tokenized.length, tokens: candidateTokens, segments: segments.length });
  if (options.confirmScoring && !(await options.confirmScoring({ segments: segments.length, tokens: candidateTokens })))
    throw new CancelledError('confirming the run');
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
    : await finePass({ scorer, files: tokenized, segments, scores, top: options.refineTop ?? DEFAULT_REFINE_TOP, question, measure, topK, baseline, signal });
  const modelScores = original(modelFileScores(segments, scores, new Map([...fine.alone].map(([i, a]) => [i, a.score]))));
  const modelRanges = original(bestModelRanges(segments, scores, fine.alone));
  return {
    tokens,
    tokensEstimated: chosen.tokensEstimated,
    candidateFiles: chosen.indices.length,
    candidateTokens,
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
    context: { ...context, ranges: original(context.ranges) },
    ...(partial ? { partial } : {}),
    notes,
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
async function finePass(o: {
  scorer: Scorer;
  files: TokenizedFile[];
  segments: Segment[];
  scores: ReadonlyArray<number | undefined>;
  /** Shared segments whose files are scored alone: the best this many. */
  top: number;
  question: string;
  measure: Measure;
  topK: number;
  baseline: Certainty | undefined;
  signal?: AbortSignal;
}): Promise<{ alone: Map<number, { score: number; range: LineRange }>; files: number; tokens: number }> {
  const { scorer, files, segments, scores, top, question, measure, topK, baseline, signal } = o;
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
