import type { SourceFile, TokenizedFile } from './types';

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

/**
 * Splits a file into lines and counts each line's tokens (with its newline), once. Counting line by
 * line costs ~20% more than whole files and differs from the whole-file count by ~0.2%, measured on
 * 22 MB of JavaScript; it gives exact costs for cutting segments at line boundaries.
 */
export function tokenizeFile(file: SourceFile, tokenizer: Tokenizer): TokenizedFile {
  const lines = file.text.split('\n');
  // A trailing newline ends the last line; it does not start another.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const lineTokens = new Uint32Array(lines.length);
  let tokens = 0;
  for (let i = 0; i < lines.length; i++) {
    const n = tokenizer.count(lines[i] + '\n');
    lineTokens[i] = n;
    tokens += n;
  }
  return { file, lines, lineTokens, tokens };
}
