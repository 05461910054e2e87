import * as vscode from 'vscode';
import { handlePanelMessage, registerCommands } from './commands';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

/** Registers commands, views and providers; no file is read and no model is loaded here. */
export function activate(extension: vscode.ExtensionContext) {
  const started = performance.now();
  const context = new Ctx(extension, (message) => void handlePanelMessage(context, message));
  ctx = context;
  extension.subscriptions.push(context);
  registerCommands(context);
  context.log(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate() {
  ctx?.dispose();
  ctx = undefined;
}
