// A long-lived host (the CLI's repository server, the extension host, `xl3m mcp`) ranks its last
// question again once questions pause, lexically and with nothing shown: V8 optimizes the
// ranking's code only after it has run a few times, and drops that code after a full garbage
// collection, so the first questions of a host and the first after a collection ranked at half
// speed (on the 26,000-file monorepo 0.26-0.36 s against 0.10-0.17 s in the CLI's server). A
// question asked meanwhile stops the rehearsal and goes first.
import type { RunConfig } from './config/runConfig';

/**
 * How often the last question is ranked again at a pause: at least the first, at most the second
 * number of times, stopping once a rehearsal was no faster than nine tenths of the one before it
 * (the code is as fast as it gets). On the monorepo the ranking took 290, 163, 138, 116, 97 ms in
 * a new server's first warm questions in a row.
 */
export const REHEARSALS = { least: 2, most: 5 };
const STILL_FASTER = 0.9;

/** How long after a question's end a host that has no pause of its own (the extension) waits before it rehearses. */
export const REHEARSE_AFTER_MS = 3000;

/** A question's configuration as rehearsed: no model (nothing is sent anywhere) and no answer. */
export function rehearsalConfig(config: RunConfig): RunConfig {
  return { ...config, server: undefined, localModel: undefined, answer: false };
}

/** The line a host logs after a rehearsal: how many runs, each one's milliseconds. */
export function describeRehearsal(what: string, rehearsed: number, ms: readonly number[]): string {
  return `rehearsed the last ${what} ${rehearsed} ${rehearsed === 1 ? 'time' : 'times'} (${ms.map(Math.round).join(', ')} ms)`;
}

type Rank = (signal: AbortSignal) => Promise<unknown>;

/** One host's rehearsal: the last question remembered, rehearsed once questions pause, stopped by the next. */
export class Rehearsal {
  private last: Rank | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: AbortController | undefined;

  /** The question just answered, as `rank` ranks it again: rehearsed at the next pause (once). */
  remember(rank: Rank): void {
    this.last = rank;
  }

  /** Rehearses in `afterMs`, unless stopped first; a later call replaces it. */
  schedule(afterMs: number, onDone?: (rehearsed: number, ms: number[]) => void): void {
    this.stop();
    this.timer = setTimeout(() => void this.now(onDone), afterMs);
  }

  /**
   * Ranks the remembered question as REHEARSALS says, each time with a signal `stop` aborts, and
   * forgets it; says how many runs there were and each one's milliseconds. Nothing when no question
   * is remembered (it was rehearsed already).
   */
  async now(onDone?: (rehearsed: number, ms: number[]) => void): Promise<void> {
    this.stop();
    const rank = this.last;
    this.last = undefined;
    if (!rank) return;
    const controller = (this.running = new AbortController());
    const ms: number[] = [];
    try {
      while (ms.length < REHEARSALS.most && !controller.signal.aborted) {
        const started = performance.now();
        await rank(controller.signal);
        ms.push(performance.now() - started);
        if (ms.length >= REHEARSALS.least && ms.at(-1)! >= STILL_FASTER * ms.at(-2)!) break;
      }
    } catch {
      // stopped by a question, or failed: a question says why, if it fails too
    } finally {
      if (this.running === controller) this.running = undefined;
    }
    onDone?.(ms.length, ms);
  }

  /** Stops a rehearsal that is waiting or running (a question came, or the host stops). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running?.abort(new Error('a question came'));
    this.running = undefined;
  }

  dispose(): void {
    this.stop();
  }
}
