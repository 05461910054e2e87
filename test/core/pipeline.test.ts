import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask, CancelledError } from '../../extension/core/pipeline';
import { runSummary } from '../../extension/core/report/runSummary';
import { ScoringUnsupportedError } from '../../extension/core/model/scorer';
import { CompletionsScorer } from '../../extension/core/model/families/vllm';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import type { ProgressEvent } from '../../extension/core/types';
import { NEEDLE_ANSWER, NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { watchFetches } from '../support/fetchWatch';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

describe('ask: the whole pipeline through real HTTP', () => {
  let server: ScoringServer;
  before(async () => {
    server = await startScoringServer();
  });
  after(() => server.close());

  test('a needle planted in one of 600+ real source files is ranked first and appears in the answer', async () => {
    const repo = needleRepo({ depth: 0.37 });
    try {
      assert.ok(repo.files >= 500, `${repo.files} files`);
      const endpoint = { baseUrl: server.url, model: 'test-model' };
      const events: ProgressEvent[] = [];
      let streamed = '';
      const result = await ask(
        { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }], onProgress: (e) => events.push(e), onAnswerDelta: (d) => (streamed += d) },
        { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint }), answerEndpoint: endpoint },
      );
      assert.equal(
        result.files[0]!.path,
        repo.needlePath,
        `ranked: ${result.files
          .slice(0, 5)
          .map((f) => f.path)
          .join(', ')}`,
      );
      const range = result.files[0]!.ranges.find((r) => r.start <= repo.needleLine && repo.needleLine <= r.end);
      assert.ok(range, 'the needle line is inside a reported range');
      assert.ok(result.answer.includes(NEEDLE_ANSWER), result.answer);
      assert.ok(result.answer.includes(`${repo.needlePath}:${repo.needleLine}`), `cites path:line: ${result.answer}`);
      assert.equal(streamed, result.answer);
      assert.equal(result.partial, undefined);
      const s = result.stats;
      assert.equal(s.files, repo.files);
      assert.equal(s.scoredSegments, s.segments);
      assert.ok(s.keyContextTokens <= s.budget);
      assert.ok(result.keyContext.includes(NEEDLE_ANSWER));
      const last = events.filter((e) => e.stage === 'score').pop();
      assert.deepEqual(last && [last.done, last.total], [s.segments, s.segments]);
      console.log(
        `needle: ${s.files} files, ${s.tokens} tokens, ${s.segments} segments, ${s.scoringSeconds.toFixed(1)} s scoring, ${Math.round(s.scoringTokensPerSecond)} tok/s, ${s.requests} requests`,
      );
    } finally {
      repo.dispose();
    }
  });

  for (const measure of ['entropy', 'contrast'] as const) {
    test(`the ${measure} measure also ranks the needle first`, async () => {
      const repo = needleRepo({ maxFiles: 120, depth: 0.8 });
      try {
        const result = await ask(
          { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }], measure },
          { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }) },
        );
        assert.equal(result.files[0]!.path, repo.needlePath);
        assert.equal(result.answer, '');
      } finally {
        repo.dispose();
      }
    });
  }

  test('with a scoring budget, the model scores only the best files of the lexical ranking, within the budget, and says so', async () => {
    const repo = needleRepo({ maxFiles: 200, depth: 0.6 });
    try {
      const before = server.requests.length;
      const result = await ask(
        { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }], scoringTokens: 20_000 },
        { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }) },
      );
      const s = result.stats;
      assert.ok(s.tokens > 100_000, `the repository is far bigger than the budget: ${s.tokens} tokens`);
      assert.ok(s.candidateTokens <= 20_000 && s.candidateTokens > 15_000, `scored ${s.candidateTokens} tokens`);
      assert.ok(s.candidateFiles > 0 && s.candidateFiles < s.files, `${s.candidateFiles} of ${s.files} files`);
      assert.ok(s.scoredTokens <= s.candidateTokens + s.segments * 64, `segment tokens sent ${s.scoredTokens}`);
      assert.ok(s.tokensEstimated, 'the files left out are counted by estimate');
      // what reached the server: the files of the candidates only, the needle's among them
      const sent = new Set(
        server.requests
          .slice(before)
          .flatMap((r) => [r.body?.prompt ?? []].flat())
          .flatMap((p: unknown) => (typeof p === 'string' ? [...p.matchAll(/^--- (.+):\d+-\d+ ---$/gm)].map((m) => m[1]!) : [])),
      );
      assert.ok(sent.has(repo.needlePath), 'the best file was scored');
      assert.ok(sent.size <= s.candidateFiles, `${sent.size} files sent, ${s.candidateFiles} candidates`);
      assert.equal(result.files[0]!.path, repo.needlePath);
      assert.equal(result.files.length, s.files, 'every file is ranked, the rest by their lexical rank');
      assert.equal(result.files.filter((f) => f.modelScore !== undefined).length <= s.candidateFiles, true);
      assert.ok(
        result.notes.some((n) => n.includes(`the model scored the best ${s.candidateFiles} of ${s.files} files`)),
        result.notes.join('\n'),
      );
    } finally {
      repo.dispose();
    }
  });

  test('pinned files are in the key context', async () => {
    const repo = needleRepo({ maxFiles: 60 });
    try {
      const pin = repo.paths[repo.paths.length - 1]!;
      const result = await ask(
        { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }], pinned: [pin], budget: 4000 },
        { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }) },
      );
      assert.ok(result.files.some((f) => f.path === pin && f.pinned));
      assert.ok(result.keyContext.includes(`--- ${pin}:1-`));
    } finally {
      repo.dispose();
    }
  });
});

describe('ask without a model', () => {
  test('chooses a key context only when an answer is written from it: without, no file is read again for it and the summary says nothing of it', async () => {
    const repo = needleRepo({ maxFiles: 120, depth: 0.5 });
    try {
      const roots = [{ path: repo.root, name: 'repo' }];
      const unanswered = await ask({ question: NEEDLE_QUESTION, roots }, { fs: nodeFileSystem, tokenizer });
      assert.equal(unanswered.keyContext, '');
      assert.equal(unanswered.stats.keyContextTokens, 0);
      assert.equal(unanswered.stats.answered, false);
      assert.doesNotMatch(runSummary(unanswered.stats), /chosen for the answer/);
      let read = '';
      const answered = await ask(
        { question: NEEDLE_QUESTION, roots },
        { fs: nodeFileSystem, tokenizer, answerer: async (keyContext) => ((read = keyContext), 'an answer') },
      );
      assert.ok(answered.keyContext.includes(NEEDLE_ANSWER) && read === answered.keyContext);
      assert.ok(answered.stats.keyContextTokens > 0 && answered.stats.answered);
      assert.match(runSummary(answered.stats), /tokens chosen for the answer/);
      assert.deepEqual(
        unanswered.files.map((f) => [f.path, f.score]),
        answered.files.map((f) => [f.path, f.score]),
        'the same ranking (the ranges shown differ: with an answer, those read for it)',
      );
    } finally {
      repo.dispose();
    }
  });
});

describe('ask: failures and cancellation keep what was scored', () => {
  test('segments that fail are counted and the ranking is marked partial', async () => {
    const server = await startScoringServer({ fault: (path, n) => (path === '/v1/completions' && n % 3 === 0 ? { status: 503 } : undefined) });
    const repo = needleRepo({ maxFiles: 80 });
    try {
      const endpoint = { baseUrl: server.url, model: 'test-model', maxRetries: 0 };
      const result = await ask(
        { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }] },
        { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint, promptsPerRequest: 1 }), answerEndpoint: endpoint },
      );
      assert.ok(result.stats.failedSegments > 0 && result.stats.scoredSegments > 0);
      assert.equal(result.stats.failedSegments + result.stats.scoredSegments, result.stats.segments);
      assert.match(result.partial ?? '', new RegExp(`^${result.stats.failedSegments} of ${result.stats.segments} segments could not be scored: .*HTTP 503`));
      assert.ok(result.files.length > 0);
    } finally {
      repo.dispose();
      await server.close();
    }
  });

  test('cancelling while scoring stops the requests and keeps a partial ranking', async () => {
    const server = await startScoringServer({ delayMs: 40 });
    const repo = needleRepo({ maxFiles: 200 });
    const controller = new AbortController();
    const fetches = watchFetches();
    try {
      let cancelledAt = 0;
      const result = await ask(
        {
          question: NEEDLE_QUESTION,
          roots: [{ path: repo.root, name: 'repo' }],
          signal: controller.signal,
          onProgress: (e) => {
            if (e.stage === 'score' && e.done >= 4 && !controller.signal.aborted) {
              cancelledAt = performance.now();
              controller.abort();
              fetches.arm();
            }
          },
        },
        {
          fs: nodeFileSystem,
          tokenizer,
          scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' }, concurrency: 2, promptsPerRequest: 1 }),
          answerEndpoint: { baseUrl: server.url, model: 'test-model' },
        },
      );
      const stoppedAfter = performance.now() - cancelledAt;
      assert.ok(stoppedAfter < 1000, `stopped ${stoppedAfter} ms after the cancel`);
      assert.match(result.partial ?? '', /^cancelled after scoring \d+ of \d+ segments$/);
      assert.ok(result.stats.scoredSegments >= 4 && result.stats.scoredSegments < result.stats.segments);
      assert.ok(result.files.length > 0);
      assert.equal(result.answer, '');
      await new Promise((r) => setTimeout(r, 300)); // nothing left running sends one later either
      assert.equal(fetches.sentSinceArmed(), 0, 'no request is sent after the cancel');
      assert.equal(server.requests.filter((r) => r.path === '/v1/chat/completions').length, 0);
    } finally {
      fetches.restore();
      repo.dispose();
      await server.close();
    }
  });

  test('cancelling before anything is scored is a CancelledError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      ask(
        { question: 'q', roots: [{ path: __dirname, name: 't' }], signal: controller.signal },
        { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } }) },
      ),
      CancelledError,
    );
  });

  test('a server without prompt log-probabilities ends the run with the reason', async () => {
    const server = await startScoringServer({ fault: (path) => (path === '/v1/completions' ? 'ignore-echo' : undefined) });
    const repo = needleRepo({ maxFiles: 20 });
    try {
      await assert.rejects(
        ask(
          { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }] },
          { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }) },
        ),
        (e: Error) => e instanceof ScoringUnsupportedError && /does not echo prompt log-probabilities/.test(e.message),
      );
    } finally {
      repo.dispose();
      await server.close();
    }
  });

  test('an empty question is refused', async () => {
    await assert.rejects(
      ask(
        { question: '  \n ', roots: [] },
        { fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } }) },
      ),
      /the question is empty/,
    );
  });
});
