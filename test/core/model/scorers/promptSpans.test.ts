import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QUESTION_LEAD, ScoringUnsupportedError } from '../../../../extension/core/model/scorer';
import { idSpan, textSpan } from '../../../../extension/core/model/scorers/promptSpans';

const offsets = (tokens: string[]) => tokens.reduce<number[]>((acc, _t, i) => [...acc, i === 0 ? 0 : acc[i - 1]! + [...tokens[i - 1]!].length], []);
const echoed = (tokens: string[]) => ({
  tokens,
  token_logprobs: tokens.map((_, i) => (i === 0 ? null : -i)),
  top_logprobs: tokens.map(() => null),
  text_offset: offsets(tokens),
});

describe('question span in an echoed prompt', () => {
  test('text: the tokens that cover the question, the one straddling the lead included, the generated one dropped', () => {
    const question = 'What is X?';
    const tokens = ['ctx', '\n\n', 'Question', ':', ' What', ' is', ' X', '?', ' the'];
    const span = textSpan(echoed(tokens), 'ctx' + QUESTION_LEAD + question, question);
    assert.deepEqual(span.logprobs, [-4, -5, -6, -7]);
  });

  test('text: SentencePiece-style token strings without offsets', () => {
    const question = 'What is X?';
    const tokens = ['▁ctx', '▁Question', ':', '▁What', '▁is', '▁X', '?', '▁the'];
    const lp = { tokens, token_logprobs: tokens.map((_, i) => (i === 0 ? null : -i)) };
    assert.deepEqual(textSpan(lp, 'ctx' + QUESTION_LEAD + question, question).logprobs, [-3, -4, -5, -6]);
  });

  test('text: a server that ignores echo is reported as unable to score, not scored wrongly', () => {
    const lp = { tokens: [' the'], token_logprobs: [-1], text_offset: [20] };
    assert.throws(
      () => textSpan(lp, 'ctx' + QUESTION_LEAD + 'What is X?', 'What is X?'),
      (e: Error) => e instanceof ScoringUnsupportedError && /ignores `echo`/.test(e.message),
    );
  });

  test('token ids: exactly the last ids of the prompt', () => {
    const lp = { token_logprobs: [null, -1, -2, -3, -4, -0.5] };
    assert.deepEqual(idSpan(lp, 5, 2).logprobs, [-3, -4]);
    assert.throws(() => idSpan({ token_logprobs: [-0.5] }, 5, 2), ScoringUnsupportedError);
  });
});
