// Development only: what a scoring budget keeps. With a model, the files it scores are the best of
// the lexical ranking up to `scoringTokens` (modelPass.ts); a gold file outside them can still be
// ranked, but only lexically. For each budget: the share of items whose first gold file is inside
// it, and the repository's whole size (what scoring every file would cost).
// tsx bench/scoringBudget.ts --dataset F --mirrors DIR [--every N]
import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import { DEFAULT_LEXICAL_PARAMS, rankFilesLexically } from '../extension/core/lexical/lexicalRanking';
import { prepareStructure, rankedByStructure } from '../extension/core/structure/definitions';
import { DEFAULT_EXCLUDES } from '../extension/core/options';
import { checkout, readItems } from './evalSet';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, mirrors: { type: 'string' }, every: { type: 'string' } } });
const every = Number(values.every ?? 1);
const items = readItems(values.dataset!).filter((_, i) => i % every === 0);
const BUDGETS = [50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000];
/** modelPass.ts's estimate of a file's tokens before it is tokenized. */
const estimate = (text: string) => Math.ceil(text.length / 4);

const rows: { before: number; total: number }[] = [];
(async () => {
  for (const item of items) {
    const co = checkout(item, { mirrors: values.mirrors!, baseDir: '.' });
    try {
      const g = await gather(nodeFileSystem, [{ path: co.dir, name: 'r' }], { excludes: DEFAULT_EXCLUDES });
      const files = g.files.map((f) => ({ path: f.path, text: f.text }));
      await prepareStructure(files.filter((f) => rankedByStructure(f.path)).map((f) => f.path));
      const evidence = rankFilesLexically(files, item.question, DEFAULT_LEXICAL_PARAMS).files;
      const order = files.map((_, i) => i).sort((a, b) => evidence[b]!.score - evidence[a]!.score || a - b);
      // tokens of the files ranked above the first gold file, and that file's own: the budget that takes it in
      let before = Infinity;
      let running = 0;
      for (const i of order) {
        running += estimate(files[i]!.text);
        if (item.gold_files.includes(files[i]!.path)) {
          before = running;
          break;
        }
      }
      const total = files.reduce((a, f) => a + estimate(f.text), 0);
      rows.push({ before, total });
      console.error(item.instance_id, `first gold file within ${before} of ${total} tokens`);
    } finally {
      co.cleanup();
    }
  }
  const totals = rows.map((r) => r.total).sort((a, b) => a - b);
  console.log(`${rows.length} items; repository tokens: median ${totals[Math.floor(totals.length / 2)]}, max ${totals[totals.length - 1]}`);
  for (const b of BUDGETS) {
    const inside = rows.filter((r) => r.before <= b).length;
    const whole = rows.filter((r) => r.total <= b).length;
    console.log(`budget ${b}: first gold file scored in ${inside} (${(inside / rows.length).toFixed(3)}); whole repository within the budget in ${whole}`);
  }
  const found = rows.filter((r) => Number.isFinite(r.before)).length;
  console.log(`no budget: ${found} (${(found / rows.length).toFixed(3)}) (a gold file may be missing from the snapshot or unmatched)`);
})();
