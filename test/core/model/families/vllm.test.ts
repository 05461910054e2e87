import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QUESTION_LEAD, ScoringUnsupportedError } from '../../../../extension/core/model/scorer';
import { CompletionsScorer } from '../../../../extension/core/model/families/vllm';
import type { Certainty } from '../../../../extension/core/types';
import { scoreTokens, tokenizeText } from '../../../support/cacheLanguageModel';
import { startScoringServer, type ScoringServer } from '../../../support/scoringServer';

describe('CompletionsScorer against the vLLM-format test server', () => {
  let server: ScoringServer;
  before(async () => {
    server = await startScoringServer({ minusInfinityFor: /^\s*impossible$/ });
  });
  after(() => server.close());

  const contexts = [
    'The cache layer evicts the least recently used entry when full.',
    'function add(a, b) { return a + b; }',
    '',
    'Rate limits: the client retries with exponential backoff.',
    'The cache layer has a size limit and evicts old entries.',
    'nothing related here at all',
    'How does the cache layer evict entries when it is full?',
  ];
  const question = 'How does the cache layer evict entries when it is full?';

  async function run(scorer: CompletionsScorer, q = question) {
    const results = new Map<number, Certainty>();
    const failures = new Map<number, Error>();
    await scorer.score(
      contexts.map((text, index) => ({ index, text })),
      q,
      { onResult: (i, c) => results.set(i, c), onFailure: (i, e) => failures.set(i, e) },
    );
    return { results, failures };
  }

  /** What the server's language model gives the question's tokens after this exact token sequence. */
  function expectedNll(promptTokens: string[], questionTokens: number): number {
    const scored = scoreTokens([...promptTokens, ' the'], 0);
    const span = scored.slice(promptTokens.length - questionTokens, promptTokens.length);
    return span.reduce((a, e) => a - e!.logprob, 0) / questionTokens;
  }

  for (const spans of ['token-ids', 'text'] as const) {
    test(`the scored span is exactly the question's tokens (${spans})`, async () => {
      const { results, failures } = await run(new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' }, spans }));
      assert.equal(failures.size, 0);
      for (const [i, text] of contexts.entries()) {
        const c = results.get(i)!;
        const promptTokens =
          spans === 'token-ids' ? [...tokenizeText(text + QUESTION_LEAD), ...tokenizeText(question)] : tokenizeText(text + QUESTION_LEAD + question);
        const m = spans === 'token-ids' ? tokenizeText(question).length : tokenizeText(' ' + question).length;
        assert.equal(c.questionTokens, m);
        assert.ok(Math.abs(c.meanNll! - expectedNll(promptTokens, m)) < 1e-9, `context ${i}: ${c.meanNll} vs ${expectedNll(promptTokens, m)}`);
        // one token more or less would give another number
        assert.ok(Math.abs(c.meanNll! - expectedNll(promptTokens, m + 1)) > 1e-6);
      }
      // the model is more certain of the question after the relevant contexts
      const nll = (i: number) => results.get(i)!.meanNll!;
      assert.ok(nll(6) < nll(0) && nll(0) < nll(5) && nll(4) < nll(1), [...results.values()].map((c) => c.meanNll!.toFixed(2)).join(' '));
    });
  }

  test('several prompts per request give the same results as one per request', async () => {
    const before = server.requests.filter((r) => r.path === '/v1/completions').length;
    const batched = await run(new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' }, promptsPerRequest: 3, spans: 'text' }));
    const requests = server.requests.filter((r) => r.path === '/v1/completions').slice(before);
    assert.equal(requests.length, 3);
    assert.ok(Array.isArray(requests[0]!.body.prompt) && requests[0]!.body.prompt.length === 3);
    const single = await run(new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' }, promptsPerRequest: 1, spans: 'text' }));
    for (const [i, c] of single.results) assert.ok(Math.abs(c.meanNll! - batched.results.get(i)!.meanNll!) < 1e-12);
  });

  test("vLLM's -9999.0 for -inf is floored and counted", async () => {
    const { results } = await run(new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }), 'an impossible question');
    assert.ok([...results.values()].every((c) => c.flooredTokens === 1 && Number.isFinite(c.meanNll!)));
  });

  test('a wrong model name fails every segment with a message naming the server', async () => {
    const { results, failures } = await run(new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'no-such-model' }, spans: 'text' }));
    assert.equal(results.size, 0);
    assert.equal(failures.size, contexts.length);
    assert.match(
      failures.get(0)!.message,
      new RegExp(`^${server.url.replace(/[./]/g, '\\$&')} \\(model no-such-model\\), POST /v1/completions: HTTP 404 The model .no-such-model. does not exist`),
    );
  });
});

describe('CompletionsScorer and failing servers', () => {
  test('failed requests are reported per segment; the others are scored', async () => {
    const server = await startScoringServer({ fault: (path, n) => (path === '/v1/completions' && n % 2 === 0 ? { status: 500 } : undefined) });
    try {
      const scorer = new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model', maxRetries: 0 }, promptsPerRequest: 1, concurrency: 1 });
      const ok: number[] = [];
      const failed: number[] = [];
      await scorer.score(
        [0, 1, 2, 3].map((index) => ({ index, text: `context ${index}` })),
        'a question',
        { onResult: (i) => ok.push(i), onFailure: (i) => failed.push(i) },
      );
      assert.deepEqual(
        [ok.sort(), failed.sort()],
        [
          [0, 2],
          [1, 3],
        ],
      );
    } finally {
      await server.close();
    }
  });

  test('a server that ignores echo stops the run with a clear reason', async () => {
    const server = await startScoringServer({ fault: (path) => (path === '/v1/completions' ? 'ignore-echo' : undefined), noTokenize: true });
    try {
      const scorer = new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } });
      await assert.rejects(
        scorer.score([{ index: 0, text: 'context' }], 'a question', { onResult: () => {}, onFailure: () => {} }),
        (e: Error) => e instanceof ScoringUnsupportedError && e.message.includes(server.url) && /ignores `echo`/.test(e.message),
      );
    } finally {
      await server.close();
    }
  });
});
