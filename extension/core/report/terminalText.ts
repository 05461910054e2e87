// Text that comes from the repository (file names), a server or a model reaches a terminal only
// with its control characters shown, never obeyed: a file named `a\e[2J.md` must not clear the
// user's screen, and bidirectional overrides must not reorder what the user reads.

// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text with every control character (but newline and tab) written as an escape: `\x1b`, `\r`, `\u202e`. */
export function inert(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** As `inert`, and on one line: newlines and tabs escaped too (a file name, an error message). */
export function inertLine(text: string): string {
  return inert(text).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}
