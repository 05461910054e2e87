// Syntax trees read in child processes of their own (`structureWorker.ts`): the host's thread sends
// a batch of files and goes on analysing other files' words while a child parses (every core at
// work on a cold question), and the children run with V8's baseline WebAssembly compiler only,
// which keeps V8 13's optimizing compiler from spending a gigabyte and a core on the C++ grammar's
// lexer in the extension host (BENCHMARKS.md). A child starts when a batch finds none resting and
// there is room for one, and they go when they have been idle a while or the host goes. If one
// cannot start or dies, the host parses in its own thread from then on (`definitions.ts`), said once.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
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

type Settle = (m: FromStructureWorker) => void;

/** One child and the batches it has out. */
interface Child {
  process: ChildProcess;
  jobs: Map<number, Settle>;
}

export class StructureProcess {
  private readonly children: (Child | undefined)[];
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;
  /** Why a child failed; once set, no other is started. */
  failure: string | undefined;

  /**
   * `processes`: how many children may parse at once (a batch goes to a resting child, else to a
   * new one while there is room, else to the one with the fewest out).
   */
  constructor(
    readonly workerPath: string,
    readonly processes = 1,
  ) {
    this.children = Array.from({ length: Math.max(1, processes) });
  }

  /** The files' definitions, read in a child; rejects if it cannot start or dies (then `failure` says why). */
  parse(files: { path: string; text: string }[]): Promise<ParsedBatch> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(new Error(this.failure));
      let child: Child;
      try {
        child = this.leastBusy();
      } catch (err) {
        this.failure = `the process that reads syntax trees could not start (${(err as Error).message})`;
        return reject(new Error(this.failure));
      }
      const id = this.nextId++;
      child.jobs.set(id, (m) => {
        child.jobs.delete(id);
        if (child.jobs.size === 0) this.letRest(child);
        if ('error' in m) reject(new Error(m.error));
        else resolve({ definitions: m.definitions, problems: m.problems });
      });
      clearTimeout(this.idle);
      // while a batch is out, its child keeps the host alive: its reply, or its exit, is awaited
      child.process.ref();
      child.process.channel?.ref();
      child.process.send({ id, files } satisfies ToStructureWorker, (err) => {
        if (err) child.jobs.get(id)?.({ id, error: `the process that reads syntax trees could not be reached (${err.message})` });
      });
    });
  }

  /** The children's process ids while they run (tests). */
  get pids(): number[] {
    return this.children.flatMap((c) => (c?.process.pid !== undefined ? [c.process.pid] : []));
  }

  /** A running child with nothing out, else a new one while there is room, else the one with the fewest batches out. */
  private leastBusy(): Child {
    const resting = this.children.find((c) => c !== undefined && c.jobs.size === 0);
    if (resting) return resting;
    const free = this.children.indexOf(undefined);
    if (free >= 0) return (this.children[free] = this.start(free));
    return this.children.reduce((a, b) => (b!.jobs.size < a!.jobs.size ? b : a))!;
  }

  private start(slot: number): Child {
    const process = fork(this.workerPath, [], {
      execArgv: ['--liftoff-only'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const child: Child = { process, jobs: new Map() };
    let stderrTail = '';
    process.stderr?.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
    process.on('message', (m: FromStructureWorker) => child.jobs.get(m.id)?.(m));
    const gone = (reason: string) => {
      if (this.children[slot] !== child) return;
      this.children[slot] = undefined;
      if (child.jobs.size > 0) {
        const last = stderrTail.trim().split('\n').pop();
        this.failure ??= `the process that reads syntax trees ${reason}${last ? `: ${last}` : ''}`;
        for (const [id, settle] of child.jobs) settle({ id, error: this.failure });
      }
    };
    process.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
    process.on('error', (err) => gone(`failed (${err.message})`));
    // an idle child keeps no host (the CLI) alive: neither it, its channel nor its stderr (a batch out does: \`parse\`)
    (process.stderr as Socket | null)?.unref();
    return child;
  }

  /** A child with nothing out keeps no host alive; once none has anything out, they all go after a while. */
  private letRest(child: Child) {
    child.process.unref();
    child.process.channel?.unref();
    if (this.children.some((c) => c && c.jobs.size > 0)) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.dispose(), IDLE_MS);
    this.idle.unref();
  }

  /** Lets the children go (each exits when its channel closes); a later batch starts others. */
  dispose() {
    clearTimeout(this.idle);
    for (let slot = 0; slot < this.children.length; slot++) {
      const child = this.children[slot];
      if (!child) continue;
      this.children[slot] = undefined;
      if (child.process.connected) child.process.disconnect();
      for (const [id, settle] of child.jobs) settle({ id, error: 'the process that reads syntax trees was let go' });
    }
  }
}

/**
 * Structure processes on the bundle's worker (`structureWorker.js` in `dir`), one per core but
 * the host's, up to three (each holds its grammars, about 100 MB); none where the sources run
 * without a build.
 */
export function bundledStructureProcess(dir: string): StructureProcess | undefined {
  const path = join(dir, 'structureWorker.js');
  return existsSync(path) ? new StructureProcess(path, Math.min(3, Math.max(1, availableParallelism() - 1))) : undefined;
}

let inUse: StructureProcess | undefined;

/** Where this process reads syntax trees from now on (a host sets it once, at start); none: in its own thread. */
export function useStructureProcess(process: StructureProcess | undefined): void {
  inUse = process;
}

export function structureProcessInUse(): StructureProcess | undefined {
  return inUse;
}
