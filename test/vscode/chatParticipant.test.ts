// `@xl3m`'s handler with VS Code's types, a recorded response stream and the real run (the test
// scoring server on 127.0.0.1 answering), as Chat would call it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as vscode from 'vscode';
import { chatHandler, questionOf, type AgentRunOptions, type ChatDeps } from '../../extension/vscode/chatParticipant';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { runQuestion } from '../../extension/core/run';
import type { RunConfig } from '../../extension/core/config/runConfig';
import { forgetProbes } from '../../extension/core/model/probe';
import { vscodeAnswerModel } from '../../extension/vscode/vscodeLanguageModel';
import { NEEDLE_ANSWER, NEEDLE_QUESTION } from '../support/needleRepo';
import { needleRunFixture } from '../support/needleRunFixture';
import { watchFetches } from '../support/fetchWatch';
import { startScoringServer } from '../support/scoringServer';
import { testConfig } from '../support/testConfig';
import { cancellation, FakeLocation, FakeUri, fakeVs, recordingStream } from '../support/vscodeFakes';

const request = (prompt: string, extra: Partial<vscode.ChatRequest> = {}) =>
  ({ prompt, command: undefined, references: [], toolReferences: [], ...extra }) as unknown as vscode.ChatRequest;
const noHistory = { history: [] } as unknown as vscode.ChatContext;

describe('@xl3m (chat participant)', () => {
  const f = needleRunFixture();
  let asked: { question: string; options: AgentRunOptions }[] = [];
  let running: string | undefined;

  const deps = (config: () => RunConfig): ChatDeps => ({
    vs: fakeVs,
    busy: () => running,
    ask: (question, options) => {
      asked.push({ question, options });
      return runQuestion(
        { ...config(), answer: options.answer },
        question,
        [{ path: f.repo.root, name: 'repo' }],
        { fs: nodeFileSystem, tokenizer: f.tokenizer, ...(options.answerModel ? { answerModel: options.answerModel } : {}) },
        { signal: options.signal, onRanking: options.onRanking, onAnswerDelta: options.onAnswerDelta, onProgress: (e) => options.onProgress?.(e.stage) },
      );
    },
    answerModelOf: (model) =>
      vscodeAnswerModel(model, {
        LanguageModelChatMessage: { User: (text: string) => ({ role: 1, content: text }) },
        CancellationTokenSource: class {
          token = {};
          cancel() {}
          dispose() {}
        },
      } as never),
    uriOf: (f) => FakeUri.file(f.location) as unknown as vscode.Uri,
  });

  test('a question: progress, the answer as markdown with citations linked to the line, every key-context file a reference, the ranking as a button', async () => {
    asked = [];
    const { stream, calls, markdown } = recordingStream();
    const result = await chatHandler(deps(() => testConfig(f.server)))(request(NEEDLE_QUESTION), noHistory, stream, cancellation().token);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.options.answer, true);
    assert.ok(calls.filter((c) => c.kind === 'progress').length >= 3, 'progress in the chat');
    const text = markdown();
    assert.ok(text.includes(NEEDLE_ANSWER), text);
    assert.match(
      text,
      new RegExp(`\\[${f.repo.needlePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)\\]\\(file://[^)]*#L\\1\\)`),
      `the citation opens the file at its line: ${text}`,
    );
    const references = calls.flatMap((c) => (c.kind === 'reference' ? [c.value] : []));
    assert.ok(references.length > 0);
    assert.ok(
      references.every((r) => r instanceof FakeLocation),
      'references carry their lines',
    );
    assert.ok(
      references.some((r) => (r as FakeLocation).uri.path.endsWith(f.repo.needlePath)),
      'the file that answers is a reference',
    );
    const button = calls.find((c) => c.kind === 'button');
    assert.deepEqual(button && { command: button.command }, { command: 'xl3m.showPanel' });
    assert.equal((result as { metadata?: { question?: string } }).metadata?.question, NEEDLE_QUESTION);
    assert.ok(calls.findIndex((c) => c.kind === 'button') > calls.findIndex((c) => c.kind === 'markdown'), 'the button comes after the answer');
  });

  test('/files: the ranking only, no answer asked for, the best file first', async () => {
    asked = [];
    const { stream, markdown } = recordingStream();
    await chatHandler(deps(() => testConfig(f.server)))(request(NEEDLE_QUESTION, { command: 'files' }), noHistory, stream, cancellation().token);
    assert.equal(asked[0]!.options.answer, false);
    const text = markdown().replace(/\\(.)/g, '$1'); // as rendered: markdown escapes removed
    assert.ok(!text.includes(NEEDLE_ANSWER), 'no answer');
    assert.match(text, new RegExp(`^1\\. \\[${f.repo.needlePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\(file://`, 'm'));
  });

  test("a follow-up sees the previous turn's question", async () => {
    const history = [{ prompt: NEEDLE_QUESTION, result: { metadata: { question: NEEDLE_QUESTION } } }];
    assert.equal(questionOf('and who owns it?', history), `and who owns it?\n\n(A follow-up to: ${NEEDLE_QUESTION})`);
    asked = [];
    await chatHandler(deps(() => testConfig(f.server)))(
      request('and who owns it?', { command: 'files' }),
      { history } as unknown as vscode.ChatContext,
      recordingStream().stream,
      cancellation().token,
    );
    assert.ok(asked[0]!.question.includes(NEEDLE_QUESTION));
  });

  test('cancelled in the chat: the run stops (no request afterwards) and the chat says so', async () => {
    const slow = await startScoringServer({ delayMs: 300 });
    try {
      forgetProbes();
      const { stream, markdown } = recordingStream();
      const { token, cancel } = cancellation();
      const done = chatHandler(deps(() => testConfig(slow)))(request(NEEDLE_QUESTION), noHistory, stream, token);
      const deadline = Date.now() + 20_000;
      while (slow.promptCount() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const cancelledAt = performance.now();
      const fetches = watchFetches();
      cancel();
      fetches.arm();
      await done;
      assert.ok(performance.now() - cancelledAt < 3000, 'stops promptly');
      assert.ok(asked.at(-1)!.options.signal.aborted);
      assert.match(markdown(), /cancelled|Partial/i);
      await new Promise((r) => setTimeout(r, 700)); // nothing left running sends one later either
      fetches.restore();
      assert.equal(fetches.sentSinceArmed(), 0, 'no request after the cancel');
    } finally {
      await slow.close();
    }
  });

  test('a run in progress: told so, nothing started', async () => {
    asked = [];
    running = 'from the panel, for 12 s';
    try {
      const { stream, markdown } = recordingStream();
      const result = await chatHandler(deps(() => testConfig(f.server)))(request(NEEDLE_QUESTION), noHistory, stream, cancellation().token);
      assert.equal(asked.length, 0);
      assert.match(markdown(), /already running a question \(from the panel, for 12 s\)/);
      assert.ok(result?.errorDetails);
    } finally {
      running = undefined;
    }
  });

  test("no scoring server: the user's chat model answers from the lexically chosen lines, and the chat says it cannot score", async () => {
    const prompts: string[] = [];
    const model = {
      name: 'Fake GPT',
      maxInputTokens: 8000,
      sendRequest: async (messages: { content: string }[]) => {
        prompts.push(messages.map((m) => m.content).join('\n'));
        return {
          text: (async function* () {
            yield 'The codename is ';
            yield `${NEEDLE_ANSWER} (${f.repo.needlePath}:1).\n`;
          })(),
        };
      },
    } as unknown as vscode.LanguageModelChat;
    const { stream, markdown } = recordingStream();
    await chatHandler(deps(() => testConfig()))(request(NEEDLE_QUESTION, { model }), noHistory, stream, cancellation().token);
    assert.equal(prompts.length, 1);
    assert.ok(prompts[0]!.includes(NEEDLE_ANSWER), "the model was given the needle's lines");
    assert.ok(markdown().includes(`The codename is ${NEEDLE_ANSWER}`));
    assert.match(markdown().replace(/\\(.)/g, '$1'), /Fake GPT \(a VS Code language model\) answers .* It gives no log-probabilities, so it cannot score/);
  });

  test('an empty question: asked for one, nothing run', async () => {
    asked = [];
    const { stream, markdown } = recordingStream();
    await chatHandler(deps(() => testConfig(f.server)))(request('   '), noHistory, stream, cancellation().token);
    assert.equal(asked.length, 0);
    assert.match(markdown(), /Ask a question about this workspace/);
  });
});
