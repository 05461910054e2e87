// `npm run bench:needle -- [--sizes 100000,1000000,5000000,20000000] [--depths 10] [--scorers bm25,stand-in]`:
// a needle planted at 10 depths of a haystack of real code (copies of the `openai` package's sources)
// at each size: the planted file's rank, and whether the answer contains the needle, with the
// stand-in scoring server (separate process) and with BM25.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { ask } from '../extension/core/pipeline';
import type { Scorer } from '../extension/core/model/scorer';
import { CompletionsScorer } from '../extension/core/model/families/vllm';
import { TiktokenTokenizer } from '../extension/core/tokens/tokenizer';
import { NEEDLE_ANSWER, NEEDLE_QUESTION, openaiSources } from '../test/support/needleRepo';

const TOKENS_PER_COPY = 586_675;

async function standInServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../test/support/serve.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (d) => resolve(String(d).trim())));
  return { url, child };
}

async function main() {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100000,1000000,5000000,20000000' },
      depths: { type: 'string', default: '10' },
      scorers: { type: 'string', default: 'bm25,stand-in' },
    },
  });
  const sizes = values.sizes!.split(',').map(Number);
  const depths = Number(values.depths);
  const { dir, files } = openaiSources();
  const tokenizer = new TiktokenTokenizer();
  const server = values.scorers!.includes('stand-in') ? await standInServer() : undefined;
  console.log('scorer | haystack tokens | depth | planted file rank | answer has the needle | seconds');
  try {
    for (const size of sizes) {
      const root = mkdtempSync(join(tmpdir(), 'xl3m-needle-'));
      try {
        // whole copies for the big sizes; the first files of one copy for the small ones
        const copies = Math.max(1, Math.round(size / TOKENS_PER_COPY));
        let subset = files;
        if (size < TOKENS_PER_COPY) {
          // the first files of one copy, up to the size
          let total = 0;
          const n = files.findIndex((f) => (total += tokenizer.count(readFileSync(join(dir, f), 'utf8'))) >= size);
          subset = files.slice(0, Math.max(20, n + 1));
        }
        const all: string[] = [];
        for (let c = 0; c < copies; c++)
          for (const f of subset) {
            const target = join(root, `copy${String(c).padStart(3, '0')}`, f);
            cpSync(join(dir, f), target);
            all.push(relative(root, target));
          }
        for (let d = 0; d < depths; d++) {
          const path = all[Math.min(all.length - 1, Math.floor(((d + 0.5) / depths) * all.length))]!;
          const original = readFileSync(join(root, path), 'utf8');
          const lines = original.split('\n');
          lines.splice(Math.floor(lines.length / 2), 0, `// The secret deployment codename of the billing service is ${NEEDLE_ANSWER}.`);
          writeFileSync(join(root, path), lines.join('\n'));
          for (const name of values.scorers!.split(',')) {
            // bm25: the default mode, no model (the lexical file ranking)
            const scorer: Scorer | undefined =
              name === 'bm25' ? undefined : new CompletionsScorer({ endpoint: { baseUrl: server!.url, model: 'test-model' }, concurrency: 8 });
            const started = performance.now();
            const result = await ask(
              { question: NEEDLE_QUESTION, roots: [{ path: root, name: 'r' }] },
              { fs: nodeFileSystem, tokenizer, scorer, ...(name === 'bm25' ? {} : { answerEndpoint: { baseUrl: server!.url, model: 'test-model' } }) },
            );
            const rank = result.files.findIndex((f) => f.path === path) + 1;
            console.log(
              `${name} | ${result.stats.tokens} | ${(d + 0.5) / depths} | ${rank || 'not chosen'} | ${name === 'bm25' ? 'no answer (BM25)' : result.answer.includes(NEEDLE_ANSWER)} | ${((performance.now() - started) / 1000).toFixed(1)}`,
            );
          }
          writeFileSync(join(root, path), original);
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  } finally {
    server?.child.kill();
    tokenizer.dispose();
  }
}

main();
