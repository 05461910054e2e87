// A long-lived process (the CLI's server, `xl3m mcp`) collects its garbage when questions pause.
// Left to itself, V8 puts off full collections while the heap may still grow, and each question
// leaves one more question's garbage behind: on 104,000 files the server's memory grew by about
// 100-150 MB a question (1.44 GB after the first, 2.24 GB after nine) while what it holds stayed
// the same. A collection between questions keeps it at what it holds plus one question's work.
// But a full collection also throws away the ranking's optimized code (V8 deoptimizes code whose
// embedded objects died), so the next question runs unoptimized: on the 26,000-file monorepo its
// ranking took 230-275 ms after a collection against 134-144 ms without (medians of six questions,
// in one process). So a pause collects only when the garbage is worth it: more than 64 MB, or a
// tenth of what the heap held after the last collection (on 26,000 files a question left 11-24 MB
// beside 168 MB held, which V8's own collections keep up with; the growth above, on 104,000 files,
// passes it).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MIN_GARBAGE_BYTES = 64 * 2 ** 20;
const GARBAGE_SHARE = 0.1;

let gc: (() => void) | undefined;
/** The heap's use right after the last collection here (what the process holds); none before the first. */
let heldAfterLast: number | undefined;

/** Whether a heap now using `used` bytes holds enough garbage since the last collection (`held` after it) to collect. */
export function worthCollecting(used: number, held: number | undefined): boolean {
  return held === undefined || used - held > Math.max(MIN_GARBAGE_BYTES, GARBAGE_SHARE * held);
}

/** A full garbage collection now, when worth it (a few hundred milliseconds on a large index: call it when no question waits). */
export function collectGarbage(): void {
  if (!worthCollecting(getHeapStatistics().used_heap_size, heldAfterLast)) return;
  if (!gc) {
    // the flag makes `gc` a global of contexts created after it: one such context hands it over
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  heldAfterLast = getHeapStatistics().used_heap_size;
}
