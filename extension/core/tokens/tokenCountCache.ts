// Token counts kept between questions on the same workspace: a file whose text has not changed is
// not tokenized again. Keyed by path and a hash of the text; holds counts, never texts.
import { createHash } from 'node:crypto';
import { tokenizedFile, tokenizeFile, type Tokenizer } from './tokenizer';
import type { SourceFile, TokenizedFile } from '../types';

interface Entry {
  hash: string;
  lineTokens: Uint32Array;
  tokens: number;
}

export class TokenCountCache {
  private entries = new Map<string, Entry>();

  /** The key of a file's text; compute once per run and pass to `get` and `set`. */
  hash(file: SourceFile): string {
    return createHash('sha1').update(file.text).digest('base64');
  }

  get(file: SourceFile, hash: string): TokenizedFile | undefined {
    const e = this.entries.get(file.absPath);
    if (e?.hash !== hash) return undefined;
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
