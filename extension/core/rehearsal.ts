// A long-lived host (the CLI's repository server, the extension host, `xl3m mcp`) ranks its last
// question again once questions pause, lexically and with nothing shown: V8 optimizes the
// ranking's code only after it has run a few times, and drops that code after a full garbage
// collection, so the first questions of a host and the first after a collection ranked at half
// speed (on the 26,000-file monorepo 0.26-0.35 s against 0.10-0.17 s in the CLI's server). A
// question asked meanwhile stops the rehearsal and goes first.
import type { RunConfig } from './config/runConfig';

/** How often the last question is ranked again at a pause. */
export const REHEARSALS = 2;

/** How long after a question's end a host that has no pause of its own (the extension) waits before it rehearses. */
export const REHEARSE_AFTER_MS = 3000;

/** A question's configuration as rehearsed: no model (nothing is sent anywhere) and no answer. */
export function rehearsalConfig(config: RunConfig): RunConfig {
  return { ...config, server: undefined, localModel: undefined, answer: false };
}

/** One host's rehearsal: scheduled after a question, stopped by the next. */
export class Rehearsal {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: AbortController | undefined;

  /** Rehearses with `rank` in `afterMs`, unless stopped first; a later call replaces it. */
  schedule(rank: (signal: AbortSignal) => Promise<unknown>, afterMs: number, onDone?: (rehearsed: number, ms: number) => void): void {
    this.stop();
    this.timer = setTimeout(() => void this.now(rank, onDone), afterMs);
  }

  /** Ranks REHEARSALS times with `rank`, each with a signal `stop` aborts; says how many ran. */
  async now(rank: (signal: AbortSignal) => Promise<unknown>, onDone?: (rehearsed: number, ms: number) => void): Promise<void> {
    this.stop();
    const controller = (this.running = new AbortController());
    const started = performance.now();
    let rehearsed = 0;
    try {
      for (; rehearsed < REHEARSALS && !controller.signal.aborted; rehearsed++) await rank(controller.signal);
    } catch {
      // stopped by a question, or failed: a question says why, if it fails too
    } finally {
      if (this.running === controller) this.running = undefined;
    }
    onDone?.(rehearsed, performance.now() - started);
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
