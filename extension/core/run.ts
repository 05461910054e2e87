// One question, start to end, for every entry point (CLI, panel, chat, language-model tool, MCP):
// the backend the configuration names, the run with its options, and the backend let go of.
// An entry point brings its file system, its hooks, and whatever it has that answers.
import { createBackend, runDeps, runOptions, type Backend, type BackendEnv } from './backend';
import type { FileSystem } from './files/fileSystem';
import type { GatherRoot } from './files/gather';
import { ask, type AskOptions, type AskResult } from './pipeline';
import type { RunConfig } from './config/runConfig';
import type { TokenCountCache } from './tokens/tokenCountCache';
import type { TokenizerPool } from './tokens/tokenizerPool';
import type { WarmIndex } from './warmIndex';

export interface RunEnv extends Omit<BackendEnv, 'signal' | 'onStatus'> {
  fs: FileSystem;
  tokenizerPool?: TokenizerPool;
  tokenCache?: TokenCountCache;
  index?: WarmIndex;
}

export interface RunHooks extends Pick<AskOptions, 'signal' | 'onProgress' | 'onRanking' | 'onAnswerDelta' | 'confirmScoring'> {
  /** A step that takes a while before the run starts (probing a server, loading a model). */
  onStatus?(text: string): void;
  /** What scores and what answers, once chosen, before any file is read. */
  onBackend?(backend: Backend): void;
}

export interface RunOutcome {
  result: AskResult;
  /** What scored and what answered, in one sentence. */
  description: string;
  /** The run's notes and the backend's, in that order. */
  notes: string[];
  /** A model will have written (or tried to write) an answer. */
  answered: boolean;
}

export async function runQuestion(config: RunConfig, question: string, roots: GatherRoot[], env: RunEnv, hooks: RunHooks = {}): Promise<RunOutcome> {
  const backend = await createBackend(config, { ...env, signal: hooks.signal, onStatus: hooks.onStatus });
  try {
    hooks.signal?.throwIfAborted();
    hooks.onBackend?.(backend);
    const result = await ask(
      {
        question,
        roots,
        ...runOptions(config, backend),
        signal: hooks.signal,
        onProgress: hooks.onProgress,
        onRanking: hooks.onRanking,
        onAnswerDelta: hooks.onAnswerDelta,
        confirmScoring: hooks.confirmScoring,
      },
      { fs: env.fs, tokenizer: env.tokenizer, tokenizerPool: env.tokenizerPool, tokenCache: env.tokenCache, index: env.index, ...runDeps(backend) },
    );
    return { result, description: backend.description, notes: [...result.notes, ...backend.notes], answered: answers(backend) };
  } finally {
    await backend.dispose();
  }
}

/** The backend writes an answer (a server, a local model, or the entry point's own model). */
export function answers(backend: Backend): boolean {
  return Boolean(backend.answerer || backend.answerEndpoint);
}
