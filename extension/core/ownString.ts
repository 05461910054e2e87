// V8 makes a piece of a string 13 characters or longer (a regular expression's match, `slice`, a
// syntax tree node's text) a view on the whole string: keeping the piece keeps the whole. What is
// kept for good (the vocabulary's words, a file's parsed definitions) must not keep the file texts
// it was read from.

/** The string as a string of its own, not a view on a longer one (a short one is one already). */
export function ownString(piece: string): string {
  return piece.length < 13 ? piece : piece.split('').join('');
}
