// Where agents ask: `@xl3m` in the Chat view, the `xl3m_findRelevantFiles` tool for agent mode,
// and `xl3m mcp` offered to VS Code's MCP support. All run the panel's run (askRunner.runForAgent).
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runForAgent } from './askRunner';
import { chatHandler, PARTICIPANT_ID } from './chatParticipant';
import { endpointsOf } from '../core/backend';
import { readUnderRoots } from '../core/files/roots';
import { toRunConfig } from './config';
import type { Ctx } from './ctx';
import { findRelevantFilesTool, TOOL_NAME } from './languageModelTool';
import { mcpSettingsLaunch } from './mcpLaunch';
import { workspaceFileSystem } from './workspaceFileSystem';
import { vscodeAnswerModel } from './vscodeLanguageModel';

export function registerAgents(ctx: Ctx) {
  const uriOf = (f: { location: string }) => vscode.Uri.parse(f.location);
  const participant = vscode.chat.createChatParticipant(
    PARTICIPANT_ID,
    chatHandler({
      vs: vscode,
      busy: () => ctx.busy(),
      ask: (question, options) => runForAgent(ctx, 'in the chat', question, options),
      answerModelOf: (model) => vscodeAnswerModel(model, vscode),
      uriOf,
    }),
  );
  participant.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'icon.png');
  ctx.own(participant);

  ctx.own(
    vscode.lm.registerTool(
      TOOL_NAME,
      findRelevantFilesTool({
        vs: vscode,
        busy: () => ctx.busy(),
        ask: (question, options) => runForAgent(ctx, 'by a tool call', question, options),
        describeDataFlow: (folder) => {
          const { settings } = ctx.settings();
          const reads = folder ?? (vscode.workspace.workspaceFolders ?? []).map((f) => f.name).join(', ');
          const servers = endpointsOf(toRunConfig(settings, undefined, []));
          return { reads, ...(servers.length ? { sends: servers.map((e) => `${e.baseUrl} (${e.model})`).join(' and ') } : {}) };
        },
        read: (f) =>
          readUnderRoots(
            workspaceFileSystem(vscode),
            (vscode.workspace.workspaceFolders ?? []).map((w) => ({ path: w.uri.toString(), name: w.name })),
            f.location,
          ),
        countTokens: (text) => ctx.tokenizer().count(text),
      }),
    ),
  );

  // `xl3m mcp` for VS Code's own MCP client: the bundled CLI, on the local folders of the workspace
  const changed = ctx.own(new vscode.EventEmitter<void>());
  ctx.own(vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()));
  ctx.own(
    vscode.lm.registerMcpServerDefinitionProvider('xl3m.mcp', {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: () => {
        const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
        if (folders.length === 0) return [];
        const cli = join(ctx.extension.extensionPath, 'dist', 'cli.js');
        return [
          new vscode.McpStdioServerDefinition(
            'xl3m',
            process.execPath,
            [cli, 'mcp', ...folders.flatMap((f) => ['--repo', f.uri.fsPath])],
            { ELECTRON_RUN_AS_NODE: '1' },
            '0.1.0',
          ),
        ];
      },
      resolveMcpServerDefinition: async (definition) => {
        // Every setting reaches the server as its flag (excludes included: an excluded folder is
        // never quoted to an agent); the server and key come from the user's settings and secret
        // storage when the server starts, never from the workspace. The key goes in the
        // environment, not the command line that other processes can read.
        if (!(definition instanceof vscode.McpStdioServerDefinition)) return definition;
        const { settings } = ctx.settings();
        const launch = mcpSettingsLaunch(settings, settings.baseUrl && settings.model ? await ctx.secrets.getApiKey() : undefined);
        definition.args = [...definition.args, ...launch.args];
        definition.env = { ...definition.env, ...launch.env };
        return definition;
      },
    }),
  );
}
