import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { Bm25Scorer } from '../../extension/core/model/scorers/bm25Scorer';
import { TiktokenTokenizer, tokenizeFile } from '../../extension/core/tokens/tokenizer';
import { TokenizerPool } from '../../extension/core/tokens/tokenizerPool';
import type { SourceFile } from '../../extension/core/types';
import { needleRepo, openaiSources } from '../support/needleRepo';

// The worker as it ships (npm test builds before testing): starting one costs milliseconds, where a
// worker compiling TypeScript through tsx took seconds.
const WORKER = join(__dirname, '../../dist/tokenizerWorker.js');
const worker = (workerData?: unknown) => new Worker(WORKER, { workerData });
const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

const source = (path: string, text: string): SourceFile => ({ path, absPath: `/r/${path}`, text, bytes: Buffer.byteLength(text) });

function corpus(): SourceFile[] {
  const { dir, files } = openaiSources();
  const real = files.slice(0, 300).map((f) => source(f, readFileSync(join(dir, f), 'utf8')));
  return [
    source('empty.txt', ''),
    source('one-line-no-newline.ts', 'export const x = 1;'),
    source('crlf.ts', 'a\r\nb\r\n\r\nc\r\n'),
    source('unicode.md', 'Grüße, 世界 🚀\n'.repeat(50)),
    source('huge.ts', 'export const value = compute(1, 2, 3);\n'.repeat(30_000)),
    source('long-line.min.js', 'x'.repeat(100_000)),
    ...real,
  ];
}

describe('TokenizerPool', () => {
  before(() => assert.ok(existsSync(WORKER), 'dist/tokenizerWorker.js is built (npm run build)'));

  test('gives exactly what tokenizing on the calling thread gives, in order, using every worker', async () => {
    let started = 0;
    const pool = new TokenizerPool(() => (started++, worker()), 2);
    try {
      const files = corpus();
      const progress: number[] = [];
      const pooled = await pool.tokenizeFiles(files, { onProgress: (d) => progress.push(d) });
      assert.equal(pooled.length, files.length);
      for (let i = 0; i < files.length; i++) {
        const local = tokenizeFile(files[i]!, tokenizer);
        assert.equal(pooled[i]!.file, files[i], `order at ${i}`);
        assert.deepEqual(pooled[i]!.lines, local.lines, files[i]!.path);
        assert.deepEqual([...pooled[i]!.lineTokens], [...local.lineTokens], files[i]!.path);
        assert.equal(pooled[i]!.tokens, local.tokens, files[i]!.path);
      }
      assert.equal(started, 2);
      assert.equal(progress.at(-1), files.length);
      // the workers are kept for the next run
      await pool.tokenizeFiles(files.slice(0, 50));
      assert.equal(started, 2);
    } finally {
      await pool.dispose();
    }
  });

  test('counts with the encoding it is given', async () => {
    const o200k = new TiktokenTokenizer('o200k_base');
    const pool = new TokenizerPool(() => worker({ encoding: 'o200k_base' }), 1);
    try {
      const files = corpus().slice(0, 40);
      const pooled = await pool.tokenizeFiles(files);
      assert.deepEqual(
        pooled.map((f) => f.tokens),
        files.map((f) => tokenizeFile(f, o200k).tokens),
      );
      assert.notDeepEqual(
        pooled.map((f) => f.tokens),
        files.map((f) => tokenizeFile(f, tokenizer).tokens),
      );
    } finally {
      o200k.dispose();
      await pool.dispose();
    }
  });

  test('a cancelled run stops between batches', async () => {
    const pool = new TokenizerPool(() => worker(), 2);
    try {
      const controller = new AbortController();
      let seen = 0;
      await assert.rejects(
        pool.tokenizeFiles(corpus(), {
          signal: controller.signal,
          onProgress: (d) => {
            seen = d;
            controller.abort();
          },
        }),
        { name: 'AbortError' },
      );
      assert.ok(seen > 0 && seen < corpus().length);
    } finally {
      await pool.dispose();
    }
  });

  test('a worker that dies is reported with the reason, and the next run starts a new one', async () => {
    let started = 0;
    const pool = new TokenizerPool(
      () =>
        ++started === 1
          ? new Worker(`require('node:worker_threads').parentPort.on('message', () => { throw new Error('out of memory (simulated)'); });`, { eval: true })
          : worker(),
      1,
    );
    try {
      const files = corpus().slice(0, 20);
      await assert.rejects(pool.tokenizeFiles(files), /a tokenizer thread failed: out of memory \(simulated\)/);
      const again = await pool.tokenizeFiles(files);
      assert.equal(again.length, 20);
      assert.equal(started, 2);
    } finally {
      await pool.dispose();
    }
  });

  test('the pipeline ranks the same with and without the pool', async () => {
    const repo = needleRepo({ maxFiles: 120, depth: 0.3 });
    const pool = new TokenizerPool(() => worker(), 2);
    try {
      const run = (withPool: boolean) =>
        ask(
          { question: 'What is the secret deployment codename of the billing service?', roots: [{ path: repo.root, name: 'r' }] },
          { fs: nodeFileSystem, tokenizer, scorer: new Bm25Scorer(), ...(withPool ? { tokenizerPool: pool } : {}) },
        );
      const [plain, pooled] = [await run(false), await run(true)];
      assert.equal(pooled.stats.tokens, plain.stats.tokens);
      assert.equal(pooled.stats.segments, plain.stats.segments);
      assert.deepEqual(pooled.files, plain.files);
      assert.equal(pooled.files[0]!.path, repo.needlePath);
    } finally {
      await pool.dispose();
      repo.dispose();
    }
  });
});
