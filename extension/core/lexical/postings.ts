// The content's postings: for each word of the vocabulary, the chunks of the files that hold it and
// how often. A long-lived host (the extension, `xl3m mcp`, the CLI's server) keeps them, so that a
// question reads the postings of the words that meet its terms and not every word of every file:
// on the 26,000-file monorepo a question's words are a few hundred thousand postings of 3.6
// million, where the files' words are 8.4 million.
//
// The postings are kept in segments, each built once from the words of the files it holds (a
// file's words are made once per content: wordIndex.ts) and never changed: a file whose content
// changes is a new file in a new segment, and its old entries are skipped, as are a deleted file's;
// a segment whose files are mostly gone, and many small ones, are built again from the files still
// there. What a question counts from them is exactly what a pass over its files' words counts
// (`ContentCounts`, the same record either way); only the work differs.
import type { FileWords } from './wordIndex';

/** At most this many files a segment (a file's place in its segment is 16 bits). */
const SEGMENT_FILES = 8192;
/** A segment of fewer files is small; past this many small segments, they are built again as one. */
const SMALL_SEGMENT_FILES = 1024;
const MAX_SMALL_SEGMENTS = 8;
/** A chunk's number and a word's count in a chunk are kept in 16 bits: a file past either is counted from its words. */
const LIMIT_16 = 0xffff;

/**
 * Which of the question's terms each vocabulary word meets: word `w`'s matches are
 * `term[first[w]..first[w] + count[w]]`, `stemmed` = 1 where it meets the term only by its stem.
 */
export interface WordMatches {
  first: Int32Array;
  count: Uint32Array;
  term: Int32Array;
  stemmed: Uint8Array;
  /** The words that meet a term (count > 0), ascending. */
  words: Int32Array;
}

/** A growable list of 32-bit integers. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(value: number) {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

/**
 * The question's terms in each file's content, by chunk: file `i`'s chunks are entries
 * `fileStart[i]..fileEnd[i]` (none when equal), in chunk order; entry `e`'s terms are
 * `termStart[e]..termStart[e + 1]`, in term order, each with how often it occurs as the question
 * wrote it (`exact`) and by its stem alone (`stem`).
 */
export class ContentCounts {
  readonly fileStart: Int32Array;
  readonly fileEnd: Int32Array;
  readonly chunk = new IntList();
  readonly termStart = new IntList();
  readonly term = new IntList();
  readonly exact = new IntList();
  readonly stem = new IntList();
  /** Per term: one chunk's counts while it is added, and which terms it touched. */
  private readonly chunkExact: Int32Array;
  private readonly chunkStem: Int32Array;
  private readonly touched: Int32Array;
  private touchedCount = 0;

  constructor(files: number, terms: number) {
    this.fileStart = new Int32Array(files);
    this.fileEnd = new Int32Array(files);
    this.termStart.push(0);
    this.chunkExact = new Int32Array(terms);
    this.chunkStem = new Int32Array(terms);
    this.touched = new Int32Array(terms);
  }

  /** Adds `count` occurrences of a term to the chunk being added. */
  add(term: number, stemmed: number, count: number) {
    if (this.chunkExact[term] === 0 && this.chunkStem[term] === 0) this.touched[this.touchedCount++] = term;
    if (stemmed) this.chunkStem[term] += count;
    else this.chunkExact[term] += count;
  }

  /** Ends the chunk being added (a chunk that touched no term adds nothing). */
  endChunk(chunk: number) {
    const n = this.touchedCount;
    if (n === 0) return;
    // in term order, however they were met: the sums a score adds up are then added in one order
    const terms = this.touched.subarray(0, n).sort();
    for (let i = 0; i < n; i++) {
      const t = terms[i]!;
      this.term.push(t);
      this.exact.push(this.chunkExact[t]!);
      this.stem.push(this.chunkStem[t]!);
      this.chunkExact[t] = 0;
      this.chunkStem[t] = 0;
    }
    this.touchedCount = 0;
    this.chunk.push(chunk);
    this.termStart.push(this.term.length);
  }

  beginFile(file: number) {
    this.fileStart[file] = this.chunk.length;
  }

  endFile(file: number) {
    this.fileEnd[file] = this.chunk.length;
  }
}

/** Counts a file's content from its words (a file without postings, or chunks of another size). */
export function countFromWords(fw: FileWords, matches: WordMatches, chunkLines: number, into: ContentCounts, file: number) {
  const { words, lineStarts } = fw;
  const { first, count, term, stemmed } = matches;
  into.beginFile(file);
  let line = 0;
  let chunk = -1;
  for (let k = 0; k < words.length; k++) {
    const word = words[k]!;
    const n = count[word]!;
    if (n === 0) continue;
    while (lineStarts[line + 1]! <= k) line++;
    const c = Math.floor(line / chunkLines);
    if (c !== chunk) {
      if (chunk >= 0) into.endChunk(chunk);
      chunk = c;
    }
    for (let m = first[word]!, end = m + n; m < end; m++) into.add(term[m]!, stemmed[m]!, 1);
  }
  if (chunk >= 0) into.endChunk(chunk);
  into.endFile(file);
}

/** One segment's postings, as built. */
interface Segment {
  size: number;
  /** The words it holds, ascending, and where each one's postings are: `offsets[i]..offsets[i + 1]`. */
  words: Uint32Array;
  offsets: Uint32Array;
  /** Per posting: the file's place in the segment, the chunk, the occurrences. */
  locals: Uint16Array;
  chunks: Uint16Array;
  counts: Uint16Array;
  /** Where each file's chunks start among the segment's (`slotBase[local] + chunk`), and whose each is. */
  slotBase: Uint32Array;
  slotLocal: Uint16Array;
  /** Files too large for 16 bits (a chunk's number, a count): not posted, counted from their words. */
  unposted: Uint8Array;
  /** This question: each file's place among the question's files (-1: not among them). */
  fileOf: Int32Array;
  live: number;
}

/** The postings of every file a host has ranked, by segment. */
export class ContentPostings {
  private segments: Segment[] = [];
  private readonly placeOf = new WeakMap<FileWords, { segment: Segment; local: number }>();
  /** Scratch for building (per vocabulary word) and counting (per chunk slot), grown as needed. */
  private stamp = new Int32Array(0);
  private occurrences = new Int32Array(0);
  private slotHead = new Int32Array(0);
  /** The files `update` placed last. */
  private placed: readonly FileWords[] | undefined;

  constructor(readonly chunkLines: number) {}

  /** How many segments and postings it holds (for tests and benchmarks). */
  get shape(): { segments: number; postings: number; files: number } {
    return {
      segments: this.segments.length,
      postings: this.segments.reduce((a, s) => a + s.locals.length, 0),
      files: this.segments.reduce((a, s) => a + s.size, 0),
    };
  }

  /**
   * Places the question's files (their words, in its order) in their segments, and posts those it
   * has not met (new or changed files) in new ones: yields after each segment built (a first
   * question builds them all), so that a host stays responsive.
   */
  *update(files: readonly FileWords[], vocabularySize: number): Generator<void, void> {
    // (until it is done, no question's files are placed: a cancelled update leaves none)
    this.placed = undefined;
    const unplaced = this.place(files);
    for (let from = 0; from < unplaced.length; from += SEGMENT_FILES) {
      this.post(unplaced.slice(from, from + SEGMENT_FILES), files, vocabularySize);
      yield;
    }
    this.compact(files, vocabularySize);
    this.placed = files;
  }

  /** The question's terms in the content of the files `update` was given last; undefined for other files (another question's update came between). */
  count(files: readonly FileWords[], matches: WordMatches, terms: number): ContentCounts | undefined {
    if (files !== this.placed) return undefined;
    const out = new ContentCounts(files.length, terms);
    // each file once: from its segment's postings, else (held twice, too large for them) from its words
    const counted = new Uint8Array(files.length);
    for (const segment of this.segments) this.countSegment(segment, matches, out, counted);
    for (let i = 0; i < files.length; i++) if (!counted[i]) countFromWords(files[i]!, matches, this.chunkLines, out, i);
    return out;
  }

  /**
   * For each of these words, the files (their places in the question `update` was given last) that
   * hold it; undefined for other files. A file the postings do not hold (held twice,
   * too large) is listed under every word: it may hold any.
   */
  filesHolding(files: readonly FileWords[], words: readonly number[]): Set<number>[] | undefined {
    if (files !== this.placed) return undefined;
    const holding = words.map(() => new Set<number>());
    const posted = new Uint8Array(files.length);
    for (const segment of this.segments) {
      const { fileOf, unposted } = segment;
      for (let local = 0; local < segment.size; local++) if (fileOf[local]! >= 0 && !unposted[local]) posted[fileOf[local]!] = 1;
      words.forEach((w, j) => {
        const at = search(segment.words, w);
        if (at < 0) return;
        for (let p = segment.offsets[at]!, end = segment.offsets[at + 1]!; p < end; p++) {
          const i = fileOf[segment.locals[p]!]!;
          if (i >= 0) holding[j]!.add(i);
        }
      });
    }
    for (let i = 0; i < files.length; i++) if (!posted[i]) for (const set of holding) set.add(i);
    return holding;
  }

  /** Each file's place in this question, marked in its segment; the files without one (new or changed), each once. */
  private place(files: readonly FileWords[]): number[] {
    for (const s of this.segments) {
      s.fileOf.fill(-1);
      s.live = 0;
    }
    const unplaced: number[] = [];
    const seen = new Set<FileWords>();
    for (let i = 0; i < files.length; i++) {
      const fw = files[i]!;
      const at = this.placeOf.get(fw);
      if (at && this.segments.includes(at.segment)) {
        // a file held twice (never, from a gather) keeps its first place; its second is counted from its words
        if (at.segment.fileOf[at.local] === -1) {
          at.segment.fileOf[at.local] = i;
          at.segment.live++;
        }
      } else if (!seen.has(fw)) {
        seen.add(fw);
        unplaced.push(i);
      }
    }
    return unplaced;
  }

  /** New segments (at most SEGMENT_FILES files each) for these of the question's files, placed in it. */
  private post(indexes: readonly number[], files: readonly FileWords[], vocabularySize: number) {
    for (let from = 0; from < indexes.length; from += SEGMENT_FILES) {
      const part = indexes.slice(from, from + SEGMENT_FILES);
      const segment = this.build(
        part.map((i) => files[i]!),
        vocabularySize,
      );
      part.forEach((i, local) => {
        segment.fileOf[local] = i;
        this.placeOf.set(files[i]!, { segment, local });
      });
      segment.live = part.length;
      this.segments.push(segment);
    }
  }

  /** Segments mostly of files gone, and small segments past MAX_SMALL_SEGMENTS, built again from their files in this question. */
  private compact(files: readonly FileWords[], vocabularySize: number) {
    const again = new Set(this.segments.filter((s) => s.live * 2 < s.size));
    const small = this.segments.filter((s) => s.size < SMALL_SEGMENT_FILES);
    if (small.length > MAX_SMALL_SEGMENTS) for (const s of small) again.add(s);
    if (again.size === 0) return;
    const kept: number[] = [];
    for (const s of again) for (let local = 0; local < s.size; local++) if (s.fileOf[local]! >= 0) kept.push(s.fileOf[local]!);
    this.segments = this.segments.filter((s) => !again.has(s));
    if (kept.length > 0) this.post(kept, files, vocabularySize);
  }

  /** A segment of these files' content postings. */
  private build(files: readonly FileWords[], vocabularySize: number): Segment {
    const { chunkLines } = this;
    if (this.stamp.length < vocabularySize) {
      this.stamp = new Int32Array(Math.max(vocabularySize, this.stamp.length * 2));
      this.occurrences = new Int32Array(this.stamp.length);
    }
    this.stamp.fill(-1);
    const { stamp, occurrences } = this;
    // the postings in file and chunk order, then grouped by word (a stable counting sort keeps that order within a word)
    const word = new IntList(1 << 16);
    const place = new IntList(1 << 16);
    const chunkOf = new IntList(1 << 16);
    const countOf = new IntList(1 << 16);
    const slotBase = new Uint32Array(files.length + 1);
    const unposted = new Uint8Array(files.length);
    const inChunk = new IntList();
    let chunkStamp = 0;
    for (let local = 0; local < files.length; local++) {
      const fw = files[local]!;
      const chunks = fw.lines > 0 ? Math.floor((fw.lines - 1) / chunkLines) + 1 : 0;
      const postedBefore = word.length;
      let tooLarge = chunks > LIMIT_16 + 1;
      for (let c = 0; c < chunks && !tooLarge; c++) {
        chunkStamp++;
        inChunk.length = 0;
        const to = fw.lineStarts[Math.min(fw.lines, (c + 1) * chunkLines)]!;
        for (let k = fw.lineStarts[c * chunkLines]!; k < to; k++) {
          const w = fw.words[k]!;
          if (stamp[w] !== chunkStamp) {
            stamp[w] = chunkStamp;
            occurrences[w] = 0;
            inChunk.push(w);
          }
          occurrences[w]!++;
        }
        for (let j = 0; j < inChunk.length; j++) {
          const w = inChunk.data[j]!;
          if (occurrences[w]! > LIMIT_16) tooLarge = true;
          word.push(w);
          place.push(local);
          chunkOf.push(c);
          countOf.push(occurrences[w]!);
        }
      }
      if (tooLarge) {
        // its postings taken back: counted from its words
        word.length = place.length = chunkOf.length = countOf.length = postedBefore;
        unposted[local] = 1;
      }
      slotBase[local + 1] = slotBase[local]! + (tooLarge ? 0 : chunks);
    }
    // by word: how many postings each has, where each one's start, then each posting in its place
    const perWord = new Uint32Array(vocabularySize + 1);
    for (let p = 0; p < word.length; p++) perWord[word.data[p]! + 1]!++;
    let distinct = 0;
    for (let w = 0; w < vocabularySize; w++) if (perWord[w + 1]! > 0) distinct++;
    const words = new Uint32Array(distinct);
    const offsets = new Uint32Array(distinct + 1);
    const next = new Uint32Array(vocabularySize);
    for (let w = 0, d = 0, total = 0; w < vocabularySize; w++) {
      const n = perWord[w + 1]!;
      if (n === 0) continue;
      words[d] = w;
      offsets[d] = total;
      next[w] = total;
      total += n;
      offsets[++d] = total;
    }
    const locals = new Uint16Array(word.length);
    const chunks = new Uint16Array(word.length);
    const counts = new Uint16Array(word.length);
    for (let p = 0; p < word.length; p++) {
      const at = next[word.data[p]!]!++;
      locals[at] = place.data[p]!;
      chunks[at] = chunkOf.data[p]!;
      counts[at] = countOf.data[p]!;
    }
    const slotLocal = new Uint16Array(slotBase[files.length]!);
    for (let local = 0; local < files.length; local++) slotLocal.fill(local, slotBase[local]!, slotBase[local + 1]!);
    return {
      size: files.length,
      words,
      offsets,
      locals,
      chunks,
      counts,
      slotBase,
      slotLocal,
      unposted,
      fileOf: new Int32Array(files.length).fill(-1),
      live: 0,
    };
  }

  /** A segment's postings of the matching words, counted into `out` chunk by chunk for the files this question holds. */
  private countSegment(segment: Segment, matches: WordMatches, out: ContentCounts, counted: Uint8Array) {
    const { words, offsets, locals, chunks, counts, slotBase, slotLocal, fileOf, unposted } = segment;
    const slots = slotLocal.length;
    if (this.slotHead.length < slots) this.slotHead = new Int32Array(Math.max(slots, this.slotHead.length * 2));
    const head = this.slotHead;
    head.fill(-1, 0, slots);
    // each chunk's postings as a list through `link`, newest first
    const link = new IntList(1 << 12);
    const posting = new IntList(1 << 12);
    const postingWord = new IntList(1 << 12);
    const touchedSlots = new IntList();
    let from = 0;
    for (const w of matches.words) {
      // the matching words ascend, as the segment's do: each search starts where the last ended
      let lo = from;
      let hi = words.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (words[mid]! < w) lo = mid + 1;
        else hi = mid;
      }
      from = lo;
      if (lo === words.length) break;
      if (words[lo] !== w) continue;
      for (let p = offsets[lo]!, end = offsets[lo + 1]!; p < end; p++) {
        const local = locals[p]!;
        if (fileOf[local]! < 0) continue;
        const slot = slotBase[local]! + chunks[p]!;
        if (head[slot] === -1) touchedSlots.push(slot);
        link.push(head[slot]!);
        posting.push(p);
        postingWord.push(w);
        head[slot] = link.length - 1;
      }
    }
    const order = touchedSlots.data.subarray(0, touchedSlots.length).sort();
    const { first, count, term, stemmed } = matches;
    let file = -1;
    for (const slot of order) {
      const local = slotLocal[slot]!;
      const i = fileOf[local]!;
      if (i !== file) {
        if (file >= 0) out.endFile(file);
        file = i;
        out.beginFile(i);
        counted[i] = 1;
      }
      for (let r = head[slot]!; r !== -1; r = link.data[r]!) {
        const p = posting.data[r]!;
        const w = postingWord.data[r]!;
        for (let m = first[w]!, end = m + count[w]!; m < end; m++) out.add(term[m]!, stemmed[m]!, counts[p]!);
      }
      out.endChunk(slot - slotBase[local]!);
      head[slot] = -1;
    }
    if (file >= 0) out.endFile(file);
    // the question's other files in it hold none of its words: counted (as nothing), but those not posted
    for (let local = 0; local < segment.size; local++) if (fileOf[local]! >= 0 && !unposted[local]) counted[fileOf[local]!] = 1;
  }
}

/** Where `w` is in the ascending `words`; -1 when it is not. */
function search(words: Uint32Array, w: number): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[mid]! < w) lo = mid + 1;
    else hi = mid;
  }
  return lo < words.length && words[lo] === w ? lo : -1;
}
