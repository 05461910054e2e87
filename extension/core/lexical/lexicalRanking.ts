// File-level lexical relevance over the whole repository: BM25F with the path, the names a file
// declares and its content as fields, the evidence of a big file's parts combined, files the
// question names (tracebacks, module paths) lifted, a prior for the kind of file, and the files
// that import the best ones lifted (one hop back along the file graph). What ranks when no model is
// configured, and the lexical half of the fusion when one is.
import { terms } from './bm25';
import { codeNames, isMentioned, PRIORS, questionHints } from './priors';
import { stem, type Stemming } from './stem';
import { rankedByStructure } from '../structure/definitions';
import { ParsingAhead } from '../structure/parseAhead';
import { LexicalIndex, type FileWords, type LexicalFile } from './wordIndex';
import { ContentCounts, countFromWords, type WordMatches } from './postings';
import { fileKind, type FileKind } from '../files/fileKind';
import { mergeRanges } from '../xl3m/select';
import type { LineRange } from '../types';
import { focusedRanges, type LineMatches } from './focusedRanges';
import { mayRaise, messageRuns, quotedErrorMessages, raisedShare } from './quotedErrors';
import { tracebackFrames } from './tracebacks';
import { lastPartOf, namesOf, resolverFor, type ImportResolver } from '../structure/imports';

export interface LexicalParams {
  k1: number;
  /** Field weights (term frequency multipliers) and length normalisation. */
  pathWeight: number;
  definitionWeight: number;
  contentB: number;
  /** Length normalisation of the declared names; 0 (the default): a declared name is evidence however many others the file declares. */
  definitionB: number;
  /** Lines per chunk: a big file's parts are scored as documents of their own. */
  chunkLines: number;
  /** How much the best chunks add to the whole file's score (sum of the best `chunkCount`). */
  chunkWeight: number;
  chunkCount: number;
  /** A question's repeated term counts more, saturating (BM25's k3); 0 counts each term once. */
  queryK3: number;
  /** Multiplier for a file the question names by path or module. */
  mentionBoost: number;
  /** Multiplier for the file of a pasted traceback's innermost frame among the repository's files (tracebacks.ts), on top of `mentionBoost`. */
  innermostFrameBoost: number;
  /** Multiplier for a file that defines a name the question gives as code (priors.ts, `codeNames`). */
  definerBoost: number;
  /** The same when the question asks where something is defined, declared or implemented. */
  definitionAskedBoost: number;
  /** Multiplier for a file that holds, in order, at least `raiserShare` of an error message the question quotes (quotedErrors.ts). */
  raiserBoost: number;
  raiserShare: number;
  /** Score multiplier per kind; `docs` is 1 when the question is about documentation. */
  kindPrior: Record<FileKind, number>;
  /** Multiplier for records of past changes and issue templates (changelogs, release notes, changesets), which echo every issue's words. */
  echoPrior: number;
  /** Multiplier for a file under a folder the question names by a compound name (`runtime-core`, `language_css`). */
  folderBoost: number;
  /** Where a question must name documentation for docs to be exempt from their prior: its first line only, or anywhere. */
  docsFromTitle: boolean;
  /** Term statistics (document frequency, average lengths) from the source files alone: fixtures and generated files by the thousand would otherwise decide which words are rare. */
  statsFromSource: boolean;
  /** Words compared by their stem (`callbacks`, `callback`): 'none', 'plural' (-s, -es, -ies), or 'light' (also -ed, -ing). */
  stemming: Stemming;
  /** What a word counts when it meets the question's word only by its stem (the word itself counts 1). */
  stemMatchWeight: number;
  /** The priors (priors.ts) applied, by name; all when absent. */
  priors?: readonly string[];
  /** Declared names from each file's syntax tree (structure/), where its grammar is loaded; false: from the line patterns alone. */
  structure?: boolean;
  /** The best this many files show the lines where the question's words gather (focusedRanges.ts); the rest, and all when 0, their best chunks. */
  focusedFiles: number;
  /**
   * What a file that imports one of the best `importerFrom` files gains: this share of that file's
   * score, divided among the files it imports (structure/imports.ts; 0: nothing). Only a file with
   * evidence of its own gains.
   */
  importerWeight: number;
  importerFrom: number;
}

export const DEFAULT_LEXICAL_PARAMS: LexicalParams = {
  k1: 2,
  pathWeight: 5,
  definitionWeight: 6,
  contentB: 0.75,
  definitionB: 0,
  chunkLines: 60,
  chunkWeight: 0.5,
  chunkCount: 2,
  queryK3: 1.5,
  mentionBoost: 1.5,
  innermostFrameBoost: 1.5,
  definerBoost: 2,
  definitionAskedBoost: 4,
  raiserBoost: 2,
  raiserShare: 0.5,
  kindPrior: { source: 1, test: 0.15, docs: 0.3, config: 0.3, generated: 0.1, other: 0.4 },
  echoPrior: 0.25,
  folderBoost: 1.2,
  docsFromTitle: true,
  statsFromSource: false,
  stemming: 'light',
  stemMatchWeight: 0.7,
  // as many as the key context without a model looks at (selectLexicalContext): nobody reads further down
  focusedFiles: 64,
  importerWeight: 0.3,
  importerFrom: 5,
};

export interface FileEvidence {
  /** Higher = more relevant; 0 = nothing in common with the question. */
  score: number;
  kind: FileKind;
  /** The file's best-matching lines (its best chunks, merged, in line order). */
  ranges: LineRange[];
  /** The question names this file (a traceback frame, a module path, its file name). */
  mentioned: boolean;
}

/**
 * The question's terms and how often each occurs. Bare numbers are left out (line numbers,
 * timestamps and counters match data tables, not the code in question), and a line that repeats
 * an earlier one but for its numbers counts once: a pasted log's template words would otherwise
 * outweigh the sentence that asks.
 */
function queryTerms(question: string, stemming: Stemming): { query: { term: string; qtf: number }[]; surface: Set<string> } {
  const counts = new Map<string, number>();
  const surface = new Set<string>();
  const seen = new Set<string>();
  for (const line of question.split('\n')) {
    const shape = line.replace(/\d+/g, '0').trim();
    if (shape.length > 12) {
      if (seen.has(shape)) continue;
      seen.add(shape);
    }
    for (const t of terms(line)) {
      if (/^\d+$/.test(t)) continue;
      const s = stem(t, stemming);
      counts.set(s, (counts.get(s) ?? 0) + 1);
      surface.add(t);
    }
  }
  return { query: [...counts].map(([term, qtf]) => ({ term, qtf })), surface };
}

/** The counts of a file with no word of the question in a field: shared, never written. */
const NO_COUNTS: ReadonlyMap<number, number> = new Map();
const NO_CHUNKS: ReadonlyMap<number, Map<number, number>> = new Map();

/** Per-file counts of the question's terms, by field and by chunk. */
export interface FileStats {
  contentLength: number;
  pathLength: number;
  definitionLength: number;
  content: ReadonlyMap<number, number>;
  path: ReadonlyMap<number, number>;
  definitions: ReadonlyMap<number, number>;
  /** chunk index -> term id -> count */
  chunks: ReadonlyMap<number, ReadonlyMap<number, number>>;
  /** The terms in each chunk that holds a word of the question (chunk index -> length). */
  chunkLengths: ReadonlyMap<number, number>;
  /** How many chunks the file has (their lengths add up to `contentLength`). */
  chunkCount: number;
  lines: number;
  /** The file defines a name the question gives as code. */
  definesNamed: boolean;
  /** The largest share of an error message quoted in the question that the file's words hold, in order (quotedErrors.ts); 0 for none. */
  raises: number;
  /** Its import keys, one per line (FileWords.imports). */
  imports: string;
}

export interface LexicalRanking {
  /** Each file's evidence, in the order the files were given. */
  files: FileEvidence[];
  /** Inverse document frequency in this repository of one of the question's terms (0 for a term no file has, or not the question's). */
  idf(term: string): number;
}

/**
 * Every file's lexical evidence for the question. The work is one pass over each file's words;
 * only the question's terms are counted.
 */
export function rankFilesLexically(
  files: readonly LexicalFile[],
  question: string,
  params: LexicalParams = DEFAULT_LEXICAL_PARAMS,
  signal?: AbortSignal,
  index = new LexicalIndex(undefined, { structure: params.structure ?? true }),
): LexicalRanking {
  return scoreLexically(countQuestionTerms(files, question, params, signal, index), params);
}

/** The counts a lexical ranking is computed from (one pass over the files; scoring them again with other parameters is cheap). */
export interface QuestionTermCounts {
  files: readonly LexicalFile[];
  question: string;
  query: { term: string; qtf: number }[];
  chunkLines: number;
  stemming: Stemming;
  stemMatchWeight: number;
  structure: boolean;
  /** Per file, in the files' order: its words (lengths, lines, imports), the question's terms in its content (by chunk), path and declared names, whether it defines a name the question gives as code, and the share of a quoted error message it holds. */
  fileWords: readonly FileWords[];
  content: ContentCounts;
  path: readonly ReadonlyMap<number, number>[];
  definitions: readonly ReadonlyMap<number, number>[];
  definesNamed: Uint8Array;
  raises: Float64Array;
  /** The same per file as maps (made when first asked: a benchmark's own scoring reads them). */
  readonly stats: FileStats[];
  /** The lines of file `i` that hold one of the question's terms, and what each term counts there (read again from the file's words when asked). */
  lineMatches(i: number): LineMatches;
}

type CountingParams = Pick<LexicalParams, 'chunkLines' | 'stemming' | 'stemMatchWeight' | 'structure'>;

export function countQuestionTerms(
  files: readonly LexicalFile[],
  question: string,
  params: CountingParams,
  signal?: AbortSignal,
  index = new LexicalIndex(undefined, { structure: params.structure ?? true }),
): QuestionTermCounts {
  const steps = countingSteps(files, question, params, index);
  for (;;) {
    signal?.throwIfAborted();
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * What each word of the vocabulary that meets the question counts for, as flat arrays: the word's
 * matches are `term[first[w]..first[w] + count[w]]` with `weight` alongside (1, or
 * `stemMatchWeight` where `stemmed`), in the order of the word's parts (the order the counts add
 * up in); `count[w]` = 0 for a word that does not meet it.
 */
interface QuestionMatches extends WordMatches {
  weight: Float64Array;
}

/** The matches of the words `each` adds as [term, stemmed (0 or 1)] pairs (a word added twice counts once). */
function questionMatches(vocabularySize: number, stemMatchWeight: number, each: (add: (word: number, matches: number[]) => void) => void): QuestionMatches {
  const first = new Int32Array(vocabularySize);
  const count = new Uint32Array(vocabularySize);
  const termList: number[] = [];
  const stemmedList: number[] = [];
  const words: number[] = [];
  each((word, matches) => {
    if (count[word]! > 0 || matches.length === 0) return;
    first[word] = termList.length;
    count[word] = matches.length / 2;
    words.push(word);
    for (let m = 0; m < matches.length; m += 2) {
      termList.push(matches[m]!);
      stemmedList.push(matches[m + 1]!);
    }
  });
  return {
    first,
    count,
    term: Int32Array.from(termList),
    stemmed: Uint8Array.from(stemmedList),
    weight: Float64Array.from(stemmedList, (stemmed) => (stemmed ? stemMatchWeight : 1)),
    words: Int32Array.from(words).sort(),
  };
}

/**
 * A file's content counts (postings.ts: `ContentCounts`, from its postings or its words) as the
 * ranking reads them: per term, and per chunk that holds one, what its occurrences count (1 each as
 * the question wrote it, `stemMatchWeight` by its stem alone), in term order; and those chunks'
 * lengths. The same counts give the same sums, added in the same order, however they were made.
 */
function contentOf(
  counted: ContentCounts,
  file: number,
  fw: FileWords,
  chunkLines: number,
  stemMatchWeight: number,
  scratch: { exact: Int32Array; stem: Int32Array; touched: Int32Array },
): Pick<FileStats, 'content' | 'chunks' | 'chunkLengths'> {
  const from = counted.fileStart[file]!;
  const to = counted.fileEnd[file]!;
  if (from === to) return { content: NO_COUNTS, chunks: NO_CHUNKS, chunkLengths: NO_COUNTS };
  const { chunk, termStart, term, exact, stem } = counted;
  const chunks = new Map<number, Map<number, number>>();
  const chunkLengths = new Map<number, number>();
  let touched = 0;
  for (let e = from; e < to; e++) {
    const counts = new Map<number, number>();
    for (let k = termStart.data[e]!, end = termStart.data[e + 1]!; k < end; k++) {
      const t = term.data[k]!;
      counts.set(t, exact.data[k]! + stemMatchWeight * stem.data[k]!);
      if (scratch.exact[t] === 0 && scratch.stem[t] === 0) scratch.touched[touched++] = t;
      scratch.exact[t] += exact.data[k]!;
      scratch.stem[t] += stem.data[k]!;
    }
    const c = chunk.data[e]!;
    chunks.set(c, counts);
    chunkLengths.set(c, chunkLength(fw, c, chunkLines));
  }
  const content = new Map<number, number>();
  for (const t of scratch.touched.subarray(0, touched).sort()) {
    content.set(t, scratch.exact[t]! + stemMatchWeight * scratch.stem[t]!);
    scratch.exact[t] = 0;
    scratch.stem[t] = 0;
  }
  return { content, chunks, chunkLengths };
}

const chunkCountOf = (fw: FileWords, chunkLines: number) => (fw.lines > 0 ? Math.floor((fw.lines - 1) / chunkLines) + 1 : 0);

/** The terms of a file's chunk (its lines' lengths added up). */
function chunkLength(fw: FileWords, chunk: number, chunkLines: number): number {
  let length = 0;
  for (let line = chunk * chunkLines, end = Math.min(fw.lines, line + chunkLines); line < end; line++) length += fw.lineLengths[line]!;
  return length;
}

/** Whether one of these declared words (vocabulary ids) is one of the names, case aside. */
function definesOneOf(definitions: Uint32Array, named: ReadonlySet<string>, words: readonly string[]): boolean {
  for (const id of definitions) if (named.has(words[id]!.toLowerCase())) return true;
  return false;
}

/** As `rankFilesLexically`, yielding to the event loop every few hundred files: an extension host stays responsive and a cancel lands. */
export async function rankFilesLexicallyAsync(
  files: readonly LexicalFile[],
  question: string,
  params: LexicalParams = DEFAULT_LEXICAL_PARAMS,
  signal?: AbortSignal,
  index = new LexicalIndex(undefined, { structure: params.structure ?? true }),
  /** How many of the files whose words were not known are analysed so far, every few hundred (a first build's progress). */
  onAnalysed?: (analysed: number, toAnalyse: number) => void,
): Promise<LexicalRanking & { notes: string[] }> {
  // the syntax trees of the files to analyse, read ahead in the structure process (else their grammars loaded here, before any is read: what a file defines is then the same whenever it is read)
  const ahead = await ParsingAhead.start(files.filter((f) => index.structure && !index.knownWordsOf(f) && rankedByStructure(f.path)));
  try {
    const steps = countingSteps(files, question, params, index, onAnalysed, ahead);
    for (;;) {
      signal?.throwIfAborted();
      const step = steps.next();
      if (step.done) return { ...scoreLexically(step.value, params), notes: ahead.problems };
      await (step.value ?? new Promise((resolve) => setImmediate(resolve)));
    }
  } finally {
    ahead.dispose();
  }
}

/**
 * The question's terms counted in each file, pausing (yield) every 256 files. A file's words come
 * from the index (read once per file content); the question reaches only the vocabulary's words that
 * share a stem with one of its terms, and each file's occurrences of those.
 */
function* countingSteps(
  files: readonly LexicalFile[],
  question: string,
  { chunkLines, stemming, stemMatchWeight }: CountingParams,
  index: LexicalIndex,
  onAnalysed?: (analysed: number, toAnalyse: number) => void,
  /** Yields when a file's syntax tree is still being read elsewhere: the caller waits for it. */
  ahead?: ParsingAhead,
): Generator<Promise<void> | void, QuestionTermCounts> {
  const { query, surface } = queryTerms(question, stemming);
  const named = codeNames(question);
  const termId = new Map(query.map((q, i) => [q.term, i]));
  const vocabulary = index.vocabulary;
  // a word's query terms, each with whether it meets it only by its stem, in the order of the word's parts (the order the counts add up in)
  const matchesOfWord = (id: number): number[] => {
    const ids: number[] = [];
    const parts = vocabulary.partsWithStems(id, stemming);
    for (let k = 0; k < parts.length; k += 2) {
      const t = termId.get(parts[k + 1]!);
      if (t !== undefined) ids.push(t, surface.has(parts[k]!) ? 0 : 1);
    }
    return ids;
  };
  // every file's words first (read from the index, or analysed now), then the words that meet the question
  const fileWords: FileWords[] = [];
  let toAnalyse = 0;
  if (onAnalysed) for (const f of files) if (!index.knownWordsOf(f)) toAnalyse++;
  let analysed = 0;
  // (index loops here and below: an entry iterator in a generator costs an object per file, every question)
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    if (i > 0 && i % 256 === 0) {
      if (toAnalyse > 0) onAnalysed!(analysed, toAnalyse);
      yield;
    }
    if (!index.knownWordsOf(f)) {
      if (toAnalyse > 0) analysed++;
      const parsing = ahead?.waitFor(f.path);
      if (parsing) yield parsing;
    }
    fileWords.push(index.wordsOf(f));
  }
  if (toAnalyse > 0) onAnalysed!(analysed, toAnalyse);
  // (after every file's words are known: their ids are the vocabulary's)
  // the error messages the question quotes, as runs of vocabulary ids; a file is searched for them only when it holds a word of the question
  const quoted = messageRuns(quotedErrorMessages(question), index.vocabulary).filter((m) => m.runs.length > 0);
  const firstWords = new Uint8Array(vocabulary.size);
  for (const m of quoted) for (const r of m.runs) firstWords[r[0]!] = 1;
  const matches = questionMatches(vocabulary.size, stemMatchWeight, (add) => {
    for (const q of query) for (const id of vocabulary.wordsWithStem(q.term, stemming)) add(id, matchesOfWord(id));
  });
  // most files hold no word of the question: they share one empty map, and a map is made at a file's first match
  const countInto = (words: Uint32Array): ReadonlyMap<number, number> => {
    let into: Map<number, number> | undefined;
    for (let k = 0; k < words.length; k++) {
      const word = words[k]!;
      const n = matches.count[word]!;
      if (n === 0) continue;
      into ??= new Map();
      for (let m = matches.first[word]!, end = m + n; m < end; m++) into.set(matches.term[m]!, (into.get(matches.term[m]!) ?? 0) + matches.weight[m]!);
    }
    return into ?? NO_COUNTS;
  };

  // the content's counts: from the postings a long-lived host keeps (built for the files it has not met), else from every file's words
  const postings = index.postingsFor(chunkLines);
  if (postings) yield* postings.update(fileWords, vocabulary.size);
  // (undefined where another question on the same index updated them meanwhile: hosts ask one at a time)
  let counted = postings?.count(fileWords, matches, query.length);
  if (!counted) {
    counted = new ContentCounts(fileWords.length, query.length);
    for (let i = 0; i < fileWords.length; i++) {
      if (i > 0 && i % 1024 === 0) yield;
      countFromWords(fileWords[i]!, matches, chunkLines, counted, i);
    }
  }
  // the other fields per file, most of them shared empty maps (the question's words are rarely in a file's path or declared names)
  const path: ReadonlyMap<number, number>[] = [];
  const definitions: ReadonlyMap<number, number>[] = [];
  const definesNamed = new Uint8Array(fileWords.length);
  const raises = new Float64Array(fileWords.length);
  // with postings, only the files that hold the words of three runs of a quoted message are searched for them
  let searched: Set<number> | undefined;
  if (quoted.length > 0 && postings) {
    const words = [...new Set(quoted.flatMap((m) => m.runs.flatMap((r) => [...r])))];
    const holding = postings.filesHolding(fileWords, words);
    if (holding) searched = mayRaise(quoted, (w) => holding[words.indexOf(w)]!);
  }
  for (let i = 0; i < fileWords.length; i++) {
    const fw = fileWords[i]!;
    path.push(countInto(fw.path));
    definitions.push(countInto(fw.definitions));
    if (named.size > 0 && definesOneOf(fw.definitions, named, vocabulary.words)) definesNamed[i] = 1;
    if (quoted.length > 0 && counted.fileStart[i] !== counted.fileEnd[i] && (!searched || searched.has(i)))
      raises[i] = raisedShare(fw.words, quoted, firstWords);
  }
  const lineMatches = (i: number): LineMatches => {
    const fw = fileWords[i]!;
    const lines = new Map<number, Map<number, number>>();
    for (let line = 0; line < fw.lines; line++) {
      for (let k = fw.lineStarts[line]!; k < fw.lineStarts[line + 1]!; k++) {
        const word = fw.words[k]!;
        const n = matches.count[word]!;
        if (n === 0) continue;
        const counts = lines.get(line) ?? lines.set(line, new Map()).get(line)!;
        for (let m = matches.first[word]!, end = m + n; m < end; m++) counts.set(matches.term[m]!, (counts.get(matches.term[m]!) ?? 0) + matches.weight[m]!);
      }
    }
    return lines;
  };
  let stats: FileStats[] | undefined;
  return {
    files,
    question,
    query,
    chunkLines,
    stemming,
    stemMatchWeight,
    structure: index.structure,
    fileWords,
    content: counted,
    path,
    definitions,
    definesNamed,
    raises,
    get stats() {
      const scratch = { exact: new Int32Array(query.length), stem: new Int32Array(query.length), touched: new Int32Array(query.length) };
      return (stats ??= fileWords.map((fw, i) => ({
        contentLength: fw.contentLength,
        pathLength: fw.pathLength,
        definitionLength: fw.definitionLength,
        ...contentOf(counted, i, fw, chunkLines, stemMatchWeight, scratch),
        path: path[i]!,
        definitions: definitions[i]!,
        chunkCount: chunkCountOf(fw, chunkLines),
        lines: fw.textLines,
        definesNamed: definesNamed[i] === 1,
        raises: raises[i]!,
        imports: fw.imports,
      })));
    },
    lineMatches,
  };
}

/** The ranking from counted terms. */
export function scoreLexically(counts: QuestionTermCounts, params: LexicalParams = DEFAULT_LEXICAL_PARAMS): LexicalRanking {
  const { files, fileWords, content, path, definitions } = counts;
  const { chunkLines } = counts;
  if (
    params.chunkLines !== counts.chunkLines ||
    params.stemming !== counts.stemming ||
    params.stemMatchWeight !== counts.stemMatchWeight ||
    (params.structure ?? true) !== counts.structure
  )
    throw new Error('the counts were made with other chunks or stemming');
  const k3 = params.queryK3;
  const query = counts.query.map(({ term, qtf }) => ({ term, weight: k3 > 0 ? ((k3 + 1) * qtf) / (k3 + qtf) : 1 }));
  const hints = questionHints(counts.question, params);
  const priors = PRIORS.filter((p) => params.priors?.includes(p.name) ?? true);
  const w = counts.stemMatchWeight;
  const { fileStart, fileEnd } = content;
  const chunkOf = content.chunk.data;
  const termStart = content.termStart.data;
  const termOf = content.term.data;
  const exactOf = content.exact.data;
  const stemOf = content.stem.data;
  /** The file holds a word of the question in one of its fields. */
  const matchesAny = (i: number) => fileStart[i] !== fileEnd[i] || path[i]!.size > 0 || definitions[i]!.size > 0;

  const kinds = files.map(kindOf);
  const sourceCount = kinds.filter((k) => k === 'source').length;
  const counted = (i: number) => !params.statsFromSource || sourceCount < MIN_SOURCE_FOR_STATS || kinds[i] === 'source';
  const n = Math.max(1, params.statsFromSource && sourceCount >= MIN_SOURCE_FOR_STATS ? sourceCount : files.length);
  const df = new Array<number>(query.length).fill(0);
  const chunkDf = new Array<number>(query.length).fill(0);
  let contentTotal = 0;
  let pathTotal = 0;
  let definitionTotal = 0;
  let chunkTotal = 0;
  let chunkCount = 0;
  const seenIn = new Int32Array(query.length);
  let seenMark = 0;
  const countTerms = (id: number) => {
    if (seenIn[id] !== seenMark) {
      seenIn[id] = seenMark;
      df[id]!++;
    }
  };
  for (let i = 0; i < files.length; i++) {
    if (!counted(i)) continue;
    const fw = fileWords[i]!;
    contentTotal += fw.contentLength;
    pathTotal += fw.pathLength;
    definitionTotal += fw.definitionLength;
    // a file's chunks together hold its content
    chunkTotal += fw.contentLength;
    chunkCount += chunkCountOf(fw, chunkLines);
    if (!matchesAny(i)) continue;
    // each term once per file, whichever fields hold it (Map.forEach: no entry objects); each chunk's once per chunk
    seenMark = i + 1;
    for (let e = fileStart[i]!; e < fileEnd[i]!; e++)
      for (let k = termStart[e]!; k < termStart[e + 1]!; k++) {
        countTerms(termOf[k]!);
        chunkDf[termOf[k]!]!++;
      }
    path[i]!.forEach((_, id) => countTerms(id));
    definitions[i]!.forEach((_, id) => countTerms(id));
  }
  const avgContent = contentTotal / n || 1;
  const avgPath = pathTotal / n || 1;
  const avgDefinition = definitionTotal / n || 1;
  const avgChunk = chunkTotal / Math.max(1, chunkCount) || 1;
  const idf = df.map((d) => Math.log(1 + (n - d + 0.5) / (d + 0.5)));
  const chunkIdf = chunkDf.map((d) => Math.log(1 + (Math.max(1, chunkCount) - d + 0.5) / (d + 0.5)));
  const { k1 } = params;

  const innermost = innermostFrameFiles(files, counts.question);
  // one frozen range per length (most files of a large repository get one): not an array per file, every question
  const firstChunks: LineRange[][] = [];
  const firstChunk = (fw: FileWords): LineRange[] => {
    const end = Math.max(1, Math.min(fw.textLines, params.chunkLines));
    return (firstChunks[end] ??= Object.freeze([Object.freeze({ start: 1, end })]) as LineRange[]);
  };
  // a file's content counts per term, summed over its chunks (what each occurrence counts: 1 as the question wrote it, `w` by its stem)
  const exactSum = new Float64Array(query.length);
  const stemSum = new Float64Array(query.length);
  const keep = Math.max(1, params.chunkCount);
  const bestScores: number[] = [];
  const bestChunks: number[] = [];
  const evidence = files.map((f, i): FileEvidence => {
    const fw = fileWords[i]!;
    // most files of a large repository share no word with the question: nothing to score (a prior scales a score of 0 to 0)
    if (!matchesAny(i)) return { score: 0, kind: kinds[i]!, mentioned: isMentioned(f.path, hints.mentions), ranges: firstChunk(fw) };
    const contentNorm = 1 - params.contentB + (params.contentB * fw.contentLength) / avgContent;
    const pathNorm = 0.25 + (0.75 * fw.pathLength) / avgPath;
    const definitionNorm = 1 - params.definitionB + (params.definitionB * fw.definitionLength) / avgDefinition;
    // the best chunks, kept as they come (best first; ties: the earlier chunk first): what sorting every chunk gave, with no pair per chunk
    bestScores.length = 0;
    bestChunks.length = 0;
    for (let e = fileStart[i]!; e < fileEnd[i]!; e++) {
      const chunk = chunkOf[e]!;
      const norm = 0.25 + (0.75 * chunkLength(fw, chunk, chunkLines)) / avgChunk;
      let cs = 0;
      for (let k = termStart[e]!; k < termStart[e + 1]!; k++) {
        const id = termOf[k]!;
        exactSum[id] += exactOf[k]!;
        stemSum[id] += stemOf[k]!;
        const tf = (exactOf[k]! + w * stemOf[k]!) / norm;
        cs += (query[id]!.weight * chunkIdf[id]! * tf * (k1 + 1)) / (tf + k1);
      }
      let at = bestScores.length;
      while (at > 0 && (bestScores[at - 1]! < cs || (bestScores[at - 1] === cs && bestChunks[at - 1]! > chunk))) at--;
      if (at >= keep) continue;
      bestScores.splice(at, 0, cs);
      bestChunks.splice(at, 0, chunk);
      if (bestScores.length > keep) {
        bestScores.pop();
        bestChunks.pop();
      }
    }
    const fileDefinitions = definitions[i]!;
    const filePath = path[i]!;
    let score = 0;
    for (let id = 0; id < query.length; id++) {
      const inContent = exactSum[id]! + w * stemSum[id]!;
      exactSum[id] = 0;
      stemSum[id] = 0;
      const tf =
        inContent / contentNorm +
        (params.pathWeight * (filePath.get(id) ?? 0)) / pathNorm +
        (params.definitionWeight * (fileDefinitions.get(id) ?? 0)) / definitionNorm;
      if (tf > 0) score += (query[id]!.weight * idf[id]! * tf * (k1 + 1)) / (tf + k1);
    }
    let chunkSum = 0;
    for (const cs of bestScores) chunkSum += cs;
    score += params.chunkWeight * chunkSum;
    const kind = kinds[i]!;
    const file = {
      path: f.path,
      kind,
      mentioned: isMentioned(f.path, hints.mentions),
      innermostFrame: innermost.has(i),
      definesNamed: counts.definesNamed[i] === 1,
      raises: counts.raises[i]!,
    };
    for (const prior of priors) score *= prior.factor(file, hints, params);
    const ranges = bestChunks
      .slice(0, 3)
      .map((c) => ({ start: c * params.chunkLines + 1, end: Math.min(fw.textLines, (c + 1) * params.chunkLines) }))
      .sort((a, b) => a.start - b.start);
    return { score, kind, mentioned: file.mentioned, ranges: ranges.length ? mergeRanges(ranges) : firstChunk(fw) };
  });
  if (params.importerWeight > 0) liftImporters(evidence, files, fileWords, params);
  // the files a person (or the answer) reads first show the lines where the question's words gather, not whole chunks
  const weights = query.map((q, id) => q.weight * chunkIdf[id]!);
  const focused = bestScored(evidence, params.focusedFiles);
  for (const [, i] of focused) {
    const ranges = focusedRanges(counts.lineMatches(i), weights, fileWords[i]!.textLines);
    if (ranges.length) evidence[i]!.ranges = ranges;
  }
  const idfByTerm = new Map(query.flatMap((q, id) => (df[id]! > 0 ? [[q.term, idf[id]!] as const] : [])));
  return { files: evidence, idf: (term) => idfByTerm.get(stem(term.toLowerCase(), counts.stemming)) ?? 0 };
}

const MIN_SOURCE_FOR_STATS = 20;

/** Each file object's kind (a long-lived host hands the same object for an unchanged file: its kind is not worked out again per question). */
const kindByFile = new WeakMap<LexicalFile, FileKind>();
function kindOf(file: LexicalFile): FileKind {
  let kind = kindByFile.get(file);
  if (kind === undefined) kindByFile.set(file, (kind = fileKind(file.path)));
  return kind;
}

/** The files (indexes) of the innermost traceback frame that names one of them: usually one, more when the frame's path fits several. */
function innermostFrameFiles(files: readonly LexicalFile[], question: string): Set<number> {
  const frames = tracebackFrames(question);
  const found = new Set<number>();
  if (frames.length === 0) return found;
  // a frame is a file's path, so it can name only a file of the same name: look at those frames alone
  const depthsByName = new Map<string, number[]>();
  frames.forEach((frame, depth) => {
    const name = bareName(frame);
    depthsByName.set(name, [...(depthsByName.get(name) ?? []), depth]);
  });
  let best = frames.length;
  files.forEach((f, i) => {
    for (const depth of depthsByName.get(bareName(f.path.toLowerCase())) ?? []) {
      if (depth > best || !isMentioned(f.path, new Set([frames[depth]!]))) continue;
      if (depth < best) found.clear();
      best = depth;
      found.add(i);
    }
  });
  return found;
}

/** The last part of a path without its extension. */
const bareName = (path: string) => path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]*$/, '');

/**
 * One hop back along the file graph: a file that imports one of the best files gains a share of
 * that file's score, divided among the files it imports (an import of one of few says more than one
 * of many). Only the keys whose last part names a best file are resolved, for the files that hold
 * such a key.
 */
function liftImporters(evidence: FileEvidence[], files: readonly LexicalFile[], fileWords: readonly FileWords[], params: LexicalParams) {
  const best = bestScored(evidence, params.importerFrom);
  const scoreOf = new Map(best.map(([score, i]) => [i, score]));
  const names = new Set(best.flatMap(([, i]) => namesOf(files[i]!.path)));
  if (names.size === 0) return;
  const nameList = [...names];
  let resolver: ImportResolver | undefined;
  const gains: [number, number][] = [];
  evidence.forEach((e, j) => {
    const imports = fileWords[j]!.imports;
    // most files import none of the best: a substring test before any key is split off
    if (e.score <= 0 || imports === '' || !nameList.some((n) => imports.includes(n))) return;
    const keys = imports.split('\n');
    if (!keys.some((k) => names.has(lastPartOf(k)))) return;
    resolver ??= resolverFor(files.map((f) => f.path));
    const targets = resolver.importsOf(j, keys);
    let gain = 0;
    for (const t of targets) {
      const score = scoreOf.get(t);
      if (score !== undefined) gain += (params.importerWeight * score) / targets.size;
    }
    if (gain > 0) gains.push([j, gain]);
  });
  for (const [j, gain] of gains) evidence[j]!.score += gain;
}

/**
 * The `k` files of highest score above 0, best first (ties: the earlier file first), as [score,
 * index]: what sorting every file and keeping the first `k` gives, in one pass that keeps `k`.
 */
function bestScored(evidence: readonly { score: number }[], k: number): (readonly [number, number])[] {
  const best: [number, number][] = [];
  if (k <= 0) return best;
  evidence.forEach(({ score }, i) => {
    // (ties go after: an earlier file stays ahead of a later one with the same score)
    if (!(score > 0) || (best.length === k && score <= best[k - 1]![0])) return;
    let at = best.length;
    while (at > 0 && best[at - 1]![0] < score) at--;
    best.splice(at, 0, [score, i]);
    if (best.length > k) best.pop();
  });
  return best;
}

export { declaredName } from './declarations';
export { stem, type Stemming } from './stem';
export { LexicalIndex, type LexicalFile } from './wordIndex';
export { mentionedPaths } from './priors';
