// Development only: lexical ranking variants side by side on a subset of an evaluation set.
// tsx bench/rankLab.ts --dataset F --mirrors DIR [--every N] [--offset K] [--variants a,b] [--matching RE]
// (TMPDIR=/dev/shm writes each item's snapshot to memory: about 3x faster than to disk)
import { prepareStructure, rankedByStructure } from '../extension/core/structure/definitions';
import { parseArgs } from 'node:util';
import { fileKind } from '../extension/core/files/fileKind';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import {
  countQuestionTerms,
  DEFAULT_LEXICAL_PARAMS,
  scoreLexically,
  type LexicalParams,
  type QuestionTermCounts,
} from '../extension/core/lexical/lexicalRanking';
import { execFileSync } from 'node:child_process';
import { ImportResolver, importKeys } from '../extension/core/structure/imports';
import { average, checkout, formatMetrics, gitDirOf, metrics, readItems, type Metrics } from './evalSet';
import { referenceBm25 } from './referenceBm25';
import { DEFAULT_EXCLUDES } from '../extension/core/options';
import { PRIORS } from '../extension/core/lexical/priors';
import { terms } from '../extension/core/lexical/bm25';
import { LexicalIndex } from '../extension/core/lexical/wordIndex';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    mirrors: { type: 'string' },
    every: { type: 'string' },
    offset: { type: 'string' },
    variants: { type: 'string' },
    matching: { type: 'string' },
  },
});
const every = Number(values.every ?? 1);
const offset = Number(values.offset ?? 0);
// --matching RE: only the items whose question matches (e.g. those that paste a traceback)
const matching = values.matching ? new RegExp(values.matching, 'm') : undefined;
const items = readItems(values.dataset!).filter((item, i) => i % every === offset && (!matching || matching.test(item.question)));
const D = DEFAULT_LEXICAL_PARAMS;

type Variant = (c: QuestionTermCounts) => number[];
/** Counts by stemming, made once per item (a variant with other stemming counts again, once). */
let countsByStemming = new Map<string, QuestionTermCounts>();
/** The index the item's default counts were made with: every file's words, analysed once. */
let itemIndex = new LexicalIndex();
function countsFor(c: QuestionTermCounts, params: LexicalParams): QuestionTermCounts {
  if (params.stemming === c.stemming && params.stemMatchWeight === c.stemMatchWeight && (params.structure ?? true) === c.structure) return c;
  const key = `${params.stemming} ${params.stemMatchWeight} ${params.structure ?? true}`;
  const counts = countsByStemming.get(key) ?? countQuestionTerms(c.files, c.question, params);
  countsByStemming.set(key, counts);
  return counts;
}
const lexical =
  (p: Partial<LexicalParams>): Variant =>
  (c) =>
    scoreLexically(countsFor(c, { ...D, ...p }), { ...D, ...p }).files.map((e) => e.score);
/** Plain whole-file BM25 from the counts of the given stemming. */
const plainWith =
  (p: Partial<LexicalParams>): Variant =>
  (c) =>
    plain(countsFor(c, { ...D, ...p }));

/** Whole-file BM25 (content plus the path counted `pathTimes`), from the same counts, with the kind prior. */
function plain(c: QuestionTermCounts, k1 = 1.2, b = 0.75, pathTimes = 3): number[] {
  const n = c.stats.length;
  const df = new Array<number>(c.query.length).fill(0);
  let total = 0;
  for (const s of c.stats) {
    total += s.contentLength + pathTimes * s.pathLength;
    for (const id of new Set([...s.content.keys(), ...s.path.keys()])) df[id]!++;
  }
  const avg = total / Math.max(1, n) || 1;
  return c.stats.map((s, i) => {
    const norm = 1 - b + (b * (s.contentLength + pathTimes * s.pathLength)) / avg;
    let score = 0;
    c.query.forEach((_, id) => {
      const f = (s.content.get(id) ?? 0) + pathTimes * (s.path.get(id) ?? 0);
      if (f > 0) score += (Math.log(1 + (n - df[id]! + 0.5) / (df[id]! + 0.5)) * f * (k1 + 1)) / (f + k1 * norm);
    });
    return score * D.kindPrior[fileKind(c.files[i]!.path)];
  });
}

/** The best `top` files with evidence, as [score, index], best first. */
function bestOf(scores: readonly number[], top: number): (readonly [number, number])[] {
  return scores
    .map((s, i) => [s, i] as const)
    .filter(([s]) => s > 0)
    .sort((a, b) => b[0] - a[0])
    .slice(0, top);
}
function ranks(scores: number[]): number[] {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const r = new Array<number>(scores.length).fill(Infinity);
  order.forEach(([s, i], k) => {
    if (s > 0) r[i] = k + 1;
  });
  return r;
}
function rrf(a: number[], b: number[], wb = 1, k = 60): number[] {
  const ra = ranks(a),
    rb = ranks(b);
  return a.map((_, i) => (Number.isFinite(ra[i]!) ? 1 / (k + ra[i]!) : 0) + (Number.isFinite(rb[i]!) ? wb / (k + rb[i]!) : 0));
}
function mix(a: number[], b: number[], wb: number): number[] {
  const ma = Math.max(...a, 1e-9),
    mb = Math.max(...b, 1e-9);
  return a.map((x, i) => x / ma + (wb * b[i]!) / mb);
}

// Git history before the item's commit (the history a user's checkout has), for the history variants:
// each commit's changed files, newest first; a commit touching more than BULK files (a rename, a
// formatting pass) says nothing about which files go together and is left out.
const BULK = 30;
let history: string[][] = [];
function historyOf(gitDir: string, commit: string, commits: number): string[][] {
  let out: string;
  try {
    out = execFileSync('git', ['--git-dir', gitDir, 'log', commit, '-n', String(commits), '--no-merges', '--name-only', '--format=tformat:@@'], {
      maxBuffer: 1 << 28,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (err) {
    // a snapshot that lacks old objects: the history up to them
    out = String((err as { stdout?: string }).stdout ?? '');
  }
  return out
    .split('@@')
    .map((c) => c.split('\n').filter(Boolean))
    .filter((files) => files.length > 0 && files.length <= BULK);
}
/** A prior for files changed often lately: 1 + gamma * log(1 + changes) / log(1 + most changes), over the last `recent` commits. */
const recency =
  (gamma: number, recent: number): Variant =>
  (c) => {
    const changes = new Map<string, number>();
    for (const files of history.slice(0, recent)) for (const f of files) changes.set(f, (changes.get(f) ?? 0) + 1);
    const most = Math.max(1, ...changes.values());
    return lexical({})(c).map((s, i) => s * (1 + (gamma * Math.log1p(changes.get(c.files[i]!.path) ?? 0)) / Math.log1p(most)));
  };
/** Relevance spread from the best `top` files to the files changed with them: s(f) + beta * sum over t of s(t) * (commits with f and t) / (commits with t). */
const coChange =
  (beta: number, top: number): Variant =>
  (c) => {
    const scores = lexical({})(c);
    const best = bestOf(scores, top);
    const indexOf = new Map(c.files.map((f, i) => [f.path, i]));
    const out = [...scores];
    for (const [s, t] of best) {
      const path = c.files[t]!.path;
      const withT = history.filter((files) => files.includes(path));
      if (withT.length === 0) continue;
      const together = new Map<string, number>();
      for (const files of withT) for (const f of files) if (f !== path) together.set(f, (together.get(f) ?? 0) + 1);
      for (const [f, n] of together) {
        const i = indexOf.get(f);
        if (i !== undefined) out[i]! += (beta * s * n) / withT.length;
      }
    }
    return out;
  };

// The whole file graph of the item (every file's imports), for the graph variants: made once per item, when one is asked for.
let graph: { imports: number[][]; importers: number[][] } | undefined;
function graphOf(c: QuestionTermCounts) {
  if (graph) return graph;
  const resolver = new ImportResolver(c.files.map((f) => f.path));
  const imports = c.files.map((f, i) => [...resolver.importsOf(i, importKeys(f.path, f.text))]);
  const importers: number[][] = c.files.map(() => []);
  imports.forEach((list, i) => list.forEach((j) => importers[j]!.push(i)));
  return (graph = { imports, importers });
}
/**
 * One hop from each of the best `top` files t: along its imports (`forward`: a file t imports gains
 * weight * s(t) / the number of files importing it, an edge to a file everything imports says little)
 * or against them (`back`: a file that imports t gains weight * s(t) / the number of files it imports).
 * Only a file with evidence of its own gains.
 */
const spread =
  (direction: 'forward' | 'back', weight: number, top = 10, from?: Variant): Variant =>
  (c) => {
    const scores = (from ?? lexical({ importerWeight: 0 }))(c);
    const { imports, importers } = graphOf(c);
    const best = bestOf(scores, top);
    const out = [...scores];
    for (const [s, t] of best) {
      if (direction === 'forward') for (const j of imports[t]!) out[j]! += scores[j]! > 0 ? (weight * s) / importers[j]!.length : 0;
      else for (const j of importers[t]!) out[j]! += scores[j]! > 0 ? (weight * s) / imports[j]!.length : 0;
    }
    return out;
  };

// Pseudo-relevance feedback (RM3's idea, on code): the words (whole identifiers) that `minFiles` or
// more of the best `top` files hold, weighed by those files' scores, their share of each file and
// how rare they are in the repository (none held by more than `maxShare` of the files: a language's
// keywords), the best `added` of them added to the question; the expanded question's ranking is
// mixed into the first at `weight`. It reads the words of the item's index, which the default
// counts analysed (`itemIndex`). Measured, not kept (BENCHMARKS.md, *Pseudo-relevance feedback*).
/** Per item: how many files hold each word of `itemIndex`'s vocabulary (made when a feedback variant first asks). */
let wordFiles: Uint32Array | undefined;
function wordFilesOf(c: QuestionTermCounts): Uint32Array {
  if (wordFiles) return wordFiles;
  const size = itemIndex.vocabulary.size;
  const df = new Uint32Array(size);
  const seen = new Int32Array(size).fill(-1);
  c.fileWords.forEach(({ words }, i) => {
    for (const id of words) {
      if (seen[id] === i) continue;
      seen[id] = i;
      df[id]!++;
    }
  });
  return (wordFiles = df);
}
const feedback =
  (top: number, added: number, weight: number, minFiles = 2, maxShare = 0.05): Variant =>
  (c) => {
    const first = lexical({})(c);
    const df = wordFilesOf(c);
    const words = itemIndex.vocabulary.words;
    const best = bestOf(first, top);
    const total = best.reduce((sum, [s]) => sum + s, 0) || 1;
    const asked = new Set(terms(c.question));
    const mass = new Map<number, number>();
    const filesWith = new Map<number, number>();
    for (const [s, i] of best) {
      const held = c.fileWords[i]!.words;
      const tf = new Map<number, number>();
      for (const id of held) tf.set(id, (tf.get(id) ?? 0) + 1);
      for (const [id, n] of tf) {
        mass.set(id, (mass.get(id) ?? 0) + ((s / total) * n) / Math.max(1, held.length));
        filesWith.set(id, (filesWith.get(id) ?? 0) + 1);
      }
    }
    const n = c.files.length;
    const chosen = [...mass]
      .filter(([id]) => {
        const word = words[id]!;
        return (
          filesWith.get(id)! >= Math.min(minFiles, best.length) &&
          df[id]! <= maxShare * n &&
          word.length >= 4 &&
          !/^[0-9_]/.test(word) &&
          !asked.has(word.toLowerCase())
        );
      })
      .map(([id, m]) => [id, m * Math.log(n / df[id]!)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, added)
      .map(([id]) => words[id]!);
    if (process.env.RANKLAB_SHOW_FEEDBACK) console.error('  feedback:', chosen.join(' '));
    const expanded = countQuestionTerms(c.files, `${c.question}\n${chosen.join(' ')}`, D, undefined, itemIndex);
    return mix(
      first,
      scoreLexically(expanded, D).files.map((e) => e.score),
      weight,
    );
  };

// Each variant changes one thing; the rejected ones were measured on the ranking before the
// stemmer (words compared as written), as BENCHMARKS.md (*How the defaults were chosen*) gives them.
const asWritten = { stemming: 'none' } as const;
const allVariants: Record<string, Variant> = {
  default: lexical({}),
  noStemming: lexical(asWritten),
  plural: lexical({ stemming: 'plural', stemMatchWeight: 1 }),
  lightFull: lexical({ stemming: 'light', stemMatchWeight: 1 }),
  lightHalf: lexical({ stemming: 'light', stemMatchWeight: 0.5 }),
  sourceStats: lexical({ ...asWritten, statsFromSource: true }),
  definitionB03: lexical({ ...asWritten, definitionB: 0.3 }),
  // the declared names' field: length-normalised, or weighted less (Go declares methods by the hundred)
  defB03: lexical({ definitionB: 0.3 }),
  defB06: lexical({ definitionB: 0.6 }),
  defW3: lexical({ definitionWeight: 3 }),
  mixPlain03: (c) => mix(lexical(asWritten)(c), plainWith(asWritten)(c), 0.3),
  rrfPlain05: (c) => rrf(lexical(asWritten)(c), plainWith(asWritten)(c), 0.5),
  // declared names from the line patterns alone, as before tree-sitter (structure/)
  'without-structure': lexical({ structure: false }),
  // how much a file that defines a name the question gives as code is lifted (priors.ts, definesNamed)
  definer1_5: lexical({ definerBoost: 1.5 }),
  definer3: lexical({ definerBoost: 3 }),
  definer4: lexical({ definerBoost: 4 }),
  definitionAsked2: lexical({ definitionAskedBoost: 2 }),
  // how much the file of a traceback's innermost frame is lifted (priors.ts, innermostFrame)
  innermostFrame2: lexical({ innermostFrameBoost: 2 }),
  innermostFrame3: lexical({ innermostFrameBoost: 3 }),
  // git history before the item's commit (recency of change; files changed together with the best ones)
  recency02: recency(0.2, 500),
  recency05: recency(0.5, 500),
  recency05long: recency(0.5, 3000),
  coChange01: coChange(0.1, 5),
  coChange03: coChange(0.3, 5),
  coChange03top10: coChange(0.3, 10),
  // the file graph, one hop, each edge weighed by how specific it is, from the ranking without the importers' lift (the default's back03top5)
  'without-importers': lexical({ importerWeight: 0 }),
  forwardSpecific03: spread('forward', 0.3),
  forwardSpecific1: spread('forward', 1),
  back01: spread('back', 0.1),
  back03: spread('back', 0.3),
  back03top5: spread('back', 0.3, 5),
  // both, one after the other (back from the forward-spread scores)
  forwardBack03: spread('back', 0.3, 10, spread('forward', 0.3)),
  importers01: lexical({ importerWeight: 0.1 }),
  importers05: lexical({ importerWeight: 0.5 }),
  // pseudo-relevance feedback: from the best 5 or 10 files, 4, 8 or 15 words, mixed in at 0.3, 0.5 or 1
  feedback5x8w03: feedback(5, 8, 0.3),
  feedback5x8w1: feedback(5, 8, 1),
  feedback10x15w03: feedback(10, 15, 0.3),
  feedback5x8w03any: feedback(5, 8, 0.3, 1),
  feedback5x8w05: feedback(5, 8, 0.5),
  feedback5x4w03: feedback(5, 4, 0.3),
  // each prior (lexical/priors.ts) switched off by name
  ...Object.fromEntries(PRIORS.map((prior) => [`without-${prior.name}`, lexical({ priors: PRIORS.map((p) => p.name).filter((n) => n !== prior.name) })])),
};
const names = values.variants ? values.variants.split(',') : Object.keys(allVariants);
const times: Record<string, number> = {};
const rows = new Map<string, Metrics[]>(['reference', ...names].map((n) => [n, []]));
(async () => {
  for (const item of items) {
    const co = checkout(item, { mirrors: values.mirrors!, baseDir: '.' });
    try {
      const g = await gather(nodeFileSystem, [{ path: co.dir, name: 'r' }], { excludes: DEFAULT_EXCLUDES });
      const files = g.files.map((f) => ({ path: f.path, text: f.text }));
      const ref = referenceBm25(files, item.question);
      rows.get('reference')!.push(metrics(ref, item.gold_files));
      const line: string[] = [`ref:${ref.findIndex((p) => item.gold_files.includes(p)) + 1}`];
      await prepareStructure(files.filter((f) => rankedByStructure(f.path)).map((f) => f.path));
      itemIndex = new LexicalIndex(undefined, { structure: D.structure ?? true });
      const counts = countQuestionTerms(files, item.question, D, undefined, itemIndex);
      history =
        names.some((n) => /^(recency|coChange)/.test(n)) && item.repo && item.base_commit
          ? historyOf(gitDirOf(item.repo, values.mirrors!), item.base_commit, 3000)
          : [];
      countsByStemming = new Map([[`${D.stemming} ${D.stemMatchWeight} true`, counts]]);
      graph = undefined;
      wordFiles = undefined;
      for (const name of names) {
        const t0 = performance.now();
        const scores = allVariants[name]!(counts);
        const ranked = files
          .map((f, i) => [scores[i]!, f.path] as const)
          .filter(([s]) => s > 0)
          .sort((a, b) => b[0] - a[0])
          .map(([, p]) => p);
        const m = metrics(ranked, item.gold_files);
        times[name] = (times[name] ?? 0) + performance.now() - t0;
        rows.get(name)!.push(m);
        line.push(`${name}:${ranked.findIndex((p) => item.gold_files.includes(p)) + 1}`);
      }
      console.error(item.instance_id, line.join(' '));
    } finally {
      co.cleanup();
    }
  }
  console.error(JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v)]))));
  for (const [name, r] of rows) console.log(`${name.padEnd(12)} ${formatMetrics(average(r))}`);
})();
