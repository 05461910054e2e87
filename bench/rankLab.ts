// Development only: lexical ranking variants side by side on a subset of an evaluation set.
// tsx bench/rankLab.ts --dataset F --mirrors DIR [--every N] [--offset K]
import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../extension/core/fileSystem';
import { DEFAULT_EXCLUDES, gather } from '../extension/core/gather';
import { countQuestionTerms, DEFAULT_LEXICAL_PARAMS, scoreLexically, type LexicalParams } from '../extension/core/lexicalRanking';
import { average, checkout, formatMetrics, metrics, readItems, type Metrics } from './evalSet';
import { referenceBm25 } from './referenceBm25';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, mirrors: { type: 'string' }, every: { type: 'string' }, offset: { type: 'string' }, variants: { type: 'string' } } });
const every = Number(values.every ?? 1);
const offset = Number(values.offset ?? 0);
const items = readItems(values.dataset!).filter((_, i) => i % every === offset);
const D = DEFAULT_LEXICAL_PARAMS;
const allVariants: Record<string, Partial<LexicalParams>> = {
  default: {},
  k1_12: { k1: 1.2 },
  chunk03: { chunkWeight: 0.3 },
  path3: { pathWeight: 3 },
  def3: { definitionWeight: 3 },
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
      rows.get('reference')!.push(metrics(referenceBm25(files, item.question), item.gold_files));
      const line: string[] = [];
      const counts = countQuestionTerms(files, item.question, D.chunkLines);
      for (const name of names) {
        const t0 = performance.now();
        const ev = scoreLexically(counts, { ...D, ...allVariants[name] }).files;
        const ranked = files.map((f, i) => [ev[i]!.score, f.path] as const).filter(([s]) => s > 0).sort((a, b) => b[0] - a[0]).map(([, p]) => p);
        const m = metrics(ranked, item.gold_files);
        times[name] = (times[name] ?? 0) + performance.now() - t0;
        rows.get(name)!.push(m);
        line.push(`${name}:${ranked.findIndex((p) => item.gold_files.includes(p)) + 1}`);
      }
      console.error(item.instance_id, line.join(" "), JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v)]))));
    } finally {
      co.cleanup();
    }
  }
  for (const [name, r] of rows) console.log(`${name.padEnd(12)} ${formatMetrics(average(r))}`);
})();
