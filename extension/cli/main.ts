// The `xl3m` command's every command: reads the command line and runs the command it names (ask,
// check, mcp, cache, server). Bundled as dist/cliMain.js, which the command's entry
// (launch.ts, dist/cli.js) loads only when this process has the work to do: a question the
// repository's server answers never loads it.
//
// What only some commands need is loaded when they run (`await import`, which the bundle turns into
// a module initialised on first use): the ranking, the model clients or the MCP SDK.
import type { Readable, Writable } from 'node:stream';
import type { Endpoint } from '../core/model/endpoint';
import { inert, inertLine } from '../core/report/terminalText';
import { USAGE, type AskArgs, type Command, type ServerArgs } from './args';
import { clearCache, listCache } from '../core/store/cacheContents';
import { failed, type Io } from './askInput';
import { serverStatus, stopServers } from './serverClient';
import { removeLogs } from './serverProtocol';
import { bundledStructureProcess, useStructureProcess } from '../core/structure/structureProcess';

/** Runs a command other than `ask` (launch.ts reads the command line and asks through the server); resolves to the exit code. */
export async function runCommand(command: Exclude<Command, { command: 'ask' }>, io: Io, signal?: AbortSignal): Promise<number> {
  if (command.command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (command.command === 'check') return await runCheck(command, io, signal);
    if (command.command === 'cache') return await runCache(command.action, command.folder, io);
    if (command.command === 'mcp') {
      const { serveMcp } = await import('./mcpServer');
      return await serveMcp(command, { stdin: (io.stdin ?? process.stdin) as Readable, stdout: io.stdout as Writable, stderr: io.stderr as Writable }, signal);
    }
    if (command.action === 'run') return await (await import('./indexServer')).runIndexServer(command.repo, command.folder, command.idleMinutes, io, signal);
    return await (command.action === 'status' ? serverStatus(command.folder, io) : stopServers(command.folder, io));
  } catch (err) {
    return failed(err, io);
  }
}

/** `ask` answered in this process: its question already read (prepareAsk), its server not asked or gone. */
export async function runAskHere(args: AskArgs, io: Io, signal?: AbortSignal): Promise<number> {
  try {
    return await (await import('./ask')).runAsk(args, io, signal);
  } catch (err) {
    return failed(err, io);
  }
}

/** What this process needs before a command runs here: syntax trees read in child processes of their own, started when a question first needs one. */
export function prepareProcess(bundleFolder: string) {
  useStructureProcess(bundledStructureProcess(bundleFolder));
}

function checkEndpoints(args: ServerArgs): Endpoint[] {
  return args.baseUrls.map((baseUrl) => ({ baseUrl, model: args.model, apiKey: args.apiKey, timeoutMs: args.timeoutMs, maxRetries: args.retries }));
}

/** `xl3m check`: which method each server allows, in plain words; exit 1 when one allows none. */
async function runCheck(args: ServerArgs, io: Io, signal?: AbortSignal): Promise<number> {
  let code = 0;
  const { checkServers, formatProbe } = await import('../core/backend');
  for (const probe of await checkServers(checkEndpoints(args), signal)) {
    io.stdout.write(inert(formatProbe(probe)) + '\n');
    if (!probe.method) code = 1;
  }
  return code;
}

/** `xl3m cache status` / `clear`: each repository's index (files, size, last use), or none left. */
async function runCache(action: 'status' | 'clear', folder: string, io: Io): Promise<number> {
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const size = (bytes: number) => (bytes < 2 ** 20 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : mb(bytes));
  if (action === 'clear') {
    // a server would write its index back after its next question
    await stopServers(folder, { stdout: { write: () => true } as unknown as NodeJS.WritableStream });
    const { files, bytes } = await clearCache(folder);
    await removeLogs(folder);
    io.stdout.write(`removed ${files} ${files === 1 ? 'index' : 'indexes'} (${mb(bytes)}) from ${inertLine(folder)}\n`);
    return 0;
  }
  const indexes = await listCache(folder);
  const total = indexes.reduce((a, e) => a + e.bytes, 0);
  io.stdout.write(`${inertLine(folder)}: ${indexes.length} ${indexes.length === 1 ? 'index' : 'indexes'}, ${mb(total)}\n`);
  for (const e of indexes) {
    const what = e.header
      ? `${e.header.roots.map(inertLine).join(', ')}: ${e.header.files} files${e.journalBytes ? ` when written whole, then ${size(e.journalBytes)} of changes` : ''}`
      : `unreadable (${inertLine(e.problem ?? '')}; removed at the next trim)`;
    io.stdout.write(`  ${what}, ${mb(e.bytes)}, last used ${e.usedAt.toISOString()}\n`);
  }
  return 0;
}
