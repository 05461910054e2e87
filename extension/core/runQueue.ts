// Runs one at a time, in the order asked: an agent calls its tools in parallel, and each call waits
// its turn (told how many are ahead) instead of being refused. A call cancelled while it waits
// leaves the queue at once.

export class RunQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private current: { label: string; started: number } | undefined;

  /** The run in progress, if any. */
  get running(): { label: string; started: number } | undefined {
    return this.current;
  }

  async run<T>(label: string, fn: () => Promise<T>, options: { signal?: AbortSignal; onWait?(ahead: number): void } = {}): Promise<T> {
    const ahead = this.waiting + (this.current ? 1 : 0);
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    if (ahead > 0) options.onWait?.(ahead);
    this.waiting++;
    try {
      await untilTurnOrAbort(previous, options.signal);
    } catch (err) {
      this.waiting--;
      void previous.then(release); // the ones behind still wait for the one ahead
      throw err;
    }
    this.waiting--;
    this.current = { label, started: Date.now() };
    try {
      return await fn();
    } finally {
      this.current = undefined;
      release();
    }
  }
}

function untilTurnOrAbort(turn: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return turn;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason ?? new Error('cancelled'));
    signal.addEventListener('abort', abort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    });
  });
}
