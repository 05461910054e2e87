// The local model in a child process (`localModelWorker.ts`): the caller's thread only sends
// segments and reads results. llama.cpp cannot be interrupted in the middle of an evaluation, so a
// cancelled job that does not stop promptly is stopped by killing the process; the next use starts
// a new one.
import { fork, type ChildProcess } from 'node:child_process';
import type { Scorer, ScoreOptions, ScoreRequest, ScorerStats } from '../scorer';
import type { LocalModelOptions } from './localModel';
import type { FromWorker, ToWorker } from './localModelProtocol';
import type { LocalRuntime } from './runtime';

export interface LocalModelProcessOptions extends LocalModelOptions {
  /** The worker's script: `dist/localModelWorker.js` in the bundle. */
  workerPath: string;
  /** Node flags for the worker (tests run the TypeScript source with `--import tsx`). */
  execArgv?: string[];
  /** How long a cancelled job may take to stop before its process is killed (ms). */
  stopGraceMs?: number;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type JobRequest = DistributiveOmit<Exclude<ToWorker, { type: 'cancel' }>, 'id'>;
type Progress = Extract<FromWorker, { type: 'result' | 'failure' | 'delta' }>;
type Finished = Extract<FromWorker, { type: 'loaded' | 'done' | 'cancelled' }>;

export class LocalModelProcess implements LocalRuntime {
  private readonly jobs = new Map<number, (m: FromWorker) => void>();
  private nextId = 1;
  private exitReason: string | undefined;
  private stderrTail = '';
  name = '';
  contextSize = 0;
  /** Model tokens in TOKENIZER_SAMPLE (see `localModelLimits`). */
  sampleTokens = 0;

  private constructor(
    readonly path: string,
    private readonly child: ChildProcess,
    private readonly stopGraceMs: number,
  ) {
    child.stderr?.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-2000)));
    child.on('message', (m: FromWorker) => this.jobs.get(m.id)?.(m));
    child.on('exit', (code, signal) => {
      const last = this.stderrTail.trim().split('\n').pop();
      this.exitReason ??= `the local model process exited (${signal ?? `code ${code}`})${last ? `: ${last}` : ''}`;
      for (const [id, handle] of this.jobs) handle({ type: 'error', id, message: this.exitReason });
    });
    child.on('error', (err) => (this.exitReason ??= `the local model process failed: ${err.message}`));
  }

  /** Starts the process and loads the model in it. */
  static async start(path: string, options: LocalModelProcessOptions, signal?: AbortSignal): Promise<LocalModelProcess> {
    const child = fork(options.workerPath, [], { execArgv: options.execArgv ?? [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const p = new LocalModelProcess(path, child, options.stopGraceMs ?? 500);
    try {
      const loaded = await p.run({ type: 'load', path, contextSize: options.contextSize, threads: options.threads }, signal);
      if (loaded.type === 'loaded') {
        p.name = loaded.name;
        p.contextSize = loaded.contextSize;
        p.sampleTokens = loaded.sampleTokens;
      }
      return p;
    } catch (err) {
      p.dispose();
      throw err;
    }
  }

  get alive(): boolean {
    return this.exitReason === undefined;
  }

  /** A job is running or still stopping. */
  get busy(): boolean {
    return this.jobs.size > 0;
  }

  /** The process id, for callers that watch it (tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  scorer(): Scorer {
    return new LocalProcessScorer(this);
  }

  async answer(
    keyContext: string,
    question: string,
    options: { signal?: AbortSignal; maxTokens?: number; onDelta?(text: string): void } = {},
  ): Promise<string> {
    const done = await this.run({ type: 'answer', keyContext, question, maxTokens: options.maxTokens }, options.signal, (m) => {
      if (m.type === 'delta') options.onDelta?.(m.text);
    });
    return done.type === 'done' ? (done.text ?? '') : '';
  }

  /** Sends one job; its progress goes to `onProgress` until it finishes, fails or is cancelled. */
  run(job: JobRequest, signal?: AbortSignal, onProgress?: (m: Progress) => void): Promise<Finished> {
    return new Promise((resolve, reject) => {
      if (this.exitReason || !this.child.connected) return reject(new Error(this.exitReason ?? 'the local model process is not running'));
      if (signal?.aborted) return reject(signal.reason);
      const id = this.nextId++;
      let settled = false;
      const onAbort = () => {
        settled = true;
        if (this.child.connected) this.child.send({ type: 'cancel', id } satisfies ToWorker);
        setTimeout(() => {
          if (this.jobs.has(id)) this.kill(`a cancelled job did not stop within ${this.stopGraceMs} ms`);
        }, this.stopGraceMs).unref();
        reject(signal!.reason);
      };
      this.jobs.set(id, (m) => {
        if (m.type === 'done' || m.type === 'cancelled' || m.type === 'loaded' || m.type === 'error') {
          this.jobs.delete(id);
          signal?.removeEventListener('abort', onAbort);
          if (settled) return;
          settled = true;
          if (m.type === 'error') reject(new Error(m.message));
          else resolve(m);
        } else if (!settled) {
          onProgress?.(m);
        }
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.child.send({ ...job, id } as ToWorker);
    });
  }

  private kill(reason: string) {
    this.exitReason ??= `the local model process was stopped: ${reason}`;
    this.child.kill('SIGKILL');
  }

  dispose() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.kill('disposed');
  }
}

/** Scores segments on the model in the child process; results arrive one by one. */
class LocalProcessScorer implements Scorer {
  readonly stats: ScorerStats = { requests: 0, attempts: 0, promptTokens: 0 };

  constructor(private readonly process: LocalModelProcess) {}

  get description() {
    return `prompt log-probabilities from the local model ${this.process.name} (llama.cpp, in a child process)`;
  }

  async score(requests: ScoreRequest[], question: string, options: ScoreOptions): Promise<void> {
    const pending = new Set(requests.map((r) => r.index));
    try {
      // plain copies: a segment's text is a getter, and its pieces need not cross the channel
      const plain = requests.map((r) => ({ index: r.index, text: r.text }));
      await this.process.run({ type: 'score', requests: plain, question }, options.signal, (m) => {
        if (m.type !== 'result' && m.type !== 'failure') return;
        pending.delete(m.index);
        this.stats.requests++;
        this.stats.attempts++;
        if (m.type === 'result') {
          this.stats.promptTokens += m.promptTokens;
          options.onResult(m.index, m.certainty);
        } else {
          options.onFailure(m.index, new Error(m.message));
        }
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      // the process died: what it scored is kept, the rest is reported as failed
      for (const index of pending) options.onFailure(index, err as Error);
    }
  }
}
