// BM25 over path and content: the ranking when no model is configured, a cheap pre-filter before
// model scoring, and the baseline the benchmarks compare against.

const K1 = 1.2;
const B = 0.75;

const WORD = /[\p{L}\p{N}_]+/gu;
/** Where an identifier splits: underscores, lower or digit before upper, an acronym before a capitalised word, letters and digits. */
const PARTS = /_+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

/** Terms of code and prose: identifiers split at camelCase, snake_case and digits; lower case; 2+ characters. */
export function terms(text: string): string[] {
  const out: string[] = [];
  // one word of ASCII letters, digits and underscores (the vocabulary's words, mostly): no regular expression at all
  if (isAsciiWord(text)) addTerms(text, splitAsciiWord(text), out);
  else for (const word of text.match(WORD) ?? []) addTerms(word, isAsciiWord(word) ? splitAsciiWord(word) : word.split(PARTS), out);
  return out;
}

function addTerms(word: string, parts: readonly string[], out: string[]) {
  for (const p of parts) if (p.length >= 2) out.push(p.toLowerCase());
  if (parts.length > 1 && word.length >= 2) out.push(word.toLowerCase()); // the whole identifier too
}

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;
const UNDERSCORE = 95;

function isAsciiWord(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isUpper(c) && !isLower(c) && !isDigit(c) && c !== UNDERSCORE) return false;
  }
  return true;
}

/**
 * `word.split(PARTS)` for a word of ASCII letters, digits and underscores, by hand: what
 * String.prototype.split does with that expression (a run of underscores is cut out and may leave
 * an empty part at either end; a boundary is never cut where a part starts). Splitting words with
 * the expression took 6% of a cold question on the monorepo (every new word is split twice), and
 * twice the time this takes; a test holds it to the expression on every word of this repository and
 * on random ones.
 */
function splitAsciiWord(word: string): string[] {
  const parts: string[] = [];
  const n = word.length;
  let start = 0;
  for (let at = 0; at < n;) {
    const c = word.charCodeAt(at);
    if (c === UNDERSCORE) {
      let end = at + 1;
      while (end < n && word.charCodeAt(end) === UNDERSCORE) end++;
      parts.push(word.slice(start, at));
      start = at = end;
      continue;
    }
    if (at > start) {
      const before = word.charCodeAt(at - 1);
      const boundary =
        ((isLower(before) || isDigit(before)) && isUpper(c)) ||
        (isUpper(before) && isUpper(c) && at + 1 < n && isLower(word.charCodeAt(at + 1))) ||
        ((isUpper(before) || isLower(before)) && isDigit(c)) ||
        (isDigit(before) && (isUpper(c) || isLower(c)));
      if (boundary) {
        parts.push(word.slice(start, at));
        start = at;
      }
    }
    at++;
  }
  parts.push(word.slice(start));
  return parts;
}

/** BM25 score of every document for the query (higher = more relevant); 0 for no shared term. `tokenize`: how a text becomes terms. */
export function bm25(documents: string[], query: string, tokenize: (text: string) => string[] = terms): number[] {
  const queryTerms = [...new Set(tokenize(query))];
  if (queryTerms.length === 0) return documents.map(() => 0);
  const wanted = new Set(queryTerms);
  const counts: Map<string, number>[] = [];
  const lengths: number[] = [];
  const df = new Map<string, number>();
  for (const doc of documents) {
    const all = tokenize(doc);
    const tf = new Map<string, number>();
    for (const t of all) if (wanted.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    counts.push(tf);
    lengths.push(all.length);
  }
  const n = documents.length;
  const avg = lengths.reduce((a, b) => a + b, 0) / Math.max(1, n) || 1;
  return counts.map((tf, i) => {
    let score = 0;
    for (const t of queryTerms) {
      const f = tf.get(t);
      if (!f) continue;
      const idf = Math.log(1 + (n - df.get(t)! + 0.5) / (df.get(t)! + 0.5));
      score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * lengths[i]!) / avg));
    }
    return score;
  });
}

/** Indices of the best `fraction` of documents by BM25 (at least one), in their original order. */
export function bm25Prefilter(documents: string[], query: string, fraction: number): number[] {
  const scores = bm25(documents, query);
  const keep = Math.max(1, Math.ceil(documents.length * Math.min(1, Math.max(0, fraction))));
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, keep)
    .map(([, i]) => i)
    .sort((a, b) => a - b);
}
