import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postJson, retryDelayMs } from '../../extension/core/model/http';
import { CompletionsScorer } from '../../extension/core/model/families/vllm';
import { startScoringServer } from '../support/scoringServer';

describe('retries', () => {
  test('Retry-After (seconds or date) is honoured; otherwise exponential backoff with jitter, capped', () => {
    assert.equal(retryDelayMs(0, '2'), 2000);
    assert.equal(retryDelayMs(5, '0'), 0);
    const date = new Date(Date.now() + 3000).toUTCString();
    assert.ok(Math.abs(retryDelayMs(0, date) - 3000) <= 1000);
    assert.equal(retryDelayMs(0, '86400'), 60_000, 'capped at a minute');
    for (const attempt of [0, 1, 2, 3, 10]) {
      const cap = Math.min(8000, 500 * 2 ** attempt);
      assert.equal(
        retryDelayMs(attempt, null, () => 0),
        cap / 2,
      );
      assert.equal(
        retryDelayMs(attempt, null, () => 1),
        cap,
      );
    }
  });

  test('429 with Retry-After, then success: one result, three attempts', async () => {
    const server = await startScoringServer({
      fault: (path, n) => (path === '/tokenize' && n <= 2 ? { status: 429, headers: { 'retry-after': '0' } } : undefined),
    });
    try {
      const started = performance.now();
      const reply = (await postJson({ baseUrl: server.url, model: 'test-model' }, server.url.replace('/v1', '/tokenize'), { prompt: 'a b c' }, undefined)) as {
        tokens: number[];
      };
      assert.equal(reply.tokens.length, 3);
      assert.equal(server.requests.filter((r) => r.path === '/tokenize').length, 3);
      assert.ok(performance.now() - started < 1000, 'Retry-After: 0 means no backoff');
    } finally {
      await server.close();
    }
  });

  test('a server that keeps failing gets 1 + retries attempts, then a clear error', async () => {
    const server = await startScoringServer({ fault: () => ({ status: 503, headers: { 'retry-after': '0' }, body: { message: 'overloaded' } }) });
    try {
      await assert.rejects(
        postJson({ baseUrl: server.url, model: 'test-model', maxRetries: 2 }, server.url.replace('/v1', '/tokenize'), {}, undefined),
        /\/tokenize answered HTTP 503 overloaded/,
      );
      assert.equal(server.requests.length, 3);
      const scorer = new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model', maxRetries: 2 }, spans: 'text', promptsPerRequest: 1 });
      const failures: Error[] = [];
      const results: number[] = [];
      await scorer.score([{ index: 0, text: 'x' }], 'q', { onResult: (i) => results.push(i), onFailure: (_i, e) => failures.push(e) });
      assert.deepEqual(results, [], 'no result from a server that only fails');
      assert.equal(failures.length, 1);
      assert.equal(server.requests.filter((r) => r.path === '/v1/completions').length, 3, 'the OpenAI client retries the same bounded number of times');
      assert.match(
        failures[0]!.message,
        new RegExp(`^${server.url.replace(/[./]/g, '\\$&')} \\(model test-model\\), POST /v1/completions: HTTP 503 overloaded`),
      );
      assert.equal((failures[0] as { endpointDown?: boolean }).endpointDown, true);
    } finally {
      await server.close();
    }
  });

  test("a reply cut short is asked again; the last one's failure names the cause", async () => {
    const server = await startScoringServer({
      fault: (path, n) => (path === '/tokenize' && n <= 5 ? { status: 200, rawBody: '{"tokens": [1, 2' } : undefined),
    });
    try {
      const reply = (await postJson(
        { baseUrl: server.url, model: 'test-model', maxRetries: 5 },
        server.url.replace('/v1', '/tokenize'),
        { prompt: 'a b c' },
        undefined,
      )) as { tokens: number[] };
      assert.equal(reply.tokens.length, 3);
      assert.equal(server.requests.length, 6);
      server.options.fault = () => ({ status: 200, rawBody: '{"tokens": [1, 2' });
      await assert.rejects(
        postJson({ baseUrl: server.url, model: 'test-model', maxRetries: 1 }, server.url.replace('/v1', '/tokenize'), {}, undefined),
        /\/tokenize answered with a reply cut short or not JSON/,
      );
      assert.equal(server.requests.length, 8, '1 + retries attempts');
    } finally {
      await server.close();
    }
  });
});

test("an exception in the caller's onResult is the caller's bug: score() rejects with it, not a server failure", async () => {
  const server = await startScoringServer();
  try {
    const scorer = new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model', maxRetries: 0 }, spans: 'text', promptsPerRequest: 1 });
    const failures: Error[] = [];
    const bug = new Error('a bug in onResult');
    await assert.rejects(
      scorer.score(
        [0, 1, 2, 3].map((index) => ({ index, text: `segment ${index}` })),
        'q',
        {
          onResult: () => {
            throw bug;
          },
          onFailure: (_i, e) => failures.push(e),
        },
      ),
      (e) => e === bug,
    );
    assert.deepEqual(failures, [], 'not reported as the server failing');
  } finally {
    await server.close();
  }
});
