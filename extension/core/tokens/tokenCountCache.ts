// Token counts kept between questions on the same workspace: a file whose text has not changed is
// not tokenized again. Keyed by path and a hash of the text; holds counts, never texts.
import { createHash } from 'node:crypto';
import { countLineTokens, holdsRange, splitLines, tokenizedFile, tokenizeFile, type Tokenizer } from './tokenizer';
import type { SourceFile, TokenizedFile } from '../types';

interface Entry {
  hash: string;
  lineTokens: Uint32Array;
  tokens: number;
  /** Set where only some runs of lines are counted (the key context's ranges): 1 on each counted line. */
  counted?: Uint8Array;
}

export class TokenCountCache {
  private entries = new Map<string, Entry>();

  /** The key of a file's text; compute once per run and pass to `get` and `set`. */
  hash(file: SourceFile): string {
    return createHash('sha1').update(file.text).digest('base64');
  }

  get(file: SourceFile, hash: string): TokenizedFile | undefined {
    const e = this.entries.get(file.absPath);
    if (e?.hash !== hash || e.counted) return undefined;
    return tokenizedFile(file, e.lineTokens, e.tokens);
  }

  set(tf: TokenizedFile, hash: string) {
    this.entries.set(tf.file.absPath, { hash, lineTokens: tf.lineTokens, tokens: tf.tokens });
  }

  /** The file's counts: kept ones while its text is unchanged, else counted now and kept. */
  tokenize(file: SourceFile, tokenizer: Tokenizer): TokenizedFile {
    const hash = this.hash(file);
    const kept = this.get(file, hash);
    if (kept) return kept;
    const tf = tokenizeFile(file, tokenizer);
    this.set(tf, hash);
    return tf;
  }

  /**
   * The counts of the lines in these ranges (as `tokenizeRanges`), the runs counted earlier kept:
   * a file read again in the same ranges is not tokenized again. Whole-file counts, where kept,
   * serve as they are.
   */
  tokenizeRanges(file: SourceFile, tokenizer: Tokenizer, ranges: readonly { start: number; end: number }[]): TokenizedFile {
    const hash = this.hash(file);
    const kept = this.entries.get(file.absPath);
    const e = kept?.hash === hash ? kept : undefined;
    if (e && !e.counted) return tokenizedFile(file, e.lineTokens, e.tokens);
    const lines = splitLines(file.text);
    const counted = e?.counted ?? new Uint8Array(lines.length);
    const { lineTokens } = countLineTokens(
      lines,
      tokenizer,
      (start, end) => {
        if (counted[start] || !holdsRange(ranges, start, end)) return false;
        counted.fill(1, start, end);
        return true;
      },
      e?.lineTokens,
    );
    // (its total is not known: `get` and `tokenize` never hand out such an entry)
    this.entries.set(file.absPath, { hash, lineTokens, tokens: 0, counted });
    return tokenizedFile(file, lineTokens, 0);
  }

  /** Forgets files that are no longer in the workspace (or no longer gathered). */
  retainOnly(files: readonly SourceFile[]) {
    const keep = new Map<string, Entry>();
    for (const f of files) {
      const e = this.entries.get(f.absPath);
      if (e) keep.set(f.absPath, e);
    }
    this.entries = keep;
  }

  get size(): number {
    return this.entries.size;
  }
}
