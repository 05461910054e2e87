// Syntax trees read in a child process of their own (`structureWorker.ts`): the host's thread sends
// a batch of files and goes on analysing other files' words while the child parses (two cores at
// work on a cold question), and the child runs with V8's baseline WebAssembly compiler only, which
// keeps V8 13's optimizing compiler from spending a gigabyte and a core on the C++ grammar's lexer
// in the extension host (BENCHMARKS.md). The child starts on the first batch and goes when it has
// been idle a while or the host goes. If it cannot start or dies, the host parses in its own
// thread from then on (`definitions.ts`), said once.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Definition } from './definitions';
import type { FromStructureWorker, ToStructureWorker } from './structureProtocol';

/** An idle child goes after this long (its grammars take about 100 MB); the next batch starts another. */
const IDLE_MS = 60_000;

export interface ParsedBatch {
  /** Each file's definitions in the batch's order; null where its syntax is not read (the patterns apply). */
  definitions: (Definition[] | null)[];
  /** A grammar that could not be loaded, say. */
  problems: string[];
}

export class StructureProcess {
  private child: ChildProcess | undefined;
  private readonly jobs = new Map<number, (m: FromStructureWorker | { id: number; error: string }) => void>();
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;
  /** Why the child failed; once set, no other is started. */
  failure: string | undefined;

  /** `execArgv`: Node flags for the child (tests add `--import tsx` to run the source). */
  constructor(
    readonly workerPath: string,
    private readonly execArgv: readonly string[] = [],
  ) {}

  /** The files' definitions, read in the child; rejects if the child cannot start or dies (then `failure` says why). */
  parse(files: { path: string; text: string }[]): Promise<ParsedBatch> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(new Error(this.failure));
      let child: ChildProcess;
      try {
        child = this.start();
      } catch (err) {
        this.failure = `the process that reads syntax trees could not start (${(err as Error).message})`;
        return reject(new Error(this.failure));
      }
      const id = this.nextId++;
      this.jobs.set(id, (m) => {
        this.jobs.delete(id);
        if (this.jobs.size === 0) this.becomeIdle();
        if ('error' in m) reject(new Error(m.error));
        else resolve({ definitions: m.definitions, problems: m.problems });
      });
      clearTimeout(this.idle);
      // while a batch is out, the child keeps the host alive: its reply, or its exit, is awaited
      child.ref();
      child.channel?.ref();
      child.send({ id, files } satisfies ToStructureWorker, (err) => {
        if (err) this.jobs.get(id)?.({ id, error: `the process that reads syntax trees could not be reached (${err.message})` });
      });
    });
  }

  /** The child's process id while it runs (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(this.workerPath, [], {
      execArgv: ['--liftoff-only', ...this.execArgv],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderrTail = '';
    child.stderr?.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
    child.on('message', (m: FromStructureWorker) => this.jobs.get(m.id)?.(m));
    const gone = (reason: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      clearTimeout(this.idle);
      if (this.jobs.size > 0) {
        const last = stderrTail.trim().split('\n').pop();
        this.failure ??= `the process that reads syntax trees ${reason}${last ? `: ${last}` : ''}`;
        for (const [id, settle] of this.jobs) settle({ id, error: this.failure });
      }
    };
    child.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
    child.on('error', (err) => gone(`failed (${err.message})`));
    // an idle child keeps no host (the CLI) alive: neither it, its channel nor its stderr (a batch out does: \`parse\`)
    (child.stderr as Socket | null)?.unref();
    this.child = child;
    return child;
  }

  private becomeIdle() {
    this.child?.unref();
    this.child?.channel?.unref();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.dispose(), IDLE_MS);
    this.idle.unref();
  }

  /** Lets the child go (it exits when its channel closes); a later batch starts another. */
  dispose() {
    clearTimeout(this.idle);
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.connected) child.disconnect();
    for (const [id, settle] of this.jobs) settle({ id, error: 'the process that reads syntax trees was let go' });
  }
}

/** A structure process on the bundle's worker (`structureWorker.js` in `dir`); none where the sources run without a build. */
export function bundledStructureProcess(dir: string): StructureProcess | undefined {
  const path = join(dir, 'structureWorker.js');
  return existsSync(path) ? new StructureProcess(path) : undefined;
}

let inUse: StructureProcess | undefined;

/** Where this process reads syntax trees from now on (a host sets it once, at start); none: in its own thread. */
export function useStructureProcess(process: StructureProcess | undefined): void {
  inUse = process;
}

export function structureProcessInUse(): StructureProcess | undefined {
  return inUse;
}
