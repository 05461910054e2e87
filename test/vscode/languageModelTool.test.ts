// `xl3m_findRelevantFiles` as agent mode calls it: prepareInvocation, then invoke, with VS Code's
// types and the real run.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type * as vscode from 'vscode';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { runQuestion } from '../../extension/core/run';
import { forgetProbes } from '../../extension/core/model/probe';
import { findRelevantFilesTool, type FindRelevantFilesInput, type ToolDeps } from '../../extension/vscode/languageModelTool';
import { NEEDLE_ANSWER, NEEDLE_QUESTION } from '../support/needleRepo';
import { needleRunFixture } from '../support/needleRunFixture';
import { startScoringServer } from '../support/scoringServer';
import { cancellation, FakeMarkdownString, FakeToolResult, fakeVs } from '../support/vscodeFakes';
import { testConfig } from '../support/testConfig';

describe('xl3m_findRelevantFiles (language-model tool)', () => {
  const f = needleRunFixture();
  let running: string | undefined;
  let withServer = false;

  const deps = (): ToolDeps => ({
    vs: fakeVs,
    busy: () => running,
    ask: (question, options) => {
      if (options.folder && options.folder !== 'repo') return Promise.reject(new Error(`xl3m: ${options.folder} is not a folder of this workspace (repo)`));
      return runQuestion(
        { ...testConfig(withServer ? f.server : undefined), answer: options.answer },
        question,
        [{ path: f.repo.root, name: 'repo' }],
        { fs: nodeFileSystem, tokenizer: f.tokenizer },
        { signal: options.signal },
      );
    },
    describeDataFlow: (folder) => ({ reads: folder ?? 'repo', ...(withServer ? { sends: `${f.server.url} (test-model)` } : {}) }),
    read: (f) => readFile(f.location, 'utf8'),
    countTokens: (t) => f.tokenizer.count(t),
  });
  const invoke = async (input: FindRelevantFilesInput, token = cancellation().token, budget?: number) =>
    await findRelevantFilesTool(deps()).invoke(
      {
        input,
        toolInvocationToken: undefined,
        ...(budget ? { tokenizationOptions: { tokenBudget: budget, countTokens: async () => 0 } } : {}),
      } as vscode.LanguageModelToolInvocationOptions<FindRelevantFilesInput>,
      token,
    );

  test('prepareInvocation says what is read and where it is sent; a confirmation only when a server gets the text', async () => {
    const tool = findRelevantFilesTool(deps());
    withServer = false;
    const local = (await tool.prepareInvocation!({ input: { question: NEEDLE_QUESTION } }, cancellation().token)) as vscode.PreparedToolInvocation;
    assert.match(String(local.invocationMessage), /Ranking the files of repo for "What is the secret/);
    assert.equal(local.confirmationMessages, undefined, 'nothing leaves the machine: no confirmation');
    withServer = true;
    const remote = (await tool.prepareInvocation!({ input: { question: NEEDLE_QUESTION } }, cancellation().token)) as vscode.PreparedToolInvocation;
    assert.ok(
      (remote.confirmationMessages!.message as unknown as FakeMarkdownString).value.includes(`sends their text, in segments, to ${f.server.url} (test-model)`),
    );
  });

  test('invoke: the ranked files with ranges and an excerpt, the file that answers first, within the budget', async () => {
    for (const on of [false, true]) {
      withServer = on;
      const result = (await invoke({ question: NEEDLE_QUESTION, maxFiles: 4 }, undefined, 2000)) as unknown as FakeToolResult;
      const text = result.content.map((p) => p.value).join('');
      assert.match(text, new RegExp(`^1\\. ${f.repo.needlePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(100%`, 'm'), text.slice(0, 300));
      assert.ok(text.includes(NEEDLE_ANSWER), 'the excerpt holds the answer');
      assert.equal(text.match(/^\d+\. /gm)!.length, 4);
      const [, spent, budget] = /Excerpts: (\d+) of a budget of (\d+) tokens/.exec(text)!;
      assert.equal(Number(budget), 1000, "half the caller's token budget");
      assert.ok(Number(spent) <= Number(budget));
    }
  });

  test('an empty question, a folder outside the workspace, a run in progress, a cancelled call: each a clear error', async () => {
    withServer = false;
    await assert.rejects(invoke({ question: '  ' }), /the question is empty/);
    await assert.rejects(invoke({ question: NEEDLE_QUESTION, folder: '/etc' }), /\/etc is not a folder of this workspace/);
    running = 'in the chat, for 3 s';
    await assert.rejects(invoke({ question: NEEDLE_QUESTION }), /already running a question \(in the chat, for 3 s\)/);
    running = undefined;
    const slow = await startScoringServer({ delayMs: 300 });
    const saved = f.server;
    try {
      f.server = slow;
      withServer = true;
      forgetProbes();
      const { token, cancel } = cancellation();
      const call = invoke({ question: NEEDLE_QUESTION }, token);
      const deadline = Date.now() + 20_000;
      while (slow.promptCount() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      cancel();
      // a cancelled run keeps what it scored: the call ends promptly, partial or with the reason
      const outcome = await Promise.race([
        call.then(
          (r) => ((r as unknown as FakeToolResult).content[0]!.value.includes('Partial ranking') ? 'partial' : 'complete'),
          (e: Error) => e.message,
        ),
        new Promise((r) => setTimeout(() => r('hung'), 5000)),
      ]);
      assert.ok(outcome === 'partial' || /cancel/i.test(String(outcome)), String(outcome));
    } finally {
      f.server = saved;
      await slow.close();
    }
  });
});
