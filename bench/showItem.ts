// Development only: one item's question, the reference's top 10 and the default ranking's top files, to see why a file ranks where it does.
// tsx bench/showItem.ts <dataset> <mirrors> <instance_id>... (env P='{"stemming":"none"}' for other parameters, TOP=N)
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import { DEFAULT_LEXICAL_PARAMS, rankFilesLexically } from '../extension/core/lexical/lexicalRanking';
import { checkout, readItems } from './evalSet';
import { referenceBm25 } from './referenceBm25';
import { DEFAULT_EXCLUDES } from '../extension/core/options';
const [dataset, mirrors, ...ids] = process.argv.slice(2);
(async () => {
  for (const item of readItems(dataset!).filter((i) => ids.includes(i.instance_id!))) {
    const co = checkout(item, { mirrors: mirrors!, baseDir: '.' });
    const g = await gather(nodeFileSystem, [{ path: co.dir, name: 'r' }], { excludes: DEFAULT_EXCLUDES });
    const files = g.files.map((f) => ({ path: f.path, text: f.text }));
    const ref = referenceBm25(files, item.question);
    const ev = rankFilesLexically(files, item.question, { ...DEFAULT_LEXICAL_PARAMS, ...JSON.parse(process.env.P ?? '{}') }).files;
    const ours = files
      .map((f, i) => [ev[i]!.score, f.path, ev[i]!.kind] as const)
      .filter(([s]) => s > 0)
      .sort((a, b) => b[0] - a[0]);
    console.log('=====', item.instance_id, 'gold', item.gold_files.join(' '));
    console.log(item.question.slice(0, 600));
    console.log('-- ref top 10:');
    ref.slice(0, 10).forEach((p, i) => console.log(i + 1, p, item.gold_files.includes(p) ? '***' : ''));
    console.log('-- ours top 15:');
    ours.slice(0, Number(process.env.TOP ?? 15)).forEach(([s, p, k], i) => console.log(i + 1, s.toFixed(2), k, p, item.gold_files.includes(p) ? '***' : ''));
    for (const gf of item.gold_files) {
      const r = ours.findIndex(([, p]) => p === gf);
      console.log('gold', gf, 'ours rank', r + 1, r >= 0 ? ours[r]![0].toFixed(2) : '');
    }
    co.cleanup();
  }
})();
