// The user's own VS Code language model (Copilot's, or any extension's) as the model that answers:
// xl3m chooses the context, that model writes. VS Code asks the user's consent on first use.
// It gives no log-probabilities, so it never scores.
import type * as vscode from 'vscode';
import { answerMessages } from '../core/model/answer';
import type { AnswerModel } from '../core/backend';

export function vscodeAnswerModel(
  model: vscode.LanguageModelChat,
  vs: Pick<typeof vscode, 'LanguageModelChatMessage' | 'CancellationTokenSource'>,
): AnswerModel {
  return {
    name: `${model.name} (a VS Code language model)`,
    contextWindow: model.maxInputTokens,
    async answer(keyContext, question, options) {
      const source = new vs.CancellationTokenSource();
      const abort = () => source.cancel();
      options.signal?.addEventListener('abort', abort, { once: true });
      try {
        // VS Code's chat API has no system role: the instructions lead the user message
        const [system, user] = answerMessages(keyContext, question);
        const response = await model.sendRequest(
          [vs.LanguageModelChatMessage.User(`${system!.content}\n\n${user!.content}`)],
          { justification: 'xl3m answers from the lines it chose in your workspace for your question.' },
          source.token,
        );
        let text = '';
        for await (const delta of response.text) {
          text += delta;
          options.onDelta?.(delta);
        }
        options.signal?.throwIfAborted();
        return text;
      } finally {
        options.signal?.removeEventListener('abort', abort);
        source.dispose();
      }
    },
  };
}
