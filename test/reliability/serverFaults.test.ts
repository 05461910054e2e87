// The fault matrix, server side: every case through real HTTP against the test server on
// 127.0.0.1. Each ends in a complete result after bounded retries, or in a clear message naming
// the server, the request and the cause, with what was scored kept as a partial ranking.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Endpoint } from '../../extension/core/model/endpoint';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask, type AskResult } from '../../extension/core/pipeline';
import { createScorer } from '../../extension/core/model/createScorer';
import { forgetProbes, type ScoringMethod } from '../../extension/core/model/probe';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { NEEDLE_ANSWER, NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { startScoringServer, type ScoringServerOptions } from '../support/scoringServer';

const tokenizer = new TiktokenTokenizer();
let repo: ReturnType<typeof needleRepo>;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
before(() => {
  repo = needleRepo({ maxFiles: 40, depth: 0.5 });
  process.on('unhandledRejection', onUnhandled);
});
after(() => {
  repo.dispose();
  tokenizer.dispose();
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no unhandled promise rejection in the whole matrix');
});

interface Outcome {
  result?: AskResult;
  error?: Error;
  seconds: number;
  attempts: number;
  url: string;
}

async function run(options: ScoringServerOptions, endpoint: Partial<Endpoint> = {}, method: 'auto' | ScoringMethod = 'completions-echo'): Promise<Outcome> {
  forgetProbes();
  const server = await startScoringServer(options);
  const started = performance.now();
  try {
    const ep: Endpoint = { baseUrl: server.url, model: 'test-model', maxRetries: 2, timeoutMs: 2000, ...endpoint };
    const { scorer } = await createScorer({ endpoints: [ep], method, promptsPerRequest: 1, concurrency: 4 });
    try {
      // the model's own ranking first: these runs test that the model's scores survive the faults
      const result = await ask(
        { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }], ranking: 'model' },
        { fs: nodeFileSystem, tokenizer, scorer, answerEndpoint: ep },
      );
      return { result, seconds: (performance.now() - started) / 1000, attempts: scorer.stats.attempts, url: server.url };
    } catch (error) {
      return { error: error as Error, seconds: (performance.now() - started) / 1000, attempts: scorer.stats.attempts, url: server.url };
    }
  } finally {
    await server.close();
  }
}

const completions = (fault: ScoringServerOptions['fault']) => ({
  fault: (path: string, n: number) => (path === '/v1/completions' ? fault!(path, n) : undefined),
});

/** The model ranks the needle's file first (scored alone in the fine pass if it shared a segment). */
function assertNeedleFirst(r: AskResult) {
  assert.equal(
    r.files[0]!.path,
    repo.needlePath,
    `${r.files
      .slice(0, 3)
      .map((f) => `${f.path} ${f.modelScore}`)
      .join(', ')}`,
  );
  assert.ok(r.files[0]!.modelScore !== undefined && r.files[0]!.inKeyContext);
}

function assertComplete(o: Outcome) {
  assert.equal(o.error, undefined, o.error?.message);
  assert.equal(o.result!.partial, undefined, o.result!.partial);
  assertNeedleFirst(o.result!);
  assert.ok(o.result!.answer.includes(NEEDLE_ANSWER));
}

function assertPartial(o: Outcome, cause: RegExp) {
  assert.equal(o.error, undefined, o.error?.message);
  const r = o.result!;
  assert.ok(r.stats.failedSegments > 0 && r.stats.scoredSegments > 0, `${r.stats.failedSegments} failed, ${r.stats.scoredSegments} scored`);
  assert.match(r.partial ?? '', /segments could not be scored/);
  assert.ok(r.partial!.includes(o.url), `names the server: ${r.partial}`);
  assert.match(r.partial!, /POST \/v1\/completions/);
  assert.match(r.partial!, cause);
  assert.ok(r.files.length > 0, 'the partial ranking is kept');
}

function assertFailed(o: Outcome, cause: RegExp) {
  assert.ok(o.error, 'the run fails');
  assert.ok(o.error!.message.includes(o.url), `names the server: ${o.error!.message}`);
  assert.match(o.error!.message, cause);
}

/**
 * Attempts are bounded: each prompt (a segment in the coarse pass, a file alone in the fine pass, at
 * most one per file) is one /tokenize call and one request, each tried at most (1 + retries) times,
 * plus the question's /tokenize and the probe. (How many prompts the fine pass sends depends on which
 * segments were scored before the faults: on a busy machine up to one per file.)
 */
function assertBounded(o: Outcome, retries = 2) {
  const segments = o.result?.stats.segments ?? 50;
  const prompts = segments + repo.files;
  assert.ok(o.attempts <= (2 * prompts + 4) * (1 + retries), `${o.attempts} attempts for at most ${prompts} prompts`);
}

describe('server faults', () => {
  test('500 once: retried, complete', async () => {
    const o = await run(completions((_p, n) => (n === 1 ? { status: 500 } : undefined)));
    assertComplete(o);
    assert.ok(o.attempts > o.result!.stats.requests, 'the retry is counted');
  });

  test('503 on some requests, every retry: partial ranking naming the server, request and cause', async () => {
    const o = await run(completions((_p, n) => (n % 5 === 0 || (n > 5 && n % 5 <= 2) ? { status: 503, body: { message: 'overloaded' } } : undefined)));
    assertPartial(o, /HTTP 503 overloaded/);
    assertBounded(o);
  });

  test('429 with Retry-After: waits as told, complete', async () => {
    const o = await run(completions((_p, n) => (n <= 2 ? { status: 429, headers: { 'retry-after': '1' } } : undefined)));
    assertComplete(o);
    assert.ok(o.seconds >= 1, 'Retry-After was honoured');
  });

  test('429 without Retry-After: backs off, complete', async () => {
    const o = await run(completions((_p, n) => (n <= 2 ? { status: 429 } : undefined)));
    assertComplete(o);
  });

  test('a response that never arrives: timed out, retried, complete', async () => {
    const o = await run(
      completions((_p, n) => (n === 1 ? 'hang' : undefined)),
      { timeoutMs: 500 },
    );
    assertComplete(o);
    assert.ok(o.seconds < 15);
  });

  test('connection reset mid-body: retried, complete', async () => {
    const o = await run(completions((_p, n) => (n <= 2 ? 'reset-mid-body' : undefined)));
    assertComplete(o);
  });

  test('a reply cut short with a clean end (no length to betray it): retried like a dropped connection, complete', async () => {
    const o = await run(
      completions((_p, n) => (n <= 3 ? { status: 200, rawBody: '{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":"' } : undefined)),
    );
    assertComplete(o);
    assert.ok(o.attempts >= 3 + (o.result?.stats.requests ?? 0), `${o.attempts} attempts: the cut replies were asked again`);
  });

  test('malformed JSON on some requests: partial, the cause named', async () => {
    const o = await run(
      completions((_p, n) => (n % 4 === 0 ? { status: 200, rawBody: '{"choices": [' } : undefined)),
      { maxRetries: 0 },
    );
    assertPartial(o, /JSON/i);
  });

  test('valid JSON of the wrong shape: the field is named', async () => {
    const o = await run({ mutate: (path, reply, n) => (path === '/v1/completions' && n % 3 === 0 ? { result: 'ok' } : reply) });
    assertPartial(o, /no `choices` list/);
  });

  test('logprobs missing: the field is named', async () => {
    const o = await run({
      mutate: (path, reply, n) =>
        path === '/v1/completions' && n % 3 === 0 ? { ...reply, choices: reply.choices.map((c: object) => ({ ...c, logprobs: undefined })) } : reply,
    });
    assertPartial(o, /no `logprobs.token_logprobs` list/);
  });

  test('logprobs null: the field is named', async () => {
    const o = await run({
      mutate: (path, reply, n) =>
        path === '/v1/completions' && n % 3 === 0 ? { ...reply, choices: reply.choices.map((c: object) => ({ ...c, logprobs: null })) } : reply,
    });
    assertPartial(o, /no `logprobs.token_logprobs` list/);
  });

  test('logprobs shorter than the prompt: the server cannot score, said plainly', async () => {
    const o = await run({
      mutate: (path, reply) =>
        path === '/v1/completions'
          ? { ...reply, choices: reply.choices.map((c: any) => ({ ...c, logprobs: { ...c.logprobs, token_logprobs: c.logprobs.token_logprobs.slice(-3) } })) }
          : reply,
    });
    assertFailed(o, /returned log-probabilities for 3 of the prompt's \d+ tokens: it does not echo prompt log-probabilities/);
  });

  test('-inf as -9999.0, NaN and -Infinity as bare JSON: floored, complete', async () => {
    let rewritten = 0;
    const o = await run({
      minusInfinityFor: /^\s*billing$/,
      mutate: (path, reply) => {
        if (path !== '/v1/completions') return reply;
        const text = JSON.stringify(reply);
        // a Python server's json.dumps writes NaN and -Infinity as bare words
        const bare = text.replace(/"token_logprobs":\[null,(-?[\d.e-]+),(-?[\d.e-]+)/, '"token_logprobs":[null,NaN,-Infinity');
        if (bare !== text) rewritten++;
        return bare;
      },
    });
    assert.ok(rewritten > 0, 'the replies really carried bare NaN and -Infinity');
    assertComplete(o);
  });

  test('a wrong model name: not retried, the server and its words named', async () => {
    forgetProbes();
    const server = await startScoringServer();
    try {
      const { scorer } = await createScorer({
        endpoints: [{ baseUrl: server.url, model: 'nope', maxRetries: 2 }],
        method: 'completions-echo',
        promptsPerRequest: 1,
      });
      await assert.rejects(
        ask({ question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'repo' }] }, { fs: nodeFileSystem, tokenizer, scorer }),
        (e: Error) => {
          assert.ok(e.message.includes(server.url));
          assert.match(e.message, /HTTP 404 The model `nope` does not exist/);
          return true;
        },
      );
      assert.ok(scorer.stats.attempts <= scorer.stats.requests + 2 * 40 + 4, '404 is not retried');
    } finally {
      await server.close();
    }
  });

  test('a server that stops answering half-way: no hung run, partial ranking', async () => {
    const o = await run(
      completions((_p, n) => (n > 6 ? 'hang' : undefined)),
      { timeoutMs: 300, maxRetries: 1 },
    );
    assertPartial(o, /timed out/i);
    assert.ok(o.seconds < 30, `${o.seconds} s`);
    assertBounded(o, 1);
  });

  test('a server that ignores echo: the probe falls back to Yes/No relevance, complete', async () => {
    const o = await run(
      completions(() => 'ignore-echo'),
      {},
      'auto',
    );
    assert.equal(o.error, undefined, o.error?.message);
    assertNeedleFirst(o.result!);
    assert.match(o.result!.stats.scorer, /Yes\/No/);
  });

  test('a server that ignores echo, with the echo method forced: stops with the reason', async () => {
    const o = await run({ ...completions(() => 'ignore-echo'), noTokenize: true });
    assertFailed(o, /ignores `echo`/);
  });
});

describe('a server that cannot be used says why, and what to do', () => {
  const diagnose = async (endpoint: Endpoint) => {
    forgetProbes();
    const error = await createScorer({ endpoints: [endpoint], method: 'auto' }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(error, 'no scorer');
    return error.message;
  };

  test('unreachable (connection refused): not "cannot score"', async () => {
    const server = await startScoringServer();
    const url = server.url;
    await server.close();
    const message = await diagnose({ baseUrl: url, model: 'm', maxRetries: 0, timeoutMs: 2000 });
    assert.match(message, /cannot reach .*: connection refused\. Is the server running/);
    assert.doesNotMatch(message, /cannot score|prompt log-probabilities/);
  });

  test('unreachable (host not found)', async () => {
    const message = await diagnose({ baseUrl: 'http://xl3m-no-such-host.invalid:8000/v1', model: 'm', maxRetries: 0, timeoutMs: 5000 });
    assert.match(message, /cannot reach .*: (host not found|timed out)/);
  });

  test('the key refused (401): says to set the API key', async () => {
    const server = await startScoringServer({ fault: () => ({ status: 401, body: { error: { message: 'invalid api key', code: 401 } } }) });
    try {
      const message = await diagnose({ baseUrl: server.url, model: 'test-model', apiKey: 'sk-secret', maxRetries: 0 });
      assert.match(message, /HTTP 401\): the API key is missing or wrong\. Set it with "xl3m: Set API Key"/);
      assert.ok(!message.includes('sk-secret'));
    } finally {
      await server.close();
    }
  });

  test('a model the server does not serve (404): names the ones it does', async () => {
    const server = await startScoringServer({ model: 'served-model' });
    try {
      const message = await diagnose({ baseUrl: server.url, model: 'nope', maxRetries: 0 });
      assert.match(message, /does not serve the model "nope"\. Set xl3m\.model \(--model\) to one it serves: served-model/);
    } finally {
      await server.close();
    }
  });

  test('a server that answers but gives no log-probabilities: cannot score, with the servers that can', async () => {
    const server = await startScoringServer({
      fault: (path) =>
        path === '/v1/completions'
          ? 'ignore-echo'
          : path === '/v1/chat/completions'
            ? { status: 400, body: { error: { message: 'logprobs are not supported' } } }
            : undefined,
      noTokenize: true,
    });
    try {
      const message = await diagnose({ baseUrl: server.url, model: 'test-model', maxRetries: 0 });
      assert.match(message, /this server cannot score: .*Use vLLM/);
      assert.doesNotMatch(message, /cannot reach|API key|does not serve/);
    } finally {
      await server.close();
    }
  });
});
