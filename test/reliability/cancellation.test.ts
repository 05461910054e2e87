// Cancellation at every stage: the run stops within a second, requests in flight are aborted,
// what was done is kept where there is something to keep, and nothing goes on afterwards.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask, CancelledError } from '../../extension/core/pipeline';
import { CompletionsScorer } from '../../extension/core/model/families/vllm';
import { TiktokenTokenizer, type Tokenizer } from '../../extension/core/tokens/tokenizer';
import { watchFetches } from '../support/fetchWatch';
import { NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';
import { tempRepo } from '../support/tempRepo';

const tokenizer = new TiktokenTokenizer();
let server: ScoringServer;
let many: ReturnType<typeof tempRepo>;
let repo: ReturnType<typeof needleRepo>;
before(async () => {
  server = await startScoringServer();
  many = tempRepo({});
  for (let d = 0; d < 20; d++) {
    mkdirSync(join(many.root, `d${d}`));
    for (let f = 0; f < 1000; f++) writeFileSync(join(many.root, `d${d}`, `f${f}.ts`), `export const x${f} = ${f};\n`);
  }
  repo = needleRepo({ maxFiles: 120 });
});
after(async () => {
  tokenizer.dispose();
  many.dispose();
  repo.dispose();
  await server.close();
});

const scorer = () => new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' }, concurrency: 2, promptsPerRequest: 1 });

/** Runs `ask`, aborting when `when` says so; returns how long the run took to stop after the abort. */
async function cancelWhen(
  options: { root: string; tokenizer?: Tokenizer; answer?: boolean },
  when: (abort: () => void) => Parameters<typeof ask>[0]['onProgress'] & {},
) {
  const controller = new AbortController();
  const fetches = watchFetches();
  let abortedAt = 0;
  const abort = () => {
    if (controller.signal.aborted) return;
    abortedAt = performance.now();
    controller.abort();
    fetches.arm();
  };
  let outcome: Awaited<ReturnType<typeof ask>> | Error;
  try {
    outcome = await ask(
      {
        question: NEEDLE_QUESTION,
        roots: [{ path: options.root, name: 'r' }],
        signal: controller.signal,
        onProgress: when(abort),
        onAnswerDelta: () => (options.answer ? abort() : undefined),
      },
      { fs: nodeFileSystem, tokenizer: options.tokenizer ?? tokenizer, scorer: scorer(), answerEndpoint: { baseUrl: server.url, model: 'test-model' } },
    );
  } catch (err) {
    outcome = err as Error;
  }
  const stoppedAfterMs = performance.now() - abortedAt;
  assert.ok(abortedAt > 0, 'the abort happened');
  await new Promise((r) => setTimeout(r, 300)); // nothing left running sends one later either
  fetches.restore();
  assert.equal(fetches.sentSinceArmed(), 0, 'nothing is sent after the cancel');
  return { outcome, stoppedAfterMs };
}

describe('cancellation', () => {
  test('while gathering: stops within a second', async () => {
    const { outcome, stoppedAfterMs } = await cancelWhen({ root: many.root }, (abort) => (e) => (e.stage === 'gather' ? abort() : undefined));
    assert.ok(outcome instanceof CancelledError, String(outcome));
    assert.equal(outcome.message, 'cancelled while gathering files');
    assert.ok(stoppedAfterMs < 1000, `${stoppedAfterMs} ms`);
  });

  test('while tokenizing: stops within a second', async () => {
    const controller = { abort: () => {} };
    let counted = 0;
    const slow: Tokenizer = { name: 'counting', count: (t) => (++counted === 3000 && controller.abort(), tokenizer.count(t)) };
    const { outcome, stoppedAfterMs } = await cancelWhen({ root: many.root, tokenizer: slow }, (abort) => {
      controller.abort = abort;
      return () => {};
    });
    assert.ok(outcome instanceof CancelledError, String(outcome));
    assert.equal(outcome.message, 'cancelled while tokenizing');
    assert.ok(stoppedAfterMs < 1000, `${stoppedAfterMs} ms`);
  });

  test('while scoring: stops within a second, requests aborted, a partial ranking kept', async () => {
    server.options.delayMs = 300;
    try {
      const { outcome, stoppedAfterMs } = await cancelWhen({ root: repo.root }, (abort) => (e) => (e.stage === 'score' && e.done >= 2 ? abort() : undefined));
      assert.ok(!(outcome instanceof Error), String(outcome));
      assert.match(outcome.partial ?? '', /^cancelled after scoring \d+ of \d+ segments$/);
      assert.ok(outcome.files.length > 0);
      assert.ok(stoppedAfterMs < 1000, `${stoppedAfterMs} ms`);
    } finally {
      server.options.delayMs = 0;
    }
  });

  test('while answering: stops within a second, the answer so far kept', async () => {
    server.options.streamDelayMs = 200;
    try {
      const before = server.requests.filter((r) => r.path === '/v1/chat/completions').length;
      const { outcome, stoppedAfterMs } = await cancelWhen({ root: repo.root, answer: true }, () => () => {});
      assert.ok(!(outcome instanceof Error), String(outcome));
      assert.equal(outcome.partial, 'cancelled while answering');
      assert.ok(outcome.answer.length > 0, 'the first words are kept');
      assert.ok(!outcome.answer.includes('PURPLE'), 'the rest never came');
      assert.ok(stoppedAfterMs < 1000, `${stoppedAfterMs} ms`);
      assert.equal(server.requests.filter((r) => r.path === '/v1/chat/completions').length, before + 1);
    } finally {
      server.options.streamDelayMs = 0;
    }
  });
});
