// What the MCP server that the extension offers to VS Code is started with, apart from its
// folders: every setting as its flag, and the API key in the environment (a command line can be
// read by other processes). Free of `vscode`, so a test starts the same server.
import type { Settings } from './config';
import { toArgv } from '../core/config/runConfig';

export function mcpSettingsLaunch(settings: Settings, apiKey: string | undefined): { args: string[]; env: Record<string, string> } {
  const withServer = Boolean(settings.baseUrl && settings.model);
  return { args: toArgv(settings), env: withServer && apiKey ? { XL3M_API_KEY: apiKey } : {} };
}
