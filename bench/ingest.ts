// `npm run bench:ingest`: gather + tokenize + segment throughput on large real code (three.js and
// Babel, installed into bench/deps), on the calling thread and with the tokenizer pool (the built
// dist/tokenizerWorker.js), against raw tiktoken encoding of the same bytes and against Repomix
// packing the same tree with its token-count cache off and on (Repomix needs Node >= 22: the e2e
// tests' Node 24 runs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import { segment } from '../extension/core/xl3m/segment';
import { TiktokenTokenizer, tokenizeFile } from '../extension/core/tokens/tokenizer';
import { TokenCountCache } from '../extension/core/tokens/tokenCountCache';
import { bundledTokenizerPool } from '../extension/core/tokens/tokenizerPool';

const DEPS = join(__dirname, 'deps');
const NODE24 = join(__dirname, '../test/e2e/deps/node24/node_modules/node/bin/node');

async function main() {
  if (!existsSync(join(DEPS, 'node_modules/three')))
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: DEPS, stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'xl3m-ingest-'));
  try {
    for (const part of ['three/src', 'three/examples/jsm', '@babel']) cpSync(join(DEPS, 'node_modules', part), join(root, part), { recursive: true });
    const tokenizer = new TiktokenTokenizer();
    tokenizer.count('warm up');

    const pool = bundledTokenizerPool(join(__dirname, '../dist'));
    if (!pool) throw new Error('dist/tokenizerWorker.js is missing: npm run build');
    await pool.tokenizeFiles([
      { path: 'w', absPath: 'w', text: 'warm up', bytes: 7 },
      { path: 'w2', absPath: 'w2', text: 'warm up', bytes: 7 },
    ]);

    const rounds = 3;
    const cache = new TokenCountCache();
    const cachedRounds: number[] = [];
    const pooled: number[] = [];
    const ours: number[] = [];
    const raw: number[] = [];
    let bytes = 0;
    let tokens = 0;
    let files = 0;
    let segments = 0;
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      const g = await gather(nodeFileSystem, [{ path: root, name: 'r' }]);
      const tokenized = g.files.map((f) => tokenizeFile(f, tokenizer));
      segments = segment(tokenized, tokenizer).length;
      ours.push((performance.now() - t) / 1000);
      bytes = g.files.reduce((a, f) => a + f.bytes, 0);
      tokens = tokenized.reduce((a, f) => a + f.tokens, 0);
      files = g.files.length;
      t = performance.now();
      for (const f of g.files) tokenizer.count(f.text);
      raw.push((performance.now() - t) / 1000);
      t = performance.now();
      const g2 = await gather(nodeFileSystem, [{ path: root, name: 'r' }]);
      const viaPool = await pool.tokenizeFiles(g2.files);
      if (segment(viaPool, tokenizer).length !== segments) throw new Error('the pool segmented differently');
      pooled.push((performance.now() - t) / 1000);
      // a second question in the extension: the counts of unchanged files come from the cache
      const fill = await gather(nodeFileSystem, [{ path: root, name: 'r' }]);
      for (const tf of await pool.tokenizeFiles(fill.files)) cache.set(tf, cache.hash(tf.file));
      t = performance.now();
      const g3 = await gather(nodeFileSystem, [{ path: root, name: 'r' }]);
      const fromCache = g3.files.map((f) => cache.get(f, cache.hash(f)) ?? tokenizeFile(f, tokenizer));
      if (segment(fromCache, tokenizer).length !== segments) throw new Error('the cache segmented differently');
      cachedRounds.push((performance.now() - t) / 1000);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const s = median(ours);
    const rawS = median(raw);
    console.log(`corpus: ${files} files, ${(bytes / 1e6).toFixed(1)} MB, ${tokens} tokens, ${segments} segments (three.js src + examples/jsm, @babel)`);
    console.log(`xl3m gather + tokenize + segment: ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(2)} MB/s, ${Math.round(tokens / s)} tokens/s`);
    console.log(`raw tiktoken (cl100k) on the same texts in memory: ${rawS.toFixed(2)} s; ratio xl3m / raw = ${(rawS / s).toFixed(3)}`);
    const p = median(pooled);
    console.log(
      `xl3m with the tokenizer pool (${pool.size} worker threads): ${p.toFixed(2)} s = ${(bytes / 1e6 / p).toFixed(2)} MB/s, ${Math.round(tokens / p)} tokens/s; ratio to raw tiktoken = ${(rawS / p).toFixed(3)}`,
    );
    const c = median(cachedRounds);
    console.log(`xl3m on a second question, token counts from the cache: ${c.toFixed(2)} s = ${(bytes / 1e6 / c).toFixed(2)} MB/s`);
    await pool.dispose();

    if (existsSync(NODE24)) {
      const out = join(root, '..', `repomix-${Date.now()}.xml`);
      // Repomix keeps token counts in a cache on disk between runs: measured cold (off) and warm
      for (const [label, cache] of [
        ['token-count cache off (cold)', '0'],
        ['token-count cache on (warm after the first round)', '1'],
      ] as const) {
        const times: number[] = [];
        for (let r = 0; r < rounds; r++) {
          const t = performance.now();
          const run = spawnSync(NODE24, [join(DEPS, 'node_modules/repomix/bin/repomix.cjs'), root, '--output', out, '--quiet'], {
            encoding: 'utf8',
            env: { ...process.env, REPOMIX_TOKEN_CACHE: cache },
          });
          times.push((performance.now() - t) / 1000);
          if (run.status !== 0) throw new Error(`repomix failed: ${run.stderr.slice(-500)}`);
        }
        const rep = median(times);
        console.log(
          `Repomix 1.18.1 packing the same tree (Node 24, ${label}): ${rep.toFixed(2)} s; xl3m is ${(rep / s).toFixed(2)}x as fast on one thread, ${(rep / p).toFixed(2)}x with the pool, ${(rep / c).toFixed(2)}x with its count cache`,
        );
      }
      rmSync(out, { force: true });
    } else {
      console.log('Repomix: skipped (run test/e2e/setup.sh for Node 24)');
    }
    tokenizer.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
