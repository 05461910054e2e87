import * as vscode from 'vscode';
import { handlePanelMessage, registerCommands } from './commands';
import { Ctx } from './ctx';
import { registerAgents } from './agents';

let ctx: Ctx | undefined;

/** Registers commands, views and providers; no file is read and no model is loaded here. */
export function activate(extension: vscode.ExtensionContext) {
  const started = performance.now();
  const context = new Ctx(extension, (message) => void handlePanelMessage(context, message));
  ctx = context;
  extension.subscriptions.push(context);
  registerCommands(context);
  try {
    registerAgents(context);
  } catch (err) {
    // an editor without Chat, language-model tools or MCP support still gets the panel and the CLI
    context.log(`chat, tool and MCP entry points not registered: ${(err as Error).message}`);
  }
  context.log(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate() {
  ctx?.dispose();
  ctx = undefined;
}
