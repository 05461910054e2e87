import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../../../extension/core/files/fileSystem';
import { ask, CancelledError } from '../../../../extension/core/pipeline';
import { LocalModel, LocalScorer } from '../../../../extension/core/model/local/localModel';
import { TiktokenTokenizer } from '../../../../extension/core/tokens/tokenizer';
import { tempRepo } from '../../../support/tempRepo';
import { writeTinyGguf } from '../../../support/tinyGguf';

const dir = mkdtempSync(join(tmpdir(), 'xl3m-gguf-'));
const tokenizer = new TiktokenTokenizer();
let model: LocalModel;
before(async () => {
  const { path } = writeTinyGguf(join(dir, 'tiny.gguf'));
  model = await LocalModel.load(path, { contextSize: 2048, threads: 1 });
});
after(async () => {
  await model?.dispose();
  tokenizer.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const CONTEXT = 'export function billing() { return the secret code of the service; }';
const QUESTION = 'what is the secret code of the billing service';

describe('local model (node-llama-cpp, a tiny GGUF made by the test)', () => {
  test('probabilities from one controlledEvaluate agree with token-by-token evaluation', async () => {
    const { tokens, questionStart } = model.promptTokens(CONTEXT, QUESTION);
    const once = await model.questionDistribution(CONTEXT, QUESTION);
    const stepwise = await model.stepwiseProbabilities(tokens);
    for (let i = questionStart; i < tokens.length; i++) {
      const expected = Math.log(stepwise[i - 1]!.get(tokens[i]!)!);
      const got = once.logprobs[i - questionStart]!;
      assert.ok(Math.abs(got - expected) < 1e-2, `position ${i}: ${got} vs ${expected}`);
    }
  });

  test('the scored span is exactly the question tokens', async () => {
    const { tokens, questionStart } = model.promptTokens(CONTEXT, QUESTION);
    const d = await model.questionDistribution(CONTEXT, QUESTION);
    assert.equal(d.logprobs.length, model.tokenize(QUESTION).length);
    assert.equal(d.logprobs.length, tokens.length - questionStart);
    assert.deepEqual(tokens.slice(questionStart), model.tokenize(QUESTION));
    assert.ok(d.entropies.every((h) => h > 0 && h <= Math.log(400)));
  });

  test('a cancelled run stops within a second', async () => {
    const scorer = new LocalScorer(model);
    const controller = new AbortController();
    let abortedAt = 0;
    const requests = Array.from({ length: 200 }, (_, index) => ({ index, text: CONTEXT.repeat(4) }));
    await assert.rejects(
      scorer.score(requests, QUESTION, {
        signal: controller.signal,
        onResult: () => {
          if (!abortedAt) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
        onFailure: () => {},
      }),
    );
    assert.ok(performance.now() - abortedAt < 1000);
    assert.ok(scorer.stats.requests < 5);
  });

  test('the pipeline ranks and answers end to end with the local model', async () => {
    const repo = tempRepo({
      'a.ts': 'export const a = 1;\n'.repeat(20),
      'billing.ts': `${CONTEXT}\n`.repeat(3),
      'c.ts': 'export const c = 3;\n'.repeat(20),
    });
    try {
      const streamed: string[] = [];
      const result = await ask(
        {
          question: QUESTION,
          roots: [{ path: repo.root, name: 'r' }],
          segment: { maxTokens: 96 },
          contextWindow: 2048,
          answerReserve: 32,
          onAnswerDelta: (d) => streamed.push(d),
        },
        { fs: nodeFileSystem, tokenizer, scorer: new LocalScorer(model), answerer: (text, q, o) => model.answer(text, q, o) },
      );
      assert.equal(result.stats.scoredSegments, result.stats.segments);
      assert.ok(result.files.length >= 1);
      assert.ok(result.answer.length > 0, 'an answer came back');
      assert.equal(streamed.join(''), result.answer);
      assert.match(result.stats.scorer, /local model tiny\.gguf/);
    } finally {
      repo.dispose();
    }
  });

  test('cancelling before scoring is a CancelledError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      ask(
        { question: QUESTION, roots: [{ path: dir, name: 'r' }], signal: controller.signal },
        { fs: nodeFileSystem, tokenizer, scorer: new LocalScorer(model) },
      ),
      CancelledError,
    );
  });
});
