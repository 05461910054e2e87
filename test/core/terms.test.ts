// `terms` splits ASCII identifiers by hand (bm25.ts): it must give, word for word, what the regular
// expressions give (the plain BM25 reference's `plainTerms`, the definition) on every word of this
// repository's sources, on crafted edge cases, on random words and on prose that is not ASCII.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { terms } from '../../extension/core/lexical/bm25';
import { plainTerms as byRegex } from '../../bench/referenceBm25';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.(ts|mjs|md|json)$/.test(name)) out.push(path);
  }
  return out;
}

test('the same terms as the regular expressions: every word of these sources, edge cases, random words, other scripts', () => {
  const root = join(__dirname, '../..');
  const words = new Set<string>();
  for (const file of [...sources(join(root, 'extension')), ...sources(join(root, 'bench'))])
    for (const m of readFileSync(file, 'utf8').matchAll(/[\p{L}\p{N}_]+/gu)) words.add(m[0]);
  assert.ok(words.size > 5000, `${words.size} words`);
  const edges = [
    '_',
    '__',
    'a',
    'A',
    '_a_',
    '__init__',
    'x__y',
    'HTTPServer2',
    'ABC',
    'ABc',
    'aBC',
    'a1B',
    '1a',
    'A1',
    'iOS',
    'getHTTP2Response',
    'XMLHttpRequest',
    'aB_C',
    'B_',
    '_B',
    '9',
    '99',
    'a_1_b',
    'IPv6Address',
    'v8Flags',
    'ÄBc',
    'straßeName',
    'ﬁle',
  ];
  const alphabet = 'aAbBzZ09_';
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const randoms = Array.from({ length: 20_000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
  );
  for (const w of [...words, ...edges, ...randoms]) assert.deepEqual(terms(w), byRegex(w), w);
  const prose = 'The dev server’s HMR (hot_module_replacement) re-renders <CSSModule2> in 3ms; Ölßtraße ÄBc naïve 東京タワー x__y __init__ v8Flags.';
  assert.deepEqual(terms(prose), byRegex(prose));
});
