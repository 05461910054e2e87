// The plain baseline the quality benchmark compares against, as the evaluation set's README states
// it: BM25 (k1 1.2, b 0.75), each file one document (its path's words counted three times, plus its
// content), candidates the non-test source files, the query the whole question.
import { bm25 } from '../extension/core/lexical/bm25';
import { fileKind } from '../extension/core/files/fileKind';

export function referenceBm25(files: readonly { path: string; text: string }[], question: string): string[] {
  const candidates = files.filter((f) => fileKind(f.path) === 'source');
  const scores = bm25(
    candidates.map((f) => `${f.path}\n${f.path}\n${f.path}\n${f.text}`),
    question,
    plainTerms,
  );
  return candidates
    .map((f, i) => [scores[i]!, f.path] as const)
    .filter(([s]) => s > 0)
    .sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1))
    .map(([, p]) => p);
}

/**
 * The product's terms as a plain script writes them, with regular expressions (the same terms as
 * `terms`, which splits ASCII identifiers by hand): the reference's speed stays that of a script a
 * person writes, comparable with every run before 2026-12-07.
 */
export function plainTerms(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}_]+/gu) ?? []) {
    const parts = word.split(/_+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u);
    for (const p of parts) if (p.length >= 2) out.push(p.toLowerCase());
    if (parts.length > 1 && word.length >= 2) out.push(word.toLowerCase());
  }
  return out;
}
