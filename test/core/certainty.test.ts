import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { entropyFromTopK, LOGPROB_FLOOR, questionCertainty, relevance } from '../../extension/core/xl3m/certainty';

describe('certainty', () => {
  test('mean NLL of the question tokens', () => {
    const c = questionCertainty([Math.log(0.5), Math.log(0.25)]);
    assert.ok(Math.abs(c.meanNll - (Math.log(2) + Math.log(4)) / 2) < 1e-12);
    assert.equal(c.questionTokens, 2);
    assert.equal(c.flooredTokens, 0);
  });

  test('-inf, -9999.0, NaN and null are floored, counted, and never crash', () => {
    const c = questionCertainty([-Infinity, -9999.0, NaN, null, -1]);
    assert.equal(c.flooredTokens, 4);
    assert.ok(Math.abs(c.meanNll - (4 * -LOGPROB_FLOOR + 1) / 5) < 1e-12);
    assert.ok(Number.isFinite(c.meanNll));
  });

  test('entropy from top-k puts the missing mass in one bucket', () => {
    // full distribution known: exact entropy
    assert.ok(Math.abs(entropyFromTopK([Math.log(0.5), Math.log(0.5)]) - Math.log(2)) < 1e-12);
    // top-1 of 0.5, the other 0.5 unknown: at least one token of 0.5 -> ln 2
    assert.ok(Math.abs(entropyFromTopK([Math.log(0.5)]) - Math.log(2)) < 1e-12);
    assert.equal(entropyFromTopK([0]), 0);
    // top-1 of 0.1: the other 0.9 is spread over tokens of at most 0.1 each -> at least ln 10
    assert.ok(Math.abs(entropyFromTopK([Math.log(0.1)]) - Math.log(10)) < 1e-12);
  });

  test('mean entropy is reported when top-k maps are given', () => {
    const c = questionCertainty([Math.log(0.5), Math.log(0.9)], [{ a: Math.log(0.5), b: Math.log(0.5) }, { c: Math.log(0.9) }]);
    const expected = (Math.log(2) + -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1))) / 2;
    assert.ok(Math.abs(c.meanEntropy! - expected) < 1e-9);
  });

  test('relevance: higher = more relevant for every measure', () => {
    const sure = { meanNll: 1, meanEntropy: 0.5, questionTokens: 3, flooredTokens: 0 };
    const unsure = { meanNll: 4, meanEntropy: 2, questionTokens: 3, flooredTokens: 0 };
    const baseline = { meanNll: 5, questionTokens: 3, flooredTokens: 0 };
    for (const m of ['nll', 'entropy', 'contrast'] as const) assert.ok(relevance(sure, m, baseline) > relevance(unsure, m, baseline), m);
    assert.equal(relevance(sure, 'contrast', baseline), 4);
    assert.throws(() => relevance(sure, 'contrast'), /empty segment/);
    assert.throws(() => relevance({ meanNll: 1, questionTokens: 1, flooredTokens: 0 }, 'entropy'), /top-k/);
  });
});
