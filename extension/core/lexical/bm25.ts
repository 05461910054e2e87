// BM25 over path and content: the ranking when no model is configured, a cheap pre-filter before
// model scoring, and the baseline the benchmarks compare against.

const K1 = 1.2;
const B = 0.75;

/** Terms of code and prose: identifiers split at camelCase, snake_case and digits; lower case; 2+ characters. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}_]+/gu) ?? []) {
    const parts = word.split(/_+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u);
    for (const p of parts) if (p.length >= 2) out.push(p.toLowerCase());
    if (parts.length > 1 && word.length >= 2) out.push(word.toLowerCase()); // the whole identifier too
  }
  return out;
}

/** BM25 score of every document for the query (higher = more relevant); 0 for no shared term. */
export function bm25(documents: string[], query: string): number[] {
  const queryTerms = [...new Set(terms(query))];
  if (queryTerms.length === 0) return documents.map(() => 0);
  const wanted = new Set(queryTerms);
  const counts: Map<string, number>[] = [];
  const lengths: number[] = [];
  const df = new Map<string, number>();
  for (const doc of documents) {
    const all = terms(doc);
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
