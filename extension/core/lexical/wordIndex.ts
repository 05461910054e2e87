// What the lexical ranking needs of a file that does not depend on the question, computed once
// per file content and kept while the file is unchanged: its words as ids into one vocabulary,
// where its lines start, the words of the names it declares, and its lengths. A question then
// touches only the words that meet its terms (found through the vocabulary's stems), not the text.
import { terms } from './bm25';
import { declaredName } from './declarations';
import { definitionsOf, rankedByStructure } from '../structure/definitions';
import { importKeys } from '../structure/imports';
import { stem, type Stemming } from './stem';
import { ownString } from '../ownString';
import { ContentPostings } from './postings';

const WORD = /[\p{L}\p{N}_]+/gu;

/**
 * The most words whose parts and stems a vocabulary keeps for questions (`partsWithStems`): a
 * question on the monorepo meets 1,800-4,700 words, so several questions' worth; 100,000 words'
 * parts and stems took 30.8 MiB, so this bound about 6 MiB.
 */
const MAX_STEMMED_WORDS = 20_000;

/** A file as the lexical ranking reads it. */
export interface LexicalFile {
  path: string;
  text: string;
  /** Where it is read from (a long-lived host lets go of its text once its words are made: `LexicalIndex.onAnalysed`). */
  absPath?: string;
}

/** A file's words, in order, as vocabulary ids. */
export interface FileWords {
  path: Uint32Array;
  /** The content's words, line after line. */
  words: Uint32Array;
  /** Where each line's words start in `words`; one more entry than lines, the last = words.length. */
  lineStarts: Uint32Array;
  /** Terms per line (a word counts its parts, as `terms` splits it). */
  lineLengths: Uint32Array;
  /** The words of the names the file declares, in line order. */
  definitions: Uint32Array;
  pathLength: number;
  contentLength: number;
  definitionLength: number;
  /** Lines as the text splits at newlines (a final newline starts an empty last one). */
  lines: number;
  /** Lines as a person counts them: a final newline ends the last line, it does not start another. */
  textLines: number;
  /** Its import keys (structure/imports.ts) one per line; '' for none. */
  imports: string;
}

/** Every distinct word met, each with its parts (`terms`), and which words hold a part of a given stem. */
export class Vocabulary {
  /** word -> id; built when first needed (a vocabulary restored from disk may never need it). */
  private ids: Map<string, number> | undefined;
  readonly words: string[];
  /** How many terms each word counts for (its parts, and itself when split). */
  readonly splitLengths: number[];
  private readonly byStem = new Map<Stemming, StemIndex>();
  /** Per stemming, the parts and stems of the words questions met (`partsWithStems`). */
  private readonly stemmedParts = new Map<Stemming, Map<number, readonly string[]>>();

  constructor(snapshot?: VocabularySnapshot) {
    this.words = snapshot ? (snapshot.words === '' ? [] : snapshot.words.split('\n')) : [];
    this.splitLengths = [];
    // a loop: Array.from on a typed array of 200,000 takes fifty times as long
    for (const n of snapshot?.splitLengths ?? []) this.splitLengths.push(n);
    if (snapshot && (this.words.length !== this.splitLengths.length || this.words.some((w) => w === '')))
      throw new Error('the vocabulary does not hold together');
    for (const s of snapshot?.stems ?? []) {
      const keys = s.stems === '' ? [] : s.stems.split('\n');
      if (
        keys.length + 1 !== s.offsets.length ||
        keys.some((k, i) => i > 0 && keys[i - 1]! >= k) ||
        s.indexed > this.words.length ||
        s.offsets[keys.length] !== s.ids.length
      )
        throw new Error('the stem index does not hold together');
      this.byStem.set(s.stemming, { indexed: s.indexed, words: new Map(), restored: { keys, offsets: s.offsets, ids: s.ids } });
    }
  }

  get size() {
    return this.words.length;
  }

  /** The ids of those of these words it holds, without growing (one pass over the words when the word map is not built yet). */
  lookup(words: ReadonlySet<string>): Map<string, number> {
    const out = new Map<string, number>();
    if (words.size === 0) return out;
    if (this.ids) {
      for (const w of words) if (this.ids.has(w)) out.set(w, this.ids.get(w)!);
    } else this.words.forEach((w, i) => void (words.has(w) && out.set(w, i)));
    return out;
  }

  id(word: string): number {
    if (!this.ids) {
      // a loop, not a map over [word, id] pairs: 200,000 short-lived arrays cost more than the map itself
      this.ids = new Map();
      for (let i = 0; i < this.words.length; i++) this.ids.set(this.words[i]!, i);
    }
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      // kept for good: a copy, not a view on the text the word was found in
      const own = ownString(word);
      this.ids.set(own, id);
      this.words.push(own);
      this.splitLengths.push(terms(own).length);
    }
    return id;
  }

  /** Adds words written after the vocabulary was (a journal's), each new to it, in order: their ids are those they had when written. */
  append(words: readonly string[]) {
    for (const word of words) {
      const expected = this.words.length;
      if (typeof word !== 'string' || word === '' || word.includes('\n') || this.id(word) !== expected) throw new Error('the added words do not hold together');
    }
  }

  /**
   * The word's parts (`terms`), each followed by its stem: [part, stem, part, stem, ...]. Kept for
   * the words a question met: the next question meets most of them again (every word with a part
   * `server`, say), and splitting and stemming them again was a sixth of a warm question's ranking.
   */
  partsWithStems(id: number, stemming: Stemming): readonly string[] {
    let known = this.stemmedParts.get(stemming);
    if (!known) this.stemmedParts.set(stemming, (known = new Map()));
    let parts = known.get(id);
    if (!parts) {
      if (known.size >= MAX_STEMMED_WORDS) known.clear();
      parts = terms(this.words[id]!).flatMap((p) => [p, stem(p, stemming)]);
      known.set(id, parts);
    }
    return parts;
  }

  /** The ids of the words one of whose parts has this stem (the index grows with the vocabulary). */
  wordsWithStem(s: string, stemming: Stemming): ArrayLike<number> & Iterable<number> {
    let index = this.byStem.get(stemming);
    if (!index) this.byStem.set(stemming, (index = { indexed: 0, words: new Map() }));
    for (; index.indexed < this.words.length; index.indexed++) {
      const id = index.indexed;
      for (const part of new Set(terms(this.words[id]!).map((p) => stem(p, stemming)))) {
        const list = index.words.get(part);
        if (list) list.push(id);
        else index.words.set(part, [...restoredList(index, part), id]);
      }
    }
    return index.words.get(s) ?? restoredList(index, s);
  }

  /** Everything above in plain arrays and strings, for the disk (store/indexStore.ts). */
  toSnapshot(): VocabularySnapshot {
    return {
      words: this.words.join('\n'),
      splitLengths: Uint32Array.from(this.splitLengths),
      stems: [...this.byStem].map(([stemming, index]) => {
        const restored = index.restored;
        // nothing grown since it was read: the lists as the disk gave them
        if (restored && index.words.size === 0)
          return { stemming, indexed: index.indexed, stems: restored.keys.join('\n'), offsets: restored.offsets, ids: restored.ids };
        // the restored stems (sorted) and the grown ones merged in one pass, each with its list: a grown list holds the restored one
        const grown = [...index.words.keys()].sort();
        const restoredKeys = restored?.keys ?? [];
        const keys: string[] = [];
        const lists: (Uint32Array | readonly number[])[] = [];
        for (let r = 0, g = 0; r < restoredKeys.length || g < grown.length;) {
          const fromRestored = g >= grown.length || (r < restoredKeys.length && restoredKeys[r]! <= grown[g]!);
          const key = fromRestored ? restoredKeys[r]! : grown[g]!;
          if (fromRestored && key === grown[g]) g++; // the same stem, grown: its grown list
          keys.push(key);
          lists.push(index.words.get(key) ?? restored!.ids.subarray(restored!.offsets[r]!, restored!.offsets[r + 1]!));
          if (fromRestored) r++;
          else g++;
        }
        const offsets = new Uint32Array(keys.length + 1);
        let total = 0;
        for (const [i, list] of lists.entries()) {
          offsets[i] = total;
          total += list.length;
        }
        offsets[keys.length] = total;
        const ids = new Uint32Array(total);
        for (const [i, list] of lists.entries()) ids.set(list, offsets[i]);
        return { stemming, indexed: index.indexed, stems: keys.join('\n'), offsets, ids };
      }),
    };
  }
}

/** A stem's words as the disk gave them (none if it gave none); a list that grows is copied into `words` first. */
function restoredList(index: StemIndex, s: string): Uint32Array | readonly number[] {
  const r = index.restored;
  if (!r) return [];
  // the stems are stored in code-unit order: a binary search, where a map of them would take longer to build than the rest of the index
  let lo = 0;
  let hi = r.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r.keys[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return r.keys[lo] === s ? r.ids.subarray(r.offsets[lo]!, r.offsets[lo + 1]!) : [];
}

interface StemIndex {
  /** Words below this id are indexed. */
  indexed: number;
  /** Each stem's words: those grown in this process (a restored list is copied here when it grows), */
  words: Map<string, number[]>;
  /** and those read from disk, flattened as stored. */
  restored?: { keys: string[]; offsets: Uint32Array; ids: Uint32Array };
}

/** A vocabulary as stored: its words one per line (a word never holds a newline), and its stem indexes flattened. */
export interface VocabularySnapshot {
  words: string;
  splitLengths: Uint32Array;
  stems: { stemming: Stemming; indexed: number; stems: string; offsets: Uint32Array; ids: Uint32Array }[];
}

/**
 * A vocabulary and each file's words, kept per file object: a long-lived host (the extension, `xl3m
 * mcp`) hands the same object for an unchanged file, so its words are not read again.
 */
export class LexicalIndex {
  readonly vocabulary: Vocabulary;
  /** Declared names from syntax trees where a grammar is loaded (false: from the line patterns alone, for a measurement). */
  readonly structure: boolean;
  private readonly files = new WeakMap<LexicalFile, FileWords>();
  /** Told of each file once its words are made (a long-lived host no longer needs its text: warmIndex.ts). */
  onAnalysed: ((file: LexicalFile) => void) | undefined;
  /** The content's postings, kept by a host that answers many questions (`keepPostings`); by chunk size. */
  private postings: ContentPostings | undefined;
  private postingsKept = false;

  constructor(vocabulary = new Vocabulary(), options: { structure?: boolean } = {}) {
    this.vocabulary = vocabulary;
    this.structure = options.structure ?? true;
  }

  wordsOf(file: LexicalFile): FileWords {
    let words = this.files.get(file);
    if (!words) {
      this.files.set(file, (words = analyse(file, this.vocabulary, this.structure)));
      this.onAnalysed?.(file);
    }
    return words;
  }

  /**
   * Keeps the content's postings from the next question on (postings.ts): a question then reads
   * the postings of its words instead of every file's words. For a host that answers many
   * questions; building them costs its first question 0.3-0.8 s on the 26,000-file monorepo
   * (3.6 million postings, 22 MB).
   */
  keepPostings() {
    this.postingsKept = true;
  }

  /** The postings for chunks of this many lines, if they are kept (those of another size are let go). */
  postingsFor(chunkLines: number): ContentPostings | undefined {
    if (!this.postingsKept) return undefined;
    if (this.postings?.chunkLines !== chunkLines) this.postings = new ContentPostings(chunkLines);
    return this.postings;
  }

  /** The file's words if they are known, without analysing it. */
  knownWordsOf(file: LexicalFile): FileWords | undefined {
    return this.files.get(file);
  }

  /** Words analysed earlier (restored from disk) for this file object, whose ids are this vocabulary's. */
  remember(file: LexicalFile, words: FileWords) {
    this.files.set(file, words);
  }
}

// The words of a text as `WORD` finds them, by hand: the pattern's `exec` made an array and a
// string per word (8 million words on the 26,000-file monorepo), the scan only the word's string.
/** A letter or number (any script) right at `lastIndex` (sticky: tested in place, no string made). */
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/uy;

/** Whether the code point at `i` is part of a word; its length in UTF-16 units when it is, else 0. */
function wordUnitAt(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 ? 1 : 0;
  LETTER_OR_NUMBER.lastIndex = i;
  return LETTER_OR_NUMBER.test(text) ? LETTER_OR_NUMBER.lastIndex - i : 0;
}

/** Where the next word starts at or after `from`; -1 when none does. */
function nextWordStart(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    // a code point outside the word characters: step over it whole (a pair of surrogates is one)
    if (wordUnitAt(text, i) > 0) return i;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return -1;
}

/** Where the word starting at `start` ends. */
function wordEnd(text: string, start: number): number {
  let i = start;
  for (let n = wordUnitAt(text, i); n > 0; n = wordUnitAt(text, i)) i += n;
  return i;
}

/** A growable list of 32-bit ids. */
class IdList {
  private data = new Uint32Array(64);
  length = 0;
  push(value: number) {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

function analyse(file: LexicalFile, vocabulary: Vocabulary, structure: boolean): FileWords {
  const { splitLengths } = vocabulary;
  const idsOf = (text: string, into: IdList): number => {
    let length = 0;
    for (const word of text.match(WORD) ?? []) {
      const id = vocabulary.id(word);
      into.push(id);
      length += splitLengths[id]!;
    }
    return length;
  };
  const path = new IdList();
  const pathLength = idsOf(file.path, path);
  const words = new IdList();
  const lineStarts = new IdList();
  const lineLengths = new IdList();
  const definitions = new IdList();
  let contentLength = 0;
  let definitionLength = 0;
  const text = file.text;
  // the names the file defines: from its syntax tree where its language's grammar is loaded, else line by line from patterns
  const parsed = structure && rankedByStructure(file.path) ? definitionsOf(file.path, text) : undefined;
  // one pass over the whole text (a word never spans lines), lines found as it goes
  let lineStart = 0;
  let lineEnd = text.indexOf('\n');
  if (lineEnd < 0) lineEnd = text.length;
  let first = 0;
  let length = 0;
  const endLine = () => {
    // a line with no word declares nothing
    if (!parsed && words.length > first && lineEnd - lineStart < 400) {
      const name = declaredName(text.slice(lineStart, lineEnd));
      if (name) definitionLength += idsOf(name, definitions);
    }
    lineStarts.push(first);
    lineLengths.push(length);
    contentLength += length;
    length = 0;
    first = words.length;
    lineStart = lineEnd + 1;
    lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
  };
  for (let start = nextWordStart(text, 0); start >= 0;) {
    const end = wordEnd(text, start);
    while (start > lineEnd) endLine();
    const id = vocabulary.id(text.slice(start, end));
    words.push(id);
    length += splitLengths[id]!;
    start = nextWordStart(text, end);
  }
  // the lines after the last word, the last one (after a final newline, empty) included
  while (lineStart <= text.length) endLine();
  lineStarts.push(words.length);
  for (const d of parsed ?? []) definitionLength += idsOf(d.name, definitions);
  return {
    path: path.toArray(),
    words: words.toArray(),
    lineStarts: lineStarts.toArray(),
    lineLengths: lineLengths.toArray(),
    definitions: definitions.toArray(),
    pathLength,
    contentLength,
    definitionLength,
    lines: lineLengths.length,
    textLines: lineLengths.length > 1 && text.endsWith('\n') ? lineLengths.length - 1 : lineLengths.length,
    imports: importKeys(file.path, text).join('\n'),
  };
}
