// An in-process llama.cpp model (node-llama-cpp), for users with a GGUF file and no server: the
// question's log-probabilities after each segment come from `controlledEvaluate`, the answer from a
// chat session on the same model. llama.cpp computes on its own threads, not the caller's.
import { basename } from 'node:path';
import { ANSWER_INSTRUCTIONS } from '../answer';
import { entropyFromProbabilities, questionCertainty } from '../../xl3m/certainty';
import { QUESTION_LEAD, type Scorer, type ScoreOptions, type ScoreRequest, type ScorerStats } from '../scorer';
import type { Tokenizer } from '../../tokens/tokenizer';
import type { Certainty } from '../../types';
import type { LocalRuntime } from './runtime';

/* eslint-disable @typescript-eslint/no-explicit-any -- node-llama-cpp's own types brand token ids and
   need its ESM types at build time; this module passes raw ids and is tested against the real library. */
// node-llama-cpp is an ES module with top-level await: it is loaded with a real `import()`, which a
// CommonJS bundle would otherwise turn into `require()`.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

export interface LocalModelOptions {
  /** Tokens of context; a segment, the lead and the question must fit. */
  contextSize?: number;
  /** CPU threads (default: llama.cpp's choice). */
  threads?: number;
}

/** Source text of the usual kinds, to compare the model's tokenizer with the core's. */
export const TOKENIZER_SAMPLE = `import { readFile } from 'node:fs/promises';

/** Loads the user's settings and fills in the defaults. */
export async function loadSettings(path: string): Promise<Settings> {
  const text = await readFile(path, 'utf8');
  const parsed = JSON.parse(text) as Partial<Settings>;
  return { timeoutMs: 30_000, retries: 3, ...parsed };
}

def parse_header(line):
    key, _, value = line.partition(":")
    return key.strip().lower(), value.strip()

The server answers with a list of results; each result has a score between 0 and 1.
`;

/**
 * Segment, window and answer sizes, counted with the core's tokenizer, that fit a local context of
 * `model.contextSize` model tokens: half of it for a scored segment, a quarter for the answer. How
 * many model tokens a core token is worth is measured on TOKENIZER_SAMPLE (a small vocabulary can
 * need several per tiktoken token); a quarter more is kept in hand for text that tokenizes worse.
 */
export function localModelLimits(
  model: { contextSize: number; sampleTokens: number },
  tokenizer: Tokenizer,
): { segmentTokens: number; contextWindow: number; answerReserve: number } {
  const perCoreToken = Math.max(1, model.sampleTokens / tokenizer.count(TOKENIZER_SAMPLE)) * 1.25;
  const fit = (share: number) => Math.floor((model.contextSize * share) / perCoreToken);
  return { segmentTokens: fit(1 / 2), contextWindow: fit(1), answerReserve: fit(1 / 4) };
}

export class LocalModel implements LocalRuntime {
  private constructor(
    readonly path: string,
    private readonly llama: any,
    private readonly model: any,
    private readonly context: any,
    private readonly sequence: any,
    readonly contextSize: number,
  ) {}

  static async load(path: string, options: LocalModelOptions = {}): Promise<LocalModel> {
    const { getLlama } = await importModule('node-llama-cpp');
    const llama = await getLlama({ gpu: false, logLevel: 'error' });
    const model = await llama.loadModel({ modelPath: path });
    const contextSize = Math.min(options.contextSize ?? 4096, model.trainContextSize ?? Infinity);
    const context = await model.createContext({ contextSize, ...(options.threads ? { threads: options.threads } : {}) });
    return new LocalModel(path, llama, model, context, context.getSequence(), contextSize);
  }

  get name() {
    return basename(this.path);
  }

  scorer(): Scorer {
    return new LocalScorer(this);
  }

  /** Model tokens in TOKENIZER_SAMPLE. */
  get sampleTokens(): number {
    return this.tokenize(TOKENIZER_SAMPLE).length;
  }

  tokenize(text: string): number[] {
    return this.model.tokenize(text);
  }

  /** `[BOS][context][lead]` then the question's tokens, exactly as they are scored. */
  promptTokens(context: string, question: string): { tokens: number[]; questionStart: number } {
    const bos = this.model.tokens?.bos;
    const prefix = [...(bos !== undefined && bos !== null ? [bos] : []), ...this.tokenize(context + QUESTION_LEAD)];
    return { tokens: [...prefix, ...this.tokenize(question)], questionStart: prefix.length };
  }

  /**
   * Log-probability and entropy of the full next-token distribution at each question position,
   * from one evaluation of the whole prompt.
   */
  async questionDistribution(context: string, question: string): Promise<{ logprobs: number[]; entropies: number[]; promptTokens: number }> {
    const { tokens, questionStart } = this.promptTokens(context, question);
    if (tokens.length > this.contextSize)
      throw new Error(`the prompt has ${tokens.length} tokens, more than the local context of ${this.contextSize}: lower the segment length`);
    await this.sequence.clearHistory();
    const input = tokens.map((t, i) => (i >= questionStart - 1 && i < tokens.length - 1 ? [t, { generateNext: { probabilities: true } }] : t));
    const output = await this.sequence.controlledEvaluate(input);
    const logprobs: number[] = [];
    const entropies: number[] = [];
    for (let i = questionStart; i < tokens.length; i++) {
      const probabilities: Map<number, number> | undefined = output[i - 1]?.next?.probabilities;
      if (!probabilities) throw new Error(`no probabilities at position ${i - 1}`);
      logprobs.push(Math.log(probabilities.get(tokens[i]!) ?? 0));
      entropies.push(entropyFromProbabilities(probabilities.values()));
    }
    return { logprobs, entropies, promptTokens: tokens.length };
  }

  /** The question's certainty after `context`, as every scorer reports it. */
  async certainty(context: string, question: string): Promise<{ certainty: Certainty; promptTokens: number }> {
    const d = await this.questionDistribution(context, question);
    const certainty: Certainty = { ...questionCertainty(d.logprobs), meanEntropy: d.entropies.reduce((a, b) => a + b, 0) / d.entropies.length };
    return { certainty, promptTokens: d.promptTokens };
  }

  /** The next-token probabilities after each of `tokens`, evaluated one token at a time (for checks). */
  async stepwiseProbabilities(tokens: number[]): Promise<Map<number, number>[]> {
    await this.sequence.clearHistory();
    const out: Map<number, number>[] = [];
    for (const t of tokens) {
      const [r] = await this.sequence.controlledEvaluate([[t, { generateNext: { probabilities: true } }]]);
      out.push(r.next.probabilities);
    }
    return out;
  }

  /** Plain prompt evaluation of `tokens`, as llama.cpp does it with nothing read back (the speed reference). */
  async evaluateOnly(tokens: number[]): Promise<void> {
    await this.sequence.clearHistory();
    await this.sequence.evaluateWithoutGeneratingNewTokens(tokens);
  }

  async answer(
    keyContext: string,
    question: string,
    options: { signal?: AbortSignal; maxTokens?: number; onDelta?(text: string): void } = {},
  ): Promise<string> {
    const { LlamaChatSession } = await importModule('node-llama-cpp');
    await this.sequence.clearHistory();
    const session = new LlamaChatSession({ contextSequence: this.sequence, systemPrompt: ANSWER_INSTRUCTIONS });
    try {
      return await session.prompt(`${keyContext}\n\nQuestion: ${question}`, {
        maxTokens: options.maxTokens ?? 512,
        signal: options.signal,
        stopOnAbortSignal: true,
        onTextChunk: (text: string) => options.onDelta?.(text),
      });
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }

  async dispose() {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}

/** Scores segments one after another on the local model's single sequence. */
export class LocalScorer implements Scorer {
  readonly stats: ScorerStats = { requests: 0, attempts: 0, promptTokens: 0 };

  constructor(private readonly model: LocalModel) {}

  get description() {
    return `prompt log-probabilities from the local model ${this.model.name} (llama.cpp, in process)`;
  }

  async score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void> {
    for (const r of requests) {
      options.signal?.throwIfAborted();
      this.stats.requests++;
      this.stats.attempts++;
      try {
        const { certainty, promptTokens } = await this.model.certainty(r.text, question);
        this.stats.promptTokens += promptTokens;
        options.onResult(r.index, certainty);
      } catch (err) {
        options.onFailure(r.index, err as Error);
      }
    }
    options.signal?.throwIfAborted();
  }
}
