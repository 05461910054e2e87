// `npm run bench:ingest`: gather + tokenize + segment throughput on large real code (three.js and
// Babel, installed into bench/deps), against raw tiktoken encoding of the same bytes and against
// Repomix packing the same tree (Repomix needs Node >= 22: the e2e tests' Node 24 runs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../extension/core/fileSystem';
import { gather } from '../extension/core/gather';
import { segment } from '../extension/core/segment';
import { TiktokenTokenizer, tokenizeFile } from '../extension/core/tokenizer';

const DEPS = join(__dirname, 'deps');
const NODE24 = join(__dirname, '../test/e2e/deps/node24/node_modules/node/bin/node');

async function main() {
  if (!existsSync(join(DEPS, 'node_modules/three'))) execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: DEPS, stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'xl3m-ingest-'));
  try {
    for (const part of ['three/src', 'three/examples/jsm', '@babel']) cpSync(join(DEPS, 'node_modules', part), join(root, part), { recursive: true });
    const tokenizer = new TiktokenTokenizer();
    tokenizer.count('warm up');

    const rounds = 3;
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
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const s = median(ours);
    const rawS = median(raw);
    console.log(`corpus: ${files} files, ${(bytes / 1e6).toFixed(1)} MB, ${tokens} tokens, ${segments} segments (three.js src + examples/jsm, @babel)`);
    console.log(`xl3m gather + tokenize + segment: ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(2)} MB/s, ${Math.round(tokens / s)} tokens/s`);
    console.log(`raw tiktoken (cl100k) on the same texts in memory: ${rawS.toFixed(2)} s; ratio xl3m / raw = ${(rawS / s).toFixed(3)}`);

    if (existsSync(NODE24)) {
      const out = join(root, '..', `repomix-${Date.now()}.xml`);
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        const run = spawnSync(NODE24, [join(DEPS, 'node_modules/repomix/bin/repomix.cjs'), root, '--output', out, '--quiet'], { encoding: 'utf8' });
        times.push((performance.now() - t) / 1000);
        if (run.status !== 0) throw new Error(`repomix failed: ${run.stderr.slice(-500)}`);
      }
      rmSync(out, { force: true });
      const rep = median(times);
      console.log(`Repomix 1.18.1 packing the same tree (Node 24, defaults): ${rep.toFixed(2)} s; xl3m is ${(rep / s).toFixed(2)}x faster`);
    } else {
      console.log('Repomix: skipped (run test/e2e/setup.sh for Node 24)');
    }
    tokenizer.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
