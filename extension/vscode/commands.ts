import * as vscode from 'vscode';
import { runInPanel } from './askRunner';
import { toRunConfig } from './config';
import { checkServers, endpointsOf, formatProbe, probeVerdict } from '../core/backend';
import type { GatherRoot } from '../core/files/gather';
import type { Ctx } from './ctx';
import { unhandled, type WebviewMessage } from './protocol';

export function registerCommands(ctx: Ctx) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- VS Code hands each command its own arguments
  const command = (id: string, fn: (...args: any[]) => unknown) => ctx.own(vscode.commands.registerCommand(id, fn));
  command('xl3m.ask', () => askCodebase(ctx));
  command('xl3m.askFolder', (uri?: vscode.Uri) => askCodebase(ctx, uri));
  command('xl3m.setApiKey', () => ctx.secrets.promptAndStore());
  command('xl3m.showPanel', () => ctx.panel.show());
  command('xl3m.checkServer', () => checkServer(ctx));
  command('xl3m.clearHighlights', () => ctx.clearRanking());
  command('xl3m.pinFile', async (uri?: vscode.Uri) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target) return;
    const path = displayPath(target);
    const pinned = await ctx.pins.toggle(path);
    ctx.panel.update({ pinned: ctx.pins.list() });
    void vscode.window.showInformationMessage(`xl3m: ${path} ${pinned ? 'pinned: it is in every key context' : 'unpinned'}.`);
  });
}

/** What the answer panel asks of the host. */
export async function handlePanelMessage(ctx: Ctx, message: WebviewMessage) {
  switch (message.type) {
    case 'ask':
      return askCodebase(ctx);
    case 'askAgain': {
      const question = ctx.panel.current.question;
      return question ? runInPanel(ctx, question, workspaceRoots()) : askCodebase(ctx);
    }
    case 'cancel':
      return ctx.cancelRun();
    case 'togglePin':
      await ctx.pins.toggle(message.path);
      return ctx.panel.update({ pinned: ctx.pins.list() });
    case 'open':
      return openAt(ctx, message.path, message.line, message.endLine);
    case 'ready':
      return undefined;
    default:
      return unhandled(message);
  }
}

/** Probes each configured server and says, in plain words, which scoring method it allows. */
async function checkServer(ctx: Ctx) {
  const { settings } = ctx.settings();
  if (!settings.baseUrl || !settings.model) {
    void vscode.window.showErrorMessage('xl3m: set xl3m.baseUrl and xl3m.model in your user settings first.');
    return;
  }
  const endpoints = endpointsOf(toRunConfig(settings, await ctx.secrets.getApiKey(), []));
  const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'xl3m: checking the server…' }, () =>
    checkServers(endpoints),
  );
  for (const r of results) ctx.log(formatProbe(r));
  const failed = results.filter((r) => !r.method);
  const summary = results.map((r) => `${r.endpoint}: ${probeVerdict(r)}`).join('; ');
  const show = failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(`xl3m: ${summary}. ${results[0]!.explanation}`, 'Show Details');
  if (choice) ctx.output.show(true);
}

async function askCodebase(ctx: Ctx, folder?: vscode.Uri) {
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showErrorMessage('xl3m: open a folder or workspace first.');
    return;
  }
  const question = await vscode.window.showInputBox({
    title: folder ? `Ask about ${vscode.workspace.asRelativePath(folder)}` : 'Ask the Codebase',
    prompt: 'A question about the code; xl3m finds the files that matter and answers from them.',
    placeHolder: 'e.g. Where are retries handled?',
    value: ctx.panel.current.question,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Type a question'),
  });
  if (!question?.trim()) return;
  const roots: GatherRoot[] = folder ? [{ path: folder.toString(), name: vscode.workspace.asRelativePath(folder) }] : workspaceRoots();
  await runInPanel(ctx, question.trim(), roots);
}

function workspaceRoots(): GatherRoot[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => ({ path: f.uri.toString(), name: f.name }));
}

/** The path as runs report it: relative, prefixed by the folder's name in multi-root workspaces. */
function displayPath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

/** Opens a file of the last run (or a cited workspace file) at a line range; nothing outside the workspace. */
async function openAt(ctx: Ctx, path: string, line: number, endLine?: number) {
  const known = ctx.panel.current.files.find((f) => f.path === path);
  let uri = known ? vscode.Uri.parse(known.location) : undefined;
  if (!uri) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const prefix = `${folder.name}/`;
      const rel = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 && path.startsWith(prefix) ? path.slice(prefix.length) : path;
      if (rel.split('/').includes('..')) continue;
      const candidate = vscode.Uri.joinPath(folder.uri, rel);
      if (
        await vscode.workspace.fs.stat(candidate).then(
          () => true,
          () => false,
        )
      ) {
        uri = candidate;
        break;
      }
    }
  }
  if (!uri) {
    void vscode.window.showWarningMessage(`xl3m: ${path} is not a file of this workspace.`);
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const start = Math.min(Math.max(line - 1, 0), Math.max(doc.lineCount - 1, 0));
  const end = Math.min(Math.max((endLine ?? line) - 1, start), Math.max(doc.lineCount - 1, 0));
  // the cursor at the range's start, nothing selected: a keystroke must not replace the range, and the shading stays visible
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(start, 0, start, 0) });
  editor.revealRange(new vscode.Range(start, 0, end, 0), vscode.TextEditorRevealType.AtTop);
}
