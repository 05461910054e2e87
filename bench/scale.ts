// `npm run bench:scale`: wall time and peak memory of whole runs over 1M, 5M and 20M tokens of real
// code (copies of the installed `openai` package's sources) against a fast simulated server (a
// process of its own), each size in its own process so that its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { ask } from '../extension/core/pipeline';
import { CompletionsScorer } from '../extension/core/model/families/vllm';
import { TiktokenTokenizer } from '../extension/core/tokens/tokenizer';
import { openaiSources } from '../test/support/needleRepo';
import { spawnSimulatedServer } from './simulatedServer';
import { lineChart } from './svgChart';

const TOKENS_PER_COPY = 586_675; // the openai package's .js/.mjs/.ts sources, as the needle test counts them

async function one(tokens: number) {
  const root = mkdtempSync(join(tmpdir(), 'xl3m-scale-'));
  try {
    const copies = Math.max(1, Math.round(tokens / TOKENS_PER_COPY));
    for (let i = 0; i < copies; i++)
      cpSync(openaiSources().dir, join(root, `copy${String(i).padStart(3, '0')}`), {
        recursive: true,
        filter: (src) => statSync(src).isDirectory() || (/\.(m?js|ts)$/.test(src) && !/\.d\.m?ts$/.test(src)),
      });
    const server = await spawnSimulatedServer(64, 1e9);
    const tokenizer = new TiktokenTokenizer();
    const started = performance.now();
    const result = await ask(
      { question: 'How does the client retry a request after a rate limit?', roots: [{ path: root, name: 'r' }], refineTop: 0 },
      {
        fs: nodeFileSystem,
        tokenizer,
        scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'sim' }, concurrency: 64, promptsPerRequest: 1, spans: 'text' }),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    server.child.kill();
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(
      JSON.stringify({
        tokens: result.stats.tokens,
        files: result.stats.files,
        segments: result.stats.segments,
        seconds: +seconds.toFixed(1),
        peakRssMiB: Math.round(rss),
        scoredTokensPerSecond: Math.round(result.stats.scoringTokensPerSecond),
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main() {
  const arg = process.argv.indexOf('--tokens');
  if (arg > 0) return one(Number(process.argv[arg + 1]));
  console.log('tokens | files | segments | wall s | peak RSS MiB | scored tokens/s');
  const rows: { tokens: number; seconds: number; peakRssMiB: number }[] = [];
  for (const tokens of [1e6, 5e6, 20e6]) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--tokens', String(tokens)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    try {
      const r = JSON.parse(line);
      rows.push(r);
      console.log(`${r.tokens} | ${r.files} | ${r.segments} | ${r.seconds} | ${r.peakRssMiB} | ${r.scoredTokensPerSecond}`);
    } catch {
      console.log(`${tokens}: failed\n${child.stderr.slice(-2000)}`);
    }
  }
  const series = (name: string, y: (r: (typeof rows)[0]) => number) => ({
    name,
    points: [[0, 0] as [number, number], ...rows.map((r): [number, number] => [r.tokens / 1e6, y(r)])],
  });
  lineChart(join(__dirname, 'plots/scale-time.svg'), {
    title: 'Whole run against a fast simulated server',
    xLabel: 'workspace, million tokens',
    yLabel: 'wall time, s',
    series: [series('wall time', (r) => r.seconds)],
  });
  lineChart(join(__dirname, 'plots/scale-memory.svg'), {
    title: 'Peak memory of a whole run',
    xLabel: 'workspace, million tokens',
    yLabel: 'peak RSS, MiB',
    series: [
      { name: 'peak RSS', points: rows.map((r): [number, number] => [r.tokens / 1e6, r.peakRssMiB]) },
      {
        name: 'target (1.5 GB)',
        points: [
          [0, 1536],
          [20, 1536],
        ],
      },
    ],
  });
}

main();
