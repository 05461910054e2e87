import type { SourceFile, TokenizedFile } from '../types';

/** Counts tokens. tiktoken by default; a server's own tokenizer where exact counts matter. */
export interface Tokenizer {
  readonly name: string;
  count(text: string): number;
}

type Encoding = { encode_ordinary(text: string): Uint32Array; free(): void };

/**
 * tiktoken's WASM build. Loaded on first use: it costs ~100 ms and 5 MB, which a
 * VS Code activation must not pay. When bundled, `tiktoken_bg.wasm` must sit next to the bundle.
 */
export class TiktokenTokenizer implements Tokenizer {
  private encoding: Encoding | undefined;
  constructor(readonly name: 'cl100k_base' | 'o200k_base' = 'cl100k_base') {}

  count(text: string): number {
    if (!this.encoding) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { get_encoding } = require('tiktoken') as { get_encoding(name: string): Encoding };
      this.encoding = get_encoding(this.name);
    }
    return this.encoding.encode_ordinary(text).length;
  }

  dispose() {
    this.encoding?.free();
    this.encoding = undefined;
  }
}

/** Characters counted in one tokenizer call: whole runs of lines, not one line at a time. */
const RUN_CHARS = 4096;

/**
 * A line longer than a run is counted in slices of this many characters. BPE's merges are
 * quadratic in the length of a piece with no space in it: one 100,000-character line took 7 s,
 * in slices 0.1 s (a slice boundary can split a token: a count off by at most one per slice).
 */
const LONG_LINE_SLICE = 1024;

function countRun(text: string, tokenizer: Tokenizer): number {
  if (text.length <= RUN_CHARS) return tokenizer.count(text);
  let n = 0;
  for (let i = 0; i < text.length; i += LONG_LINE_SLICE) n += tokenizer.count(text.slice(i, i + LONG_LINE_SLICE));
  return n;
}

/** A file's lines; a trailing newline ends the last line, it does not start another. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Counts tokens once per run of lines (a run is up to ~4 KB of whole lines): exact per run, and
 * shared among the run's lines by their length. Counting line by line was exact per line but cost
 * 20-45% more than tiktoken on whole files (BENCHMARKS.md); the per-line figures only place segment
 * cuts, which the run totals keep honest.
 */
export function countLineTokens(
  lines: readonly string[],
  tokenizer: Tokenizer,
  /** Only the runs of lines [start, end) (0-based) it says yes to are counted; the other lines' counts are left as they were (0). */
  wanted?: (start: number, end: number) => boolean,
  /** Where the counts go (counts of other runs made earlier stay). */
  lineTokens: Uint32Array = new Uint32Array(lines.length),
): { lineTokens: Uint32Array; tokens: number } {
  let tokens = 0;
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let chars = 0;
    do chars += lines[end++]!.length + 1;
    while (end < lines.length && chars + lines[end]!.length + 1 <= RUN_CHARS);
    // the runs are the same whichever are counted: a line's count does not depend on what else is asked
    if (wanted && !wanted(start, end)) {
      start = end;
      continue;
    }
    let text = '';
    for (let i = start; i < end; i++) text += lines[i] + '\n';
    const n = countRun(text, tokenizer);
    // share n among the lines by length, every line at least one token (its newline), summing to n
    let given = 0;
    let seen = 0;
    for (let i = start; i < end; i++) {
      seen += lines[i]!.length + 1;
      const upTo = Math.max(Math.round((n * seen) / chars), given + 1);
      lineTokens[i] = upTo - given;
      given = upTo;
    }
    tokens += given; // n, or a little more where the one-token floor applied
    start = end;
  }
  return { lineTokens, tokens };
}

/**
 * A file with its counts. Its lines are split from the text when asked for, not held: over a
 * 20M-token run the line strings weighed as much as the texts.
 */
export function tokenizedFile(file: SourceFile, lineTokens: Uint32Array, tokens: number): TokenizedFile {
  return {
    file,
    lineTokens,
    tokens,
    get lines() {
      return splitLines(file.text);
    },
  };
}

/**
 * The counts of the lines in these ranges (1-based, inclusive) only, each what `tokenizeFile`
 * gives it: the runs of lines that hold none are not counted (0), nor is the file's total
 * (`tokens` covers the counted runs alone). For the key context, which reads a few ranges of a
 * file: a long file's other lines cost nothing.
 */
export function tokenizeRanges(file: SourceFile, tokenizer: Tokenizer, ranges: readonly { start: number; end: number }[]): TokenizedFile {
  const { lineTokens, tokens } = countLineTokens(splitLines(file.text), tokenizer, (start, end) => holdsRange(ranges, start, end));
  return tokenizedFile(file, lineTokens, tokens);
}

/** Whether lines [start, end) (0-based) hold a line of one of the ranges (1-based, inclusive). */
export function holdsRange(ranges: readonly { start: number; end: number }[], start: number, end: number): boolean {
  return ranges.some((r) => r.start - 1 < end && r.end - 1 >= start);
}

export function tokenizeFile(file: SourceFile, tokenizer: Tokenizer): TokenizedFile {
  const { lineTokens, tokens } = countLineTokens(splitLines(file.text), tokenizer);
  return tokenizedFile(file, lineTokens, tokens);
}
