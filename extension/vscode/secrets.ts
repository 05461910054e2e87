import * as vscode from 'vscode';

const KEY = 'xl3m.apiKey';

/** The API key lives in SecretStorage only: never in settings, logs or the webview. */
export class ApiKeyStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async getApiKey(): Promise<string | undefined> {
    return (await this.storage.get(KEY)) || undefined;
  }

  async promptAndStore(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: 'xl3m: API key for the scoring and answer servers',
      prompt: 'Stored in VS Code secret storage. Leave empty to remove the stored key.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value.trim()) {
      await this.storage.store(KEY, value.trim());
      void vscode.window.showInformationMessage('xl3m: API key stored.');
    } else {
      await this.storage.delete(KEY);
      void vscode.window.showInformationMessage('xl3m: API key removed.');
    }
  }
}
