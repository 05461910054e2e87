import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../../../extension/core/files/fileSystem';
import { ask } from '../../../../extension/core/pipeline';
import { createScorer } from '../../../../extension/core/model/createScorer';
import { MultiEndpointScorer } from '../../../../extension/core/model/scorers/multiEndpointScorer';
import { forgetProbes, probeEndpoint, type ScoringMethod } from '../../../../extension/core/model/probe';
import { TiktokenTokenizer } from '../../../../extension/core/tokens/tokenizer';
import { NEEDLE_QUESTION, needleRepo } from '../../../support/needleRepo';
import { startScoringServer, type ServerFamily } from '../../../support/scoringServer';

const tokenizer = new TiktokenTokenizer();
let repo: ReturnType<typeof needleRepo>;
before(() => {
  repo = needleRepo({ maxFiles: 100, depth: 0.7 });
});
after(() => {
  repo.dispose();
  tokenizer.dispose();
});

const EXPECTED: Record<ServerFamily, ScoringMethod> = {
  vllm: 'completions-echo',
  sglang: 'sglang-native',
  tgi: 'tgi-prefill',
  llamacpp: 'chat-yes-no',
  ollama: 'chat-yes-no',
  openai: 'chat-yes-no',
};

describe('every server family: the probe picks the method, and the needle ranks first', () => {
  const table: string[] = [];
  after(() => console.log(['family | method | needle rank | requests/s | segments/s', ...table].join('\n')));

  for (const family of Object.keys(EXPECTED) as ServerFamily[]) {
    test(family, async () => {
      forgetProbes();
      const server = await startScoringServer({ family });
      try {
        const endpoint = { baseUrl: server.url, model: 'test-model' };
        const probe = await probeEndpoint(endpoint);
        assert.equal(probe.method, EXPECTED[family], probe.findings.join('\n'));
        const { scorer } = await createScorer({ endpoints: [endpoint], method: 'auto' });
        const result = await ask({ question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }] }, { fs: nodeFileSystem, tokenizer, scorer });
        const rank = result.files.findIndex((f) => f.path === repo.needlePath) + 1;
        assert.equal(
          rank,
          1,
          `${family}: ${result.files
            .slice(0, 3)
            .map((f) => f.path)
            .join(', ')}`,
        );
        assert.equal(result.stats.failedSegments, 0);
        table.push(
          `${family} | ${probe.method} | ${rank} | ${(result.stats.requests / result.stats.scoringSeconds).toFixed(0)} | ${(result.stats.segments / result.stats.scoringSeconds).toFixed(0)}`,
        );
      } finally {
        await server.close();
      }
    });
  }

  test('a server with no log-probabilities at all is refused with the reason', async () => {
    forgetProbes();
    const server = await startScoringServer({
      family: 'openai',
      fault: (path) => (path === '/v1/chat/completions' ? { status: 400, body: { error: { message: 'logprobs are not supported' } } } : undefined),
    });
    try {
      const probe = await probeEndpoint({ baseUrl: server.url, model: 'test-model' });
      assert.equal(probe.method, undefined);
      assert.match(probe.explanation, /cannot score/);
      await assert.rejects(createScorer({ endpoints: [{ baseUrl: server.url, model: 'test-model' }], method: 'auto' }), /cannot score/);
    } finally {
      await server.close();
    }
  });

  test('next-token entropy, the second fallback, scores every segment when chosen', async () => {
    const server = await startScoringServer({ family: 'ollama' });
    try {
      const { scorer } = await createScorer({ endpoints: [{ baseUrl: server.url, model: 'test-model' }], method: 'next-token-entropy' });
      const result = await ask({ question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }] }, { fs: nodeFileSystem, tokenizer, scorer });
      assert.equal(result.stats.scoredSegments, result.stats.segments);
      const modelScores = result.files.flatMap((f) => (f.modelScore === undefined ? [] : [f.modelScore]));
      assert.ok(modelScores.length > 0 && modelScores.every((s) => s <= 0 && Number.isFinite(s)), `${modelScores.slice(0, 5)}`);
    } finally {
      await server.close();
    }
  });
});

describe('SGLang radix cache', () => {
  test('a second question over the same repository computes only the question tokens', async () => {
    forgetProbes();
    const server = await startScoringServer({ family: 'sglang' });
    try {
      const { scorer } = await createScorer({ endpoints: [{ baseUrl: server.url, model: 'test-model' }], method: 'sglang-native' });
      const run = (question: string) => ask({ question, roots: [{ path: repo.root, name: 'repo' }], refineTop: 0 }, { fs: nodeFileSystem, tokenizer, scorer });
      await run(NEEDLE_QUESTION);
      const first = server.computedTokens();
      await run('Which function parses the JSON schema of an enum?');
      const second = server.computedTokens() - first;
      assert.ok(second < first / 20, `first question computed ${first} tokens, the second ${second}`);
    } finally {
      await server.close();
    }
  });
});

describe('several endpoints', () => {
  test('each server tokenizes the question once, however many batches start at once', async () => {
    const servers = [await startScoringServer(), await startScoringServer()];
    try {
      const endpoints = servers.map((s) => ({ baseUrl: s.url, model: 'test-model' }));
      const { scorer } = await createScorer({ endpoints, method: 'completions-echo', concurrency: 8, promptsPerRequest: 1 });
      const question = 'Which segment is about topic 3?';
      const requests = Array.from({ length: 40 }, (_, index) => ({ index, text: `segment number ${index} about topic ${index % 7}` }));
      let scored = 0;
      await scorer.score(requests, question, { onResult: () => scored++, onFailure: (_i, e) => assert.fail(e) });
      assert.equal(scored, 40);
      for (const s of servers) {
        const questionTokenizations = s.requests.filter((r) => r.path === '/tokenize' && (r.body as { prompt?: string }).prompt === question);
        assert.equal(questionTokenizations.length, 1, `${s.url}: the question was tokenized ${questionTokenizations.length} times`);
      }
    } finally {
      for (const s of servers) await s.close();
    }
  });

  test('three servers share the work; one dies mid-run; every segment is scored exactly once', async () => {
    const healthy = [await startScoringServer(), await startScoringServer()];
    const dying = await startScoringServer({ fault: (path, n) => (path === '/v1/completions' && n > 3 ? 'reset' : undefined) });
    try {
      const endpoints = [...healthy, dying].map((s) => ({ baseUrl: s.url, model: 'test-model', maxRetries: 1, timeoutMs: 5000 }));
      const { scorer } = await createScorer({ endpoints, method: 'completions-echo', concurrency: 2, promptsPerRequest: 2 });
      assert.ok(scorer instanceof MultiEndpointScorer);
      const results = new Map<number, number>();
      const requests = Array.from({ length: 60 }, (_, index) => ({ index, text: `segment number ${index} about topic ${index % 7}` }));
      const failures: number[] = [];
      await scorer.score(requests, 'Which segment is about topic 3?', {
        onResult: (i) => results.set(i, (results.get(i) ?? 0) + 1),
        onFailure: (i) => failures.push(i),
      });
      assert.deepEqual(failures, []);
      assert.equal(results.size, 60);
      assert.ok(
        [...results.values()].every((n) => n === 1),
        'no segment scored twice',
      );
      assert.equal(scorer.removed.length, 1);
      assert.match(scorer.removed[0]!, new RegExp(dying.url.replace(/[./]/g, '\\$&')));
      for (const s of healthy) assert.ok(s.promptCount() > 10, 'both healthy servers took work');
      assert.ok(dying.promptCount() >= 3 * 2 && dying.promptCount() < 30);
    } finally {
      for (const s of [...healthy, dying]) await s.close();
    }
  });
});
