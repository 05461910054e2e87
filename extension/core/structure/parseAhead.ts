// The syntax trees an analysis will need, read ahead of it in the structure process: the files go
// out in batches a few ahead of the file the analysis has reached (their texts are read as their
// batch goes, not all at once), and the analysis waits only where it reaches a file whose batch is
// still out. Without a structure process (the sources run without a build, or it failed), the
// grammars load here and the files are parsed in this thread as the analysis reads them.
import { dropParsedAhead, keepParsedAhead, MAX_PARSED_CHARS, prepareStructure } from './definitions';
import { languageOf } from './languages';
import { structureProcessInUse, type StructureProcess } from './structureProcess';

/** Files a batch (70-90 ms of parsing cli/cli's Go files here), and batches out at once, for each structure process, beyond the one the analysis waits on. */
const BATCH_FILES = 32;
const BATCHES_AHEAD = 3;

interface Batch {
  files: readonly { path: string; readonly text: string }[];
  /** Settled once its definitions are kept (or, the structure process failing, the grammars loaded here). */
  done?: Promise<void>;
  settled: boolean;
}

export class ParsingAhead {
  private readonly batches: Batch[] = [];
  private readonly batchOf = new Map<string, number>();
  private disposed = false;
  /** What went wrong (a grammar not loaded, the structure process failed), said once each. */
  readonly problems: string[] = [];

  private readonly ahead: number;

  private constructor(private readonly process: StructureProcess | undefined) {
    this.ahead = BATCHES_AHEAD * (process?.processes ?? 1);
  }

  /**
   * Starts reading ahead the definitions of these files (the files of a language whose syntax is
   * read); without a structure process, loads their grammars here first.
   */
  static async start(files: readonly { path: string; readonly text: string }[], process = structureProcessInUse()): Promise<ParsingAhead> {
    const ahead = new ParsingAhead(process?.failure ? undefined : process);
    const parsed = files.filter((f) => languageOf(f.path) !== undefined);
    if (!ahead.process) {
      ahead.problems.push(...(await prepareStructure(parsed.map((f) => f.path))));
      return ahead;
    }
    for (let i = 0; i < parsed.length; i += BATCH_FILES) {
      const batch = parsed.slice(i, i + BATCH_FILES);
      for (const f of batch) ahead.batchOf.set(f.path, ahead.batches.length);
      ahead.batches.push({ files: batch, settled: false });
    }
    for (let b = 0; b <= ahead.ahead && b < ahead.batches.length; b++) ahead.send(b);
    return ahead;
  }

  /** Undefined when the file's definitions can be read now; else when they can. */
  waitFor(path: string): Promise<void> | undefined {
    const b = this.batchOf.get(path);
    if (b === undefined) return undefined;
    for (let next = b; next <= b + this.ahead && next < this.batches.length; next++) this.send(next);
    const batch = this.batches[b]!;
    return batch.settled ? undefined : batch.done;
  }

  /** When every batch is back. */
  async all(): Promise<void> {
    for (let b = 0; b < this.batches.length; b++) await this.waitFor(this.batches[b]!.files[0]!.path);
  }

  /** Forgets what was read ahead and not taken (a cancelled or failed ranking), and what is still to come back. */
  dispose(): void {
    this.disposed = true;
    dropParsedAhead(this.batchOf.keys());
  }

  private send(b: number) {
    const batch = this.batches[b]!;
    if (batch.done) return;
    // a file too large to parse is not sent: `definitionsOf` leaves it to the patterns either way
    const files = batch.files.map((f) => ({ path: f.path, text: f.text })).filter((f) => f.text.length <= MAX_PARSED_CHARS);
    batch.done = this.read(files).finally(() => (batch.settled = true));
  }

  private async read(files: { path: string; text: string }[]): Promise<void> {
    if (files.length === 0) return;
    try {
      const { definitions, problems } = await this.process!.parse(files);
      if (this.disposed) return;
      files.forEach((f, i) => keepParsedAhead(f.path, f.text, definitions[i] ?? null));
      for (const p of problems) if (!this.problems.includes(p)) this.problems.push(p);
    } catch (err) {
      // this batch, and any after it, parsed here (the process says nothing more once it failed)
      const reason = `${(err as Error).message}: syntax trees are read in this process`;
      if (!this.problems.includes(reason)) this.problems.push(reason);
      for (const p of await prepareStructure(files.map((f) => f.path))) if (!this.problems.includes(p)) this.problems.push(p);
    }
  }
}
