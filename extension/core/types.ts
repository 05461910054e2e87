import type { FileKind } from './files/fileKind';

// Data that flows through the pipeline: gather -> tokenize -> segment -> score -> select -> answer.

/** A text file of the workspace, as read once by the gatherer. */
export interface SourceFile {
  /** Path relative to its root, with `/` separators; prefixed by the root's name in multi-root runs. */
  path: string;
  /** Absolute path on disk (or URI path for non-local file systems). */
  absPath: string;
  /** Content with line endings normalised to `\n` (line numbers are unchanged by this). */
  text: string;
  bytes: number;
  /** `text.length`, where it is known without reading the file (a file restored from the disk index reads its text when first asked). */
  chars?: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

/** 1-based, inclusive. */
export interface LineRange {
  start: number;
  end: number;
}

/** A file after tokenization: token count per line, computed once. */
export interface TokenizedFile {
  file: SourceFile;
  /** `lines[i]` is line i+1, without its newline. Split from the text on each read: read it once per use. */
  readonly lines: string[];
  /** Tokens of each line including its newline. */
  lineTokens: Uint32Array;
  tokens: number;
}

export interface SegmentPiece extends LineRange {
  /** Index into the tokenized file list (repository order). */
  fileIndex: number;
  path: string;
  tokens: number;
}

export interface Segment {
  index: number;
  /** The text sent to the scorer: each piece introduced by a header naming its path and lines. Built on each read. */
  readonly text: string;
  tokens: number;
  pieces: SegmentPiece[];
}

export type Measure = 'nll' | 'entropy' | 'contrast';

/** What a scorer measured for one `[segment][question]` prompt. */
export interface Certainty {
  /** Mean negative log-likelihood of the question tokens (nats/token), where prompt log-probs exist. */
  meanNll?: number;
  /** Mean entropy of the predicted distribution at the question positions, estimated from top-k. */
  meanEntropy?: number;
  /** Yes/No judgement: p(yes) / (p(yes) + p(no)), for servers with generated-token log-probs only. */
  yesProbability?: number;
  /** Entropy of the next-token distribution after `[segment][question]` (second fallback). */
  nextTokenEntropy?: number;
  /** BM25 score, when no model is configured. */
  lexical?: number;
  /** Number of question tokens that were scored (0 for the judgement methods). */
  questionTokens: number;
  /** Log-probabilities that came back as -inf / -9999 / NaN / missing and were floored. */
  flooredTokens: number;
}

export interface RankedFile {
  path: string;
  /** Where the file is (absolute path or URI, as the FileSystem named it). */
  location: string;
  /** Higher = more relevant: the lexical score, or the fused one when a model scored (see `scoreMethod` in the run's stats). */
  score: number;
  /** The file's own score from the model's certainty (higher = more certain), where the model scored it alone. */
  modelScore?: number;
  /** The score relative to the run's best file, 0-1: what a person reads. */
  relevance: number;
  kind: FileKind;
  /** The file's best lines: those in the key context when it is there, else its best-matching ones. */
  ranges: LineRange[];
  /** Its lines are in the key context the answer is written from. */
  inKeyContext: boolean;
  /** The question names the file (a traceback frame, a module path). */
  mentioned?: boolean;
  /** The definitions in the file of names the question names (listed files only). */
  definitions?: { name: string; kind: string; line: number }[];
  pinned?: boolean;
}

export type ProgressEvent =
  /** `read` of the `toRead` files that are new or changed since the index was last brought up to date (all of them in a first build), at `filesPerSecond`. */
  | { stage: 'gather'; files: number; skipped: number; bytes: number; read: number; toRead: number; filesPerSecond: number }
  /** The files ranked; while a first build (or many changed files) analyses their words, `analysed` of `toAnalyse` at `filesPerSecond`. */
  | { stage: 'rank'; files: number; analysed?: number; toAnalyse?: number; filesPerSecond?: number }
  | { stage: 'segment'; files: number; tokens: number; segments: number }
  | { stage: 'score'; done: number; failed: number; total: number; tokensPerSecond: number; etaSeconds?: number }
  | { stage: 'select'; segments: number; tokens: number; budget: number }
  | { stage: 'answer'; characters: number };

export type ProgressListener = (event: ProgressEvent) => void;
