// The caller's side of a repository's background server (indexServer.ts): `xl3m ask` hands its
// question to the server (starting it on the repository's first question) and writes what it
// sends back as its own output; `xl3m server status | stop`. A server that cannot start, or stops
// before it says anything, leaves the question to the calling process, with a note: the server only
// ever makes a question faster, never fails one.
import { spawn } from 'node:child_process';
import { closeSync, openSync, promises as fsp } from 'node:fs';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureCacheFolder } from '../core/store/cacheFolder';
import { inertLine } from '../core/report/terminalText';
import type { AskArgs } from './args';
import type { Io } from './askInput';
import { buildOf, connect, logOf, readMessages, send, socketOf, socketsIn, type ClientMessage, type ServerMessage, type ServerStatus } from './serverProtocol';

/** How long a new server may take to listen (Node, the bundle, the tokenizer: well under a second here). */
const START_TIMEOUT_MS = 20_000;
/** How long `xl3m server stop` waits for a server to finish its run in progress and exit. */
const STOP_TIMEOUT_MS = 60_000;

type Exchange = { kind: 'exit'; code: number } | { kind: 'stale' } | { kind: 'lost'; wrote: boolean };

/** The question answered by the repository's server: its exit code; undefined when it is to be answered in this process instead. */
export async function askThroughServer(args: AskArgs, io: Io, entry: string, signal?: AbortSignal): Promise<number | undefined> {
  const folder = args.cache!.folder;
  const repo = await fsp.realpath(args.repo);
  const socketPath = socketOf(folder, repo);
  if (!socketPath) return undefined;
  const unsafe = await notPrivate(folder, socketPath);
  if (unsafe) {
    io.stderr.write(`xl3m: ${inertLine(unsafe)}: asked in this process, without the repository's server\n`);
    return undefined;
  }
  const build = buildOf(entry);
  const terminal = { isTTY: io.stderr.isTTY === true, columns: io.stderr.columns };
  for (let attempt = 0; attempt < 2; attempt++) {
    let socket = await connect(socketPath);
    if (!socket) {
      const started = await startServer(entry, repo, folder, socketPath, args.server!.idleMinutes, io.env);
      if (typeof started === 'string') {
        io.stderr.write(`xl3m: ${inertLine(started)}; asked in this process\n`);
        return undefined;
      }
      socket = started;
    }
    const outcome = await exchange(socket, { type: 'ask', build, args, terminal }, io, signal);
    if (outcome.kind === 'exit') return outcome.code;
    if (outcome.kind === 'stale') continue; // it has let go of the socket: the next attempt starts this build's server
    if (outcome.wrote) {
      io.stderr.write(`xl3m: the repository's server stopped before the answer was complete (its log: ${inertLine(logOf(socketPath))})\n`);
      return 1;
    }
    io.stderr.write(`xl3m: the repository's server stopped without answering (its log: ${inertLine(logOf(socketPath))}); asked in this process\n`);
    return undefined;
  }
  return undefined;
}

/**
 * Why the socket cannot be trusted with a question (and the API key it carries), if it cannot: the
 * cache folder must be the user's own and writable by no one else, and a socket already there the
 * user's own, so that no other user can listen in the server's place.
 */
async function notPrivate(folder: string, socketPath: string): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  await ensureCacheFolder(folder);
  const dir = await fsp.stat(folder);
  if (dir.uid !== uid || (dir.mode & 0o022) !== 0)
    return `the cache folder ${folder} is not private to you (owner ${dir.uid}, mode ${(dir.mode & 0o777).toString(8)})`;
  const socket = await fsp.lstat(socketPath).catch(() => undefined);
  if (socket && (socket.uid !== uid || !socket.isSocket())) return `${socketPath} is not a socket of yours`;
  return undefined;
}

/** Sends the question and relays what comes back until the exit code, or the server goes. */
function exchange(socket: net.Socket, request: ClientMessage, io: Io, signal?: AbortSignal): Promise<Exchange> {
  return new Promise((resolve) => {
    let wrote = false;
    let settled = false;
    const cancel = () => send(socket, { type: 'cancel' });
    const finish = (outcome: Exchange) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      socket.destroy();
      resolve(outcome);
    };
    readMessages<ServerMessage>(socket, (message, bytes) => {
      if (message.type === 'stdout' || message.type === 'stderr') {
        wrote = true;
        (message.type === 'stdout' ? io.stdout : io.stderr).write(bytes ?? '');
      } else if (message.type === 'exit') finish({ kind: 'exit', code: message.code });
      else if (message.type === 'stale') finish({ kind: 'stale' });
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => finish({ kind: 'lost', wrote }));
    signal?.addEventListener('abort', cancel, { once: true });
    send(socket, request);
    if (signal?.aborted) cancel();
  });
}

/** Starts the repository's server, detached, its output in its log; a connection to it, or why there is none. */
async function startServer(
  entry: string,
  repo: string,
  folder: string,
  socketPath: string,
  idleMinutes: number,
  env: NodeJS.ProcessEnv,
): Promise<net.Socket | string> {
  const log = logOf(socketPath);
  let exited: { code: number | null; why: string } | undefined;
  try {
    // (the folder exists: notPrivate made it)
    const fd = openSync(log, 'w', 0o600);
    try {
      const child = spawn(process.execPath, [...process.execArgv, entry, 'server', 'run', '--repo', repo, '--server-idle-minutes', String(idleMinutes)], {
        detached: true,
        // not the caller's folder, which a server living on would keep busy (a drive that cannot be unmounted)
        cwd: folder,
        stdio: ['ignore', fd, fd],
        env: { ...env, XL3M_CACHE_DIR: folder },
      });
      child.on('error', (err) => (exited = { code: null, why: err.message }));
      child.on('exit', (code, sig) => (exited = { code, why: sig ? `killed by ${sig}` : `exit code ${code}` }));
      child.unref();
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return `the repository's server did not start (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: ${log})`;
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const socket = await connect(socketPath);
    if (socket) return socket;
    // exit code 0: another caller's server won the socket, and will answer
    if (exited && exited.code !== 0) return `the repository's server did not start (${exited.why}; its log: ${log})`;
    await sleep(25);
  }
  return `the repository's server did not listen within ${START_TIMEOUT_MS / 1000} s (its log: ${log})`;
}

/** One request and its one reply; undefined when nothing answers on the socket. */
async function requestOf(socketPath: string, request: ClientMessage): Promise<ServerMessage | undefined> {
  const socket = await connect(socketPath);
  if (!socket) return undefined;
  return new Promise((resolve) => {
    readMessages<ServerMessage>(socket, (message) => {
      socket.destroy();
      resolve(message);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(undefined));
    send(socket, request);
  });
}

/** The servers running on the cache folder's repositories; a socket nothing answers on (its server killed) is removed. */
async function runningServers(folder: string): Promise<{ socket: string; status: ServerStatus }[]> {
  const out: { socket: string; status: ServerStatus }[] = [];
  for (const socket of await socketsIn(folder)) {
    const reply = await requestOf(socket, { type: 'status' });
    if (reply?.type === 'status') out.push({ socket, status: reply.status });
    else if (!reply) await fsp.rm(socket, { force: true }).catch(() => undefined);
  }
  return out;
}

/** `xl3m server status`: each running server's repository, process, memory and questions. */
export async function serverStatus(folder: string, io: Pick<Io, 'stdout'>): Promise<number> {
  const servers = await runningServers(folder);
  io.stdout.write(`${inertLine(folder)}: ${servers.length} ${servers.length === 1 ? 'server' : 'servers'} running\n`);
  for (const { status: s } of servers) {
    const idle = Math.floor((Date.now() - Date.parse(s.idleSince)) / 60_000);
    io.stdout.write(
      `  ${inertLine(s.repo)}: pid ${s.pid}, ${(s.rssBytes / 2 ** 20).toFixed(0)} MB, ${s.questions} ${s.questions === 1 ? 'question' : 'questions'}${watchingText(s)}, ${s.busy ? 'answering' : `idle ${idle} min (stops at ${s.idleMinutes})`}\n`,
    );
  }
  return 0;
}

/** `xl3m server stop` (and `xl3m cache clear`, first): each server finishes its run in progress, writes its index and exits. */
export async function stopServers(folder: string, io: Pick<Io, 'stdout'>): Promise<number> {
  const servers = await runningServers(folder);
  await Promise.all(
    servers.map(async ({ socket, status }) => {
      await requestOf(socket, { type: 'stop' });
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (isAlive(status.pid) && Date.now() < deadline) await sleep(25);
    }),
  );
  io.stdout.write(`stopped ${servers.length} ${servers.length === 1 ? 'server' : 'servers'}\n`);
  return 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a server's status says of its file watcher: the folders it watches, or why it has none. */
function watchingText(s: ServerStatus): string {
  if (!s.watching) return '';
  return 'folders' in s.watching
    ? `, ${s.watching.folders} ${s.watching.folders === 1 ? 'folder' : 'folders'} watched`
    : `, not watched (${inertLine(s.watching.why)})`;
}
