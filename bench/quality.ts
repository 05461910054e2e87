// `npm run bench:quality -- [--dataset F.jsonl] [--mirrors DIR] [--limit N] [--every K --offset I] [--base-url URL --model NAME | --stand-in] [--rankings fused,model] [--prefilter P] [--compare-cli dist/cli.js] [--json out.json]`
//
// Ranking quality on real questions with known answers: hit@1/5/10, recall@5/10, MRR and seconds
// per question for the plain BM25 reference, xl3m's default mode (no model) and, when given, a
// model (a server, or the stand-in server with --stand-in). An item is a folder on disk
// ({repo_dir}) or a commit of a repository ({repo, base_commit}) written out of a git snapshot
// under --mirrors (as the search tool's fetch lays them: <owner>+<name>/repo), one item at a
// time, removed after use. The ranking measured is everything xl3m lists, tests and docs included.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import type { RankingMode } from '../extension/core/lexical/fileRanking';
import { ask } from '../extension/core/pipeline';
import type { Scorer } from '../extension/core/model/scorer';
import { createScorer } from '../extension/core/model/createScorer';
import { TiktokenTokenizer } from '../extension/core/tokens/tokenizer';
import { startScoringServer } from '../test/support/scoringServer';
import { average, checkout, formatMetrics, metrics, readItems, type Metrics } from './evalSet';
import { referenceBm25 } from './referenceBm25';
import { DEFAULT_EXCLUDES } from '../extension/core/options';
import { askInProcess } from './cliFlags';
import { bundledStructureProcess, useStructureProcess } from '../extension/core/structure/structureProcess';

interface Row {
  metrics: Metrics;
  seconds: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
};

async function main() {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      mirrors: { type: 'string' },
      limit: { type: 'string' },
      every: { type: 'string' },
      offset: { type: 'string' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      'stand-in': { type: 'boolean' },
      prefilter: { type: 'string' },
      json: { type: 'string' },
      'compare-cli': { type: 'string' },
      rankings: { type: 'string' },
    },
  });
  // the syntax trees read as the CLI and the extension read them: in the built bundle's structure processes (in this thread without a build)
  useStructureProcess(bundledStructureProcess(join(__dirname, '../dist')));
  const dataset = values.dataset ?? join(__dirname, 'quality/dev.jsonl');
  const every = Number(values.every ?? 1);
  const offset = Number(values.offset ?? 0);
  const items = readItems(dataset)
    .filter((_, i) => i % every === offset)
    .slice(0, values.limit ? Number(values.limit) : undefined);
  const deps = join(__dirname, 'deps');
  if (items.some((i) => i.repo_dir && !i.repo_dir.startsWith('/')) && !existsSync(join(deps, 'node_modules/three'))) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: deps, stdio: 'inherit' });
  }
  const tokenizer = new TiktokenTokenizer();
  let model: { name: string; scorer: () => Promise<Scorer> } | undefined;
  let close = async () => {};
  if (values['base-url'] && values.model) {
    const endpoint = { baseUrl: values['base-url'], model: values.model };
    model = { name: `model ${values.model}`, scorer: async () => (await createScorer({ endpoints: [endpoint], method: 'auto' })).scorer };
  } else if (values['stand-in']) {
    const server = await startScoringServer();
    close = server.close;
    model = {
      name: 'stand-in cache LM',
      scorer: async () => (await createScorer({ endpoints: [{ baseUrl: server.url, model: 'test-model' }], method: 'auto' })).scorer,
    };
  }
  const prefilter = values.prefilter ? Number(values.prefilter) / 100 : undefined;
  const compareCli = values['compare-cli'];
  const rankings = (values.rankings ?? 'fused').split(',') as RankingMode[];
  const modelSystems = model ? rankings.map((r) => `${model!.name}, ${r}`) : [];
  const systems = ['plain BM25 reference', 'xl3m default (no model)', ...modelSystems, ...(compareCli ? [`CLI ${compareCli}`] : [])];
  const cost = { coarse: 0, fine: 0 };
  const rows = new Map<string, Row[]>(systems.map((s) => [s, []]));
  const refused = new Map<string, number>(systems.map((s) => [s, 0]));
  const perItem: unknown[] = [];
  for (const [n, item] of items.entries()) {
    const co = checkout(item, { mirrors: values.mirrors ?? '/work/.mirror', baseDir: join(deps, 'node_modules') });
    const line: string[] = [];
    const record = (system: string, ranked: string[] | undefined, seconds: number) => {
      if (!ranked) {
        refused.set(system, refused.get(system)! + 1);
        line.push(`${system}: refused`);
        return;
      }
      const m = metrics(ranked, item.gold_files);
      rows.get(system)!.push({ metrics: m, seconds });
      const first = ranked.findIndex((p) => item.gold_files.includes(p));
      line.push(`${system}: rank ${first >= 0 ? first + 1 : '-'} (${seconds.toFixed(2)} s)`);
    };
    try {
      const root = [{ path: co.dir, name: 'r' }];
      // the reference reads the same files and ranks them, timed the same way
      let started = performance.now();
      const gathered = await gather(nodeFileSystem, root, { excludes: DEFAULT_EXCLUDES });
      record(systems[0]!, referenceBm25(gathered.files, item.question), (performance.now() - started) / 1000);
      started = performance.now();
      const plain = await ask({ question: item.question, roots: root, gather: { excludes: DEFAULT_EXCLUDES } }, { fs: nodeFileSystem, tokenizer }).catch(
        () => undefined,
      );
      record(
        systems[1]!,
        plain?.files.map((f) => f.path),
        (performance.now() - started) / 1000,
      );
      if (model) {
        for (const [k, ranking] of rankings.entries()) {
          started = performance.now();
          const scored = await ask(
            { question: item.question, roots: root, gather: { excludes: DEFAULT_EXCLUDES }, prefilter, ranking },
            { fs: nodeFileSystem, tokenizer, scorer: await model.scorer() },
          ).catch((err) => {
            console.error(`  ${model!.name}: ${(err as Error).message}`);
            return undefined;
          });
          record(
            modelSystems[k]!,
            scored?.files.map((f) => f.path),
            (performance.now() - started) / 1000,
          );
          if (scored && k === 0) {
            cost.coarse += scored.stats.scoredTokens;
            cost.fine += scored.stats.finePassTokens;
          }
        }
      }
      if (compareCli) {
        // another build of the CLI (e.g. the previous release) on the same checkout, timed from outside
        started = performance.now();
        let ranked: string[] | undefined;
        try {
          const out = execFileSync(process.execPath, [compareCli, 'ask', item.question, '--repo', co.dir, '--json', ...askInProcess(compareCli)], {
            encoding: 'utf8',
            maxBuffer: 1 << 28,
            stdio: ['ignore', 'pipe', 'ignore'],
          });
          ranked = (JSON.parse(out) as { files: { path: string }[] }).files.map((f) => f.path);
        } catch {
          ranked = undefined;
        }
        record(systems[systems.length - 1]!, ranked, (performance.now() - started) / 1000);
      }
    } finally {
      co.cleanup();
    }
    perItem.push({ id: item.instance_id ?? item.question.slice(0, 60), gold: item.gold_files, line });
    console.log(`[${n + 1}/${items.length}] ${item.instance_id ?? item.question.slice(0, 60)} | ${line.join(' | ')}`);
  }
  console.log(`\n${items.length} questions from ${dataset}`);
  for (const system of systems) {
    const r = rows.get(system)!;
    const all = [...r.map((x) => x.metrics), ...Array.from({ length: refused.get(system)! }, () => metrics([], ['-']))];
    console.log(
      `${system.padEnd(28)} ${formatMetrics(average(all))} | median ${median(r.map((x) => x.seconds)).toFixed(2)} s/question | refused ${refused.get(system)}`,
    );
  }
  if (model)
    console.log(
      `fine pass: ${cost.fine} tokens scored alone beside ${cost.coarse} in the coarse pass (${((100 * cost.fine) / Math.max(1, cost.coarse)).toFixed(1)}%)`,
    );
  const ref = rows.get(systems[0]!)!;
  const def = rows.get(systems[1]!)!;
  if (ref.length && def.length)
    console.log(`time, default mode / reference (medians): ${(median(def.map((x) => x.seconds)) / median(ref.map((x) => x.seconds))).toFixed(2)}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(perItem, null, 1));
  tokenizer.dispose();
  await close();
}

if (require.main === module) void main();
