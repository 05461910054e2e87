// `npm run bench:quality -- [--dataset file.jsonl] [--base-url URL --model NAME | --stand-in]`:
// retrieval quality on a JSONL of {repo_dir, question, gold_files}: hit@1/5/10, recall@5/10 and MRR
// per item and averaged, for the chosen scorer beside BM25 on the same items. repo_dir is relative
// to bench/deps/node_modules (or absolute); gold paths are relative to repo_dir.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../extension/core/fileSystem';
import { ask } from '../extension/core/pipeline';
import type { Scorer } from '../extension/core/scorer';
import { Bm25Scorer } from '../extension/core/scorers/bm25Scorer';
import { createScorer } from '../extension/core/scorers/createScorer';
import { TiktokenTokenizer } from '../extension/core/tokenizer';
import { startScoringServer } from '../test/support/scoringServer';

interface Item {
  repo_dir: string;
  question: string;
  gold_files: string[];
}

export function metrics(ranked: string[], gold: string[]) {
  const first = ranked.findIndex((p) => gold.includes(p));
  const within = (k: number) => ranked.slice(0, k).filter((p) => gold.includes(p)).length;
  return {
    hit1: within(1) > 0 ? 1 : 0,
    hit5: within(5) > 0 ? 1 : 0,
    hit10: within(10) > 0 ? 1 : 0,
    recall5: within(5) / gold.length,
    recall10: within(10) / gold.length,
    mrr: first >= 0 ? 1 / (first + 1) : 0,
  };
}

async function main() {
  const { values } = parseArgs({ options: { dataset: { type: 'string' }, 'base-url': { type: 'string' }, model: { type: 'string' }, 'stand-in': { type: 'boolean' } } });
  const deps = join(__dirname, 'deps');
  if (!existsSync(join(deps, 'node_modules/three'))) execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: deps, stdio: 'inherit' });
  const dataset = values.dataset ?? join(__dirname, 'quality/dev.jsonl');
  const items: Item[] = readFileSync(dataset, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const tokenizer = new TiktokenTokenizer();
  const scorers: [string, () => Promise<Scorer>][] = [['BM25', async () => new Bm25Scorer()]];
  let close = async () => {};
  if (values['base-url'] && values.model) {
    scorers.push([`model ${values.model}`, async () => (await createScorer({ endpoints: [{ baseUrl: values['base-url']!, model: values.model! }], method: 'auto' })).scorer]);
  } else if (values['stand-in']) {
    const server = await startScoringServer();
    close = server.close;
    scorers.push(['stand-in cache LM', async () => (await createScorer({ endpoints: [{ baseUrl: server.url, model: 'test-model' }], method: 'auto' })).scorer]);
  }
  for (const [name, make] of scorers) {
    const rows: ReturnType<typeof metrics>[] = [];
    for (const item of items) {
      const root = isAbsolute(item.repo_dir) ? item.repo_dir : join(deps, 'node_modules', item.repo_dir);
      // every scored segment in the ranking: a budget that never binds
      const result = await ask({ question: item.question, roots: [{ path: root, name: 'r' }], budget: 1e12, refineTop: 8 }, { fs: nodeFileSystem, tokenizer, scorer: await make() });
      const m = metrics(result.files.map((f) => f.path), item.gold_files);
      rows.push(m);
      console.log(`${name} | ${item.question.slice(0, 60).padEnd(60)} | hit@1 ${m.hit1} hit@5 ${m.hit5} hit@10 ${m.hit10} recall@5 ${m.recall5.toFixed(2)} recall@10 ${m.recall10.toFixed(2)} MRR ${m.mrr.toFixed(3)}`);
    }
    const avg = (k: keyof ReturnType<typeof metrics>) => (rows.reduce((a, r) => a + r[k], 0) / rows.length).toFixed(3);
    console.log(`${name} | average over ${rows.length} | hit@1 ${avg('hit1')} hit@5 ${avg('hit5')} hit@10 ${avg('hit10')} recall@5 ${avg('recall5')} recall@10 ${avg('recall10')} MRR ${avg('mrr')}`);
  }
  tokenizer.dispose();
  await close();
}

if (require.main === module) main();
