// Development only: does condensing a long question keep what ranks? Lexical ranking with the whole
// question, its head, and the condensed question at several sizes, on the items whose question is
// longer than the smallest size. tsx bench/condenseLab.ts --dataset F [--every N]
import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import { countQuestionTerms, DEFAULT_LEXICAL_PARAMS, rankFilesLexically, scoreLexically } from '../extension/core/lexical/lexicalRanking';
import { condenseQuestion } from '../extension/core/lexical/question';
import { TiktokenTokenizer } from '../extension/core/tokens/tokenizer';
import { average, checkout, formatMetrics, metrics, readItems, type Metrics } from './evalSet';
import { DEFAULT_EXCLUDES } from '../extension/core/options';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, mirrors: { type: 'string' }, every: { type: 'string' } } });
const tokenizer = new TiktokenTokenizer();
const SIZES = [128, 256, 512, 1024];
const items = readItems(values.dataset!).filter((it, i) => i % Number(values.every ?? 1) === 0 && tokenizer.count(it.question) > SIZES[0]!);
const rows = new Map<string, Metrics[]>();
const add = (k: string, m: Metrics) => rows.set(k, [...(rows.get(k) ?? []), m]);
(async () => {
  for (const item of items) {
    const co = checkout(item, { mirrors: values.mirrors ?? '/work/.mirror', baseDir: '.' });
    try {
      const g = await gather(nodeFileSystem, [{ path: co.dir, name: 'r' }], { excludes: DEFAULT_EXCLUDES });
      const rank = (q: string) => {
        const ev = rankFilesLexically(g.files, q).files;
        return g.files
          .map((f, i) => [ev[i]!.score, f.path] as const)
          .sort((a, b) => b[0] - a[0])
          .map(([, p]) => p);
      };
      const full = scoreLexically(countQuestionTerms(g.files, item.question, DEFAULT_LEXICAL_PARAMS));
      add('whole question', metrics(rank(item.question), item.gold_files));
      for (const size of SIZES) {
        const c = condenseQuestion(item.question, size, tokenizer, full.idf);
        add(`condensed to ${size}`, metrics(rank(c.text), item.gold_files));
        const words = item.question.split(/(?<=\s)/);
        let cut = '';
        for (const w of words) {
          if (tokenizer.count(cut + w) > size) break;
          cut += w;
        }
        add(`first ${size} tokens`, metrics(rank(cut), item.gold_files));
      }
    } finally {
      co.cleanup();
    }
  }
  console.log(`${items.length} questions longer than ${SIZES[0]} tokens`);
  for (const [k, r] of rows) console.log(`${k.padEnd(22)} ${formatMetrics(average(r))}`);
  tokenizer.dispose();
})();
