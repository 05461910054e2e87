// Tokenizing on every core: tiktoken's WASM is single-threaded and was the floor of ingestion
// (BENCHMARKS.md), so files are counted by worker threads, each with its own tiktoken, in batches
// of about BATCH_CHARS that a free worker takes in turn. Results are exactly what `tokenizeFile`
// gives on the calling thread.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { tokenizedFile, type TiktokenTokenizer } from './tokenizer';
import type { SourceFile, TokenizedFile } from '../types';

export interface TokenizeRequest {
  id: number;
  texts: string[];
}
export interface TokenizeReply {
  id: number;
  counts: { lineTokens: Uint32Array; tokens: number }[];
}

const BATCH_CHARS = 256 * 1024;

export class TokenizerPool {
  private readonly workers: Worker[] = [];
  private nextId = 1;

  /** `createWorker` starts one `tokenizerWorker` (the bundle's `dist/tokenizerWorker.js`). */
  constructor(
    private readonly createWorker: () => Worker,
    readonly size: number,
  ) {}

  /** Tokenizes `files` in order; `onProgress` gets the number of files done. */
  async tokenizeFiles(files: readonly SourceFile[], options: { signal?: AbortSignal; onProgress?(done: number): void } = {}): Promise<TokenizedFile[]> {
    const batches: number[][] = [];
    let chars = Infinity;
    for (let i = 0; i < files.length; i++) {
      if (chars >= BATCH_CHARS) {
        batches.push([]);
        chars = 0;
      }
      batches.at(-1)!.push(i);
      chars += files[i]!.text.length;
    }
    while (this.workers.length < Math.min(this.size, batches.length)) this.workers.push(this.createWorker());
    const out = new Array<TokenizedFile>(files.length);
    let next = 0;
    let done = 0;
    const drive = async (worker: Worker) => {
      while (next < batches.length) {
        options.signal?.throwIfAborted();
        const batch = batches[next++]!;
        const reply = await this.send(
          worker,
          batch.map((i) => files[i]!.text),
        );
        batch.forEach((fileIndex, k) => (out[fileIndex] = tokenizedFile(files[fileIndex]!, reply.counts[k]!.lineTokens, reply.counts[k]!.tokens)));
        options.onProgress?.((done += batch.length));
      }
    };
    await Promise.all(this.workers.slice(0, batches.length).map(drive));
    return out;
  }

  private send(worker: Worker, texts: string[]): Promise<TokenizeReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (m: TokenizeReply) => {
        if (m.id !== id) return;
        cleanup();
        resolve(m);
      };
      const onError = (err: Error) => {
        cleanup();
        const dead = this.workers.indexOf(worker);
        if (dead >= 0) this.workers.splice(dead, 1); // the next run starts a new one
        reject(new Error(`a tokenizer thread failed: ${err.message}`));
      };
      const onExit = (code: number) => onError(new Error(`it exited with code ${code}`));
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, texts } satisfies TokenizeRequest);
    });
  }

  async dispose() {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

/**
 * A pool on the bundle's worker (`tokenizerWorker.js` in `dir`), one thread per core up to four,
 * counting with `encoding` (the calling thread's tokenizer must use the same); none when the worker
 * is not there (the sources run without a build).
 */
export function bundledTokenizerPool(dir: string, encoding: TiktokenTokenizer['name'] = 'cl100k_base'): TokenizerPool | undefined {
  const path = join(dir, 'tokenizerWorker.js');
  if (!existsSync(path)) return undefined;
  return new TokenizerPool(() => new Worker(path, { workerData: { encoding } }), Math.min(4, availableParallelism()));
}
