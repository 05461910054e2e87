// The files of a traceback pasted into a question, innermost frame first: where the error was
// raised is more often the file a fix changes than the frames that called it (on the Python dev
// set: the innermost frame that is a repository file is the fixed file in 14 of the 25 questions
// that hold a traceback; the next frame out in 3).

/** Python's frames (`File "x.py", line 3, in f`), most recent call last. */
const PYTHON_FRAME = /File "([^"\n]+)", line \d+/g;
/** JavaScript's (`at f (src/x.ts:3:5)`, `at src/x.ts:3:5`), most recent call first. */
const JS_FRAME = /^\s*at (?:[^\n(]*\()?((?:file:\/\/)?[^\s():]+(?::[^\s():]+)?\.[A-Za-z0-9]+):\d+:\d+\)?\s*$/gm;

/** The paths of the question's traceback frames, innermost first, normalised as `mentionedPaths` (lower case, `/`-separated, no leading `./`); a path once, at its innermost frame. */
export function tracebackFrames(question: string): string[] {
  const python = [...question.matchAll(PYTHON_FRAME)].map((m) => m[1]!).reverse();
  const js = [...question.matchAll(JS_FRAME)].map((m) => m[1]!.replace(/^file:\/\//, ''));
  const out: string[] = [];
  for (const raw of [...python, ...js]) {
    const path = raw
      .replace(/\\/g, '/')
      .toLowerCase()
      .replace(/^[./]+/, '');
    if (path && !out.includes(path)) out.push(path);
  }
  return out;
}
