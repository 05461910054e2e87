import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../../../extension/core/files/fileSystem';
import { ask } from '../../../../extension/core/pipeline';
import type { Certainty } from '../../../../extension/core/types';
import { localModelLimits, TOKENIZER_SAMPLE } from '../../../../extension/core/model/local/localModel';
import { LocalModelProcess, type LocalModelProcessOptions } from '../../../../extension/core/model/local/localModelProcess';
import { TiktokenTokenizer } from '../../../../extension/core/tokens/tokenizer';
import { needleRepo } from '../../../support/needleRepo';
import { tempRepo } from '../../../support/tempRepo';
import { writeTinyGguf } from '../../../support/tinyGguf';

const WORKER: LocalModelProcessOptions = {
  // the worker as it ships (npm test builds before testing), not compiled by tsx at each start
  workerPath: join(__dirname, '../../../../dist/localModelWorker.js'),
  contextSize: 2048,
  threads: 1,
};
const CONTEXT = 'export function billing() { return the secret code of the service; }';
const QUESTION = 'what is the secret code of the billing service';

const dir = mkdtempSync(join(tmpdir(), 'xl3m-gguf-process-'));
const tokenizer = new TiktokenTokenizer();
let modelPath: string;
let proc: LocalModelProcess;
before(async () => {
  modelPath = writeTinyGguf(join(dir, 'tiny.gguf')).path;
  proc = await LocalModelProcess.start(modelPath, WORKER);
});
after(() => {
  proc?.dispose();
  tokenizer.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const llamaLoaded = (pid: number | string) => readFileSync(`/proc/${pid}/maps`, 'utf8').includes('llama-addon.node');

function scoreAll(p: LocalModelProcess, texts: string[], signal?: AbortSignal, onResult?: (i: number) => void) {
  const results = new Map<number, Certainty>();
  const failures = new Map<number, Error>();
  const done = p.scorer().score(
    texts.map((text, index) => ({ index, text })),
    QUESTION,
    {
      signal,
      onResult: (i, c) => {
        results.set(i, c);
        onResult?.(i);
      },
      onFailure: (i, e) => failures.set(i, e),
    },
  );
  return { results, failures, done };
}

const childPids = () =>
  readdirSync('/proc/self/task')
    .flatMap((t) => readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(/\s+/))
    .filter(Boolean)
    .sort();

async function until(condition: () => boolean, limitMs: number): Promise<number> {
  const started = performance.now();
  while (!condition() && performance.now() - started < limitMs) await new Promise((r) => setTimeout(r, 5));
  return performance.now() - started;
}

describe('local model in a child process', () => {
  test('llama.cpp is loaded in the child, never in the calling process', () => {
    assert.notEqual(proc.pid, process.pid);
    assert.equal(llamaLoaded(proc.pid!), true);
    assert.equal(llamaLoaded('self'), false);
    assert.equal(proc.name, 'tiny.gguf');
    assert.equal(proc.contextSize, 2048);
  });

  test('scores each segment, with the same certainty for the same text', async () => {
    const { results, failures, done } = scoreAll(proc, [CONTEXT, 'const unrelated = 42;', CONTEXT]);
    await done;
    assert.equal(failures.size, 0);
    assert.equal(results.size, 3);
    const [a, b, c] = [0, 1, 2].map((i) => results.get(i)!);
    assert.equal(a!.questionTokens, c!.questionTokens);
    assert.ok(a!.questionTokens > 5);
    assert.ok(Math.abs(a!.meanNll! - c!.meanNll!) < 1e-9, 'deterministic');
    assert.notEqual(a!.meanNll, b!.meanNll);
    assert.ok(a!.meanEntropy! > 0);
  });

  test('a cancelled job stops within a second and the process serves the next one', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const { results, done } = scoreAll(proc, Array(300).fill(CONTEXT.repeat(4)), controller.signal, () => {
      if (!abortedAt) {
        abortedAt = performance.now();
        controller.abort();
      }
    });
    await assert.rejects(done, /abort/i);
    await until(() => !proc.busy, 2000);
    const stoppedAfter = performance.now() - abortedAt;
    assert.ok(!proc.busy && stoppedAfter < 1000, `stopped after ${stoppedAfter} ms`);
    assert.ok(results.size < 5, `${results.size} results after the abort`);
    assert.equal(proc.alive, true, 'a job that stops by itself keeps its process');
    const next = scoreAll(proc, [CONTEXT]);
    await next.done;
    assert.equal(next.results.size, 1);
  });

  test('a job stuck in llama.cpp is stopped by killing its process when cancelled', async () => {
    const stuck = await LocalModelProcess.start(modelPath, { ...WORKER, stopGraceMs: 300 });
    try {
      const controller = new AbortController();
      process.kill(stuck.pid!, 'SIGSTOP'); // as if one evaluation took minutes
      const { done } = scoreAll(stuck, [CONTEXT], controller.signal);
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(done, /abort/i);
      const waited = await until(() => !stuck.alive, 2000);
      assert.equal(stuck.alive, false, `still alive after ${waited} ms`);
      assert.ok(waited < 1000);
      await assert.rejects(stuck.answer(CONTEXT, QUESTION), /a cancelled job did not stop within 300 ms/);
    } finally {
      stuck.dispose();
    }
  });

  test('a process that dies mid-run keeps what it scored: a partial ranking with the reason', async () => {
    const dying = await LocalModelProcess.start(modelPath, WORKER);
    const repo = tempRepo(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.ts`, `${CONTEXT} // ${i}\n`.repeat(6)])));
    let results = 0;
    try {
      const scorer = dying.scorer();
      const result = await ask(
        { question: QUESTION, roots: [{ path: repo.root, name: 'r' }], segment: { maxTokens: 96 }, contextWindow: 1024, answerReserve: 32 },
        {
          fs: nodeFileSystem,
          tokenizer,
          scorer: {
            description: scorer.description,
            stats: scorer.stats,
            score: (requests, question, options) =>
              scorer.score(requests, question, {
                ...options,
                onResult: (i, c) => {
                  options.onResult(i, c);
                  if (++results === 3) process.kill(dying.pid!, 'SIGKILL');
                },
              }),
          },
        },
      );
      assert.match(result.partial ?? '', /could not be scored: the local model process exited \(SIGKILL\)/);
      assert.ok(
        result.stats.scoredSegments >= 3 && result.stats.scoredSegments < result.stats.segments,
        `${result.stats.scoredSegments} of ${result.stats.segments}`,
      );
      assert.ok(result.files.length > 0);
      assert.equal(dying.alive, false);
    } finally {
      dying.dispose();
      repo.dispose();
    }
  });

  test('the pipeline ranks and streams an answer through the process', async () => {
    const repo = tempRepo({ 'a.ts': 'export const a = 1;\n'.repeat(20), 'billing.ts': `${CONTEXT}\n`.repeat(3), 'c.ts': 'export const c = 3;\n'.repeat(20) });
    try {
      const streamed: string[] = [];
      const result = await ask(
        {
          question: QUESTION,
          roots: [{ path: repo.root, name: 'r' }],
          segment: { maxTokens: 96 },
          contextWindow: 1024,
          answerReserve: 32,
          onAnswerDelta: (d) => streamed.push(d),
        },
        { fs: nodeFileSystem, tokenizer, scorer: proc.scorer(), answerer: (text, q, o) => proc.answer(text, q, o) },
      );
      assert.equal(result.stats.scoredSegments, result.stats.segments);
      assert.equal(result.partial, undefined);
      assert.ok(result.answer.length > 0);
      assert.equal(streamed.join(''), result.answer);
      assert.match(result.stats.scorer, /tiny\.gguf \(llama\.cpp, in a child process\)/);
    } finally {
      repo.dispose();
    }
  });

  test("segments sized from the model's tokenizer fit its context, on real code", async () => {
    const repo = needleRepo({ maxFiles: 15, depth: 0.5 });
    try {
      const ratio = proc.sampleTokens / tokenizer.count(TOKENIZER_SAMPLE);
      assert.ok(ratio > 2, `the tiny vocabulary needs ${ratio.toFixed(2)} model tokens per tiktoken token`);
      const limits = localModelLimits(proc, tokenizer);
      const result = await ask(
        {
          question: QUESTION,
          roots: [{ path: repo.root, name: 'r' }],
          segment: { maxTokens: limits.segmentTokens },
          contextWindow: limits.contextWindow,
          answerReserve: limits.answerReserve,
        },
        { fs: nodeFileSystem, tokenizer, scorer: proc.scorer() },
      );
      assert.equal(result.partial, undefined);
      assert.equal(result.stats.scoredSegments, result.stats.segments);
    } finally {
      repo.dispose();
    }
  });

  test("a file that is not a GGUF model is refused with the loader's reason, and its process ends", async () => {
    const bad = join(dir, 'not-a-model.gguf');
    writeFileSync(bad, 'this is not a model');
    const before = childPids();
    await assert.rejects(LocalModelProcess.start(bad, WORKER), /Invalid GGUF magic/);
    await until(() => childPids().length <= before.length, 1000);
    assert.deepEqual(childPids(), before);
  });
});
