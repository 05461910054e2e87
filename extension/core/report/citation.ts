// How an answer cites the repository (the answer model is asked to, in answer.ts): `path:line` or
// `path:first-last`. The panel and the chat turn these into links.

/** A fresh global pattern: group 1 the path, 2 the first line, 3 the last line when a range. */
export function citationPattern(): RegExp {
  return /([\w@.\-/]+\.[\w]+):(\d+)(?:-(\d+))?/g;
}
