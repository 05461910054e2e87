// An error message quoted in the question points at the file that raises it: "ValueError: Velocity
// of point Q has not been defined in ReferenceFrame A" at the file whose string literal reads
// "Velocity of point {} has not been defined in ReferenceFrame {}". Words alone cannot tell the
// raiser from every file that shares those words; their order can. A message is cut into runs of
// three consecutive words, and a file that holds enough of them, in order, in its own words (the
// index's word sequence: the text is not read again) raises it, or formats it.
import type { Vocabulary } from './wordIndex';

const WORD = /[\p{L}\p{N}_]+/gu;
/** An error line as runtimes print them: `ValueError: ...`, `TypeError: ...`, `error: ...`, `Error [ERR_X]: ...`. */
const ERROR_LINE = /^\s*(?:[\w.]*(?:Error|Exception|Warning|Exit)|error|ERROR|fatal|FATAL)(?:\s*\[[\w-]+\])?\s*:\s*(.+?)\s*$/gm;
/** A message shorter than this (in words) says too little to point anywhere. */
const MIN_WORDS = 4;
/** Runs of this many words. */
const RUN = 3;

/** The messages of the question's error lines, each as its words. */
export function quotedErrorMessages(question: string): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const m of question.matchAll(ERROR_LINE)) {
    const words = m[1]!.match(WORD) ?? [];
    const key = words.join(' ');
    if (words.length >= MIN_WORDS && !seen.has(key)) {
      seen.add(key);
      out.push(words);
    }
  }
  return out.slice(-8); // a log may repeat lines: the last few messages are the ones that failed
}

/** A message's runs of words as vocabulary ids; a run with a word no file holds cannot match, but counts in the whole. */
export interface QuotedMessage {
  runs: Uint32Array[];
  total: number;
}

/** The messages' runs in this vocabulary's ids (one pass over it for the few words asked). */
export function messageRuns(messages: readonly string[][], vocabulary: Vocabulary): QuotedMessage[] {
  const ids = vocabulary.lookup(new Set(messages.flat()));
  return messages.map((words) => {
    const runs: Uint32Array[] = [];
    for (let i = 0; i + RUN <= words.length; i++) {
      const run = words.slice(i, i + RUN).map((w) => ids.get(w));
      if (run.every((id) => id !== undefined)) runs.push(Uint32Array.from(run as number[]));
    }
    return { runs, total: words.length - RUN + 1 };
  });
}

/** A file's best match among the messages: the share of a message's runs found in its words (0 when fewer than three are). `firstWords[id]` is 1 for a word that starts a run. */
export function raisedShare(words: Uint32Array, messages: readonly QuotedMessage[], firstWords: Uint8Array): number {
  let best = 0;
  let found: Set<Uint32Array>[] | undefined;
  for (let k = 0; k + RUN <= words.length; k++) {
    if (!firstWords[words[k]!]) continue;
    for (const [m, message] of messages.entries()) {
      for (const run of message.runs) {
        if (run[0] !== words[k] || run[1] !== words[k + 1] || run[2] !== words[k + 2]) continue;
        found ??= messages.map(() => new Set());
        found[m]!.add(run);
      }
    }
  }
  if (!found) return 0;
  for (const [m, message] of messages.entries()) if (found[m]!.size >= 3) best = Math.max(best, found[m]!.size / message.total);
  return best;
}

/**
 * The files that may hold three runs of a message (`raisedShare` is 0 for every other): those that
 * hold every word of at least three of its runs, from the files holding each word (postings.ts).
 */
export function mayRaise(messages: readonly QuotedMessage[], holding: (word: number) => ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (const message of messages) {
    const runsHeld = new Map<number, number>();
    for (const run of message.runs) {
      const sets = Array.from(run, holding).sort((a, b) => a.size - b.size);
      for (const file of sets[0]!) if (sets[1]!.has(file) && sets[2]!.has(file)) runsHeld.set(file, (runsHeld.get(file) ?? 0) + 1);
    }
    for (const [file, runs] of runsHeld) if (runs >= 3) out.add(file);
  }
  return out;
}
