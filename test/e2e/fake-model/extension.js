// Test only. A chat model that answers from what it is given (it quotes the line holding a
// codename), so that Chat runs participants with no network and no Copilot; and two commands
// that ask @xl3m in the Chat view and call xl3m's language-model tool, writing what came back.
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');

const QUESTION = 'What is the secret deployment codename of the billing service?';

function activate(context) {
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider('xl3m-test', {
      provideLanguageModelChatInformation: () => [
        {
          id: 'fake',
          name: 'Fake Model',
          family: 'fake',
          version: '1',
          maxInputTokens: 64000,
          maxOutputTokens: 2000,
          isUserSelectable: true,
          capabilities: { toolCalling: false, imageInput: false },
        },
      ],
      async provideLanguageModelChatResponse(model, messages, options, progress) {
        const text = messages.map((m) => m.content.map((p) => (typeof p.value === 'string' ? p.value : '')).join('')).join('\n');
        const found = /[A-Z]+-[A-Z]+-\d+/.exec(text);
        progress.report(new vscode.LanguageModelTextPart(found ? `Fake model: the codename is ${found[0]}.` : 'Fake model: nothing found.'));
      },
      provideTokenCount: async (model, text) => Math.ceil((typeof text === 'string' ? text : JSON.stringify(text)).length / 4),
    }),
    vscode.commands.registerCommand('xl3mTest.askChat', () =>
      vscode.commands.executeCommand('workbench.action.chat.open', { query: `@xl3m ${QUESTION}`, modelSelector: { vendor: 'xl3m-test', id: 'fake' } }),
    ),
    vscode.commands.registerCommand('xl3mTest.invokeTool', async () => {
      const out = path.join(context.globalStorageUri.fsPath, 'tool-result.txt');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      try {
        const result = await vscode.lm.invokeTool('xl3m_findRelevantFiles', { input: { question: QUESTION, maxFiles: 5 }, toolInvocationToken: undefined });
        fs.writeFileSync(out, result.content.map((p) => p.value ?? '').join(''));
      } catch (err) {
        fs.writeFileSync(out, `ERROR ${err && err.message}`);
      }
    }),
  );
}

module.exports = { activate };
