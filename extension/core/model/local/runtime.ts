// A GGUF model on this machine, however it is run: in the calling process (`LocalModel`, the CLI)
// or in a child process (`LocalModelProcess`, the extension host). The run assembly sees only this.
import type { Scorer } from '../scorer';

export interface LocalRuntime {
  /** The model file's name. */
  readonly name: string;
  /** Tokens of context the model was loaded with. */
  readonly contextSize: number;
  /** Model tokens in TOKENIZER_SAMPLE (see `localModelLimits`). */
  readonly sampleTokens: number;
  scorer(): Scorer;
  answer(keyContext: string, question: string, options?: { signal?: AbortSignal; maxTokens?: number; onDelta?(text: string): void }): Promise<string>;
}
