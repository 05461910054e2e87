// A long-lived process (the CLI's server, `xl3m mcp`) collects its garbage when questions pause.
// Left to itself, V8 puts off full collections while the heap may still grow, and each question
// leaves one more question's garbage behind: on 104,000 files the server's memory grew by about
// 100-150 MB a question (1.44 GB after the first, 2.24 GB after nine) while what it holds stayed
// the same. A collection between questions keeps it at what it holds plus one question's work.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** A full garbage collection now (a few hundred milliseconds on a large index: call it when no question waits). */
export function collectGarbage(): void {
  if (!gc) {
    // the flag makes `gc` a global of contexts created after it: one such context hands it over
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
