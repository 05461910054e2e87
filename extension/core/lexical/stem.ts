// Words met in their other forms: a light stemmer (plurals, -ed, -ing, a final -e), so that the
// question's `callbacks` meets the code's `callback`.

/** 'none', 'plural' (-s, -es, -ies), or 'light' (also -ed, -ing, a final -e). */
export type Stemming = 'none' | 'plural' | 'light';

/** A term's stem: a plural or (light) a past or -ing form cut back, so that `callbacks` meets `callback`. */
export function stem(term: string, stemming: Stemming): string {
  if (stemming === 'none' || term.length < 4) return term;
  let t = term;
  if (t.endsWith('ies') && t.length > 4) t = t.slice(0, -3) + 'y';
  else if (/(ss|us|is)$/.test(t)) {
    // class, status, analysis: not plurals
  } else if (/(sh|ch|x|ss)es$/.test(t)) t = t.slice(0, -2);
  else if (t.endsWith('s')) t = t.slice(0, -1);
  if (stemming === 'light') {
    if (t.length > 5 && t.endsWith('ied'))
      t = t.slice(0, -3) + 'y'; // applied -> apply
    // the part left must hold a vowel: `string` and `spring` stay whole (Porter's step 1b)
    else if (t.length > 5 && /[aeiouy].*(ing|ed)$/.test(t)) {
      t = t.replace(/(ing|ed)$/, '');
      if (/([^aeiouy])\1$/.test(t) && !/(ll|ss|zz)$/.test(t)) t = t.slice(0, -1); // mapped -> mapp -> map
    }
    if (t.length > 4 && t.endsWith('e')) t = t.slice(0, -1); // parse, parsed, parsing -> pars
  }
  return t;
}
