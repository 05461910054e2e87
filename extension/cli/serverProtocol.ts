// What `xl3m ask` and a repository's background server (indexServer.ts) say to each other over the
// server's Unix socket: one JSON message a line; what the caller is to write on its standard output
// or error follows its message line as raw bytes (`bytes` of them), not inside the JSON (a ranking
// in JSON is megabytes, which a second encoding would double). The socket lies in the user's cache folder (0700),
// next to the repository's index, named after the same key; the first message of a connection says
// what it is for.
import { promises as fsp, statSync } from 'node:fs';
import * as net from 'node:net';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { indexFileOf } from '../core/store/cacheFolder';
import type { AskArgs } from './args';

export type ClientMessage =
  /** A question, with the command line already read (paths absolute, the question's text in place) and the caller's terminal. */
  | { type: 'ask'; build: string; args: AskArgs; terminal: { isTTY: boolean; columns?: number } }
  /** Ctrl-C in the caller: the run stops, keeping what it read. */
  | { type: 'cancel' }
  | { type: 'status' }
  | { type: 'stop' };

export type ServerMessage =
  /** Followed by `bytes` bytes to write as they are. */
  | { type: 'stdout' | 'stderr'; bytes: number }
  | { type: 'exit'; code: number }
  /** The server runs another build of xl3m than the caller: it stops (after any run in progress), and the caller starts its own. */
  | { type: 'stale'; build: string }
  | { type: 'status'; status: ServerStatus }
  | { type: 'stopping' };

export interface ServerStatus {
  repo: string;
  pid: number;
  build: string;
  /** When the last question ended (or the server started). */
  idleSince: string;
  idleMinutes: number;
  questions: number;
  /** A question is being answered now, or waits its turn. */
  busy: boolean;
  rssBytes: number;
  /** How it knows what changed between questions: the folders its file watcher watches, or why it has none (every file is stat'ed). */
  watching?: { folders: number } | { why: string };
}

const SOCKET_SUFFIX = '.sock';

/** Unix sockets take a path of at most 104 bytes on macOS (108 on Linux); a longer one means no server. */
const MAX_SOCKET_PATH = 103;

/** The socket of a repository's server (its real path), beside its index; undefined where there can be none (Windows, a path too long). */
export function socketOf(folder: string, realRepo: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const file = indexFileOf(folder, [realRepo]).replace(/\.index$/, SOCKET_SUFFIX);
  return Buffer.byteLength(file) <= MAX_SOCKET_PATH ? file : undefined;
}

const LOG_SUFFIX = '.server.log';

/** The server's log (what it says while starting, and its failures), beside its socket. */
export const logOf = (socket: string) => socket.slice(0, -SOCKET_SUFFIX.length) + LOG_SUFFIX;

/** Removes the servers' logs from the cache folder (`xl3m cache clear`, once they have stopped). */
export async function removeLogs(folder: string): Promise<void> {
  const names = await fsp.readdir(folder).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.endsWith(LOG_SUFFIX)).map((n) => fsp.rm(path.join(folder, n), { force: true })));
}

/** Which build of xl3m a process runs: its bundles' sizes and times (the entry's and the rest of the CLI's beside it); a server of another build is replaced. */
export function buildOf(entry: string): string {
  return [entry, path.join(path.dirname(entry), 'cliMain.js')]
    .flatMap((file) => {
      const st = statSync(file, { throwIfNoEntry: false });
      return st ? [`${st.size}:${Math.round(st.mtimeMs)}`] : [];
    })
    .join('/');
}

export function send(socket: Socket, message: ClientMessage | ServerMessage): void {
  if (!socket.destroyed) socket.write(JSON.stringify(message) + '\n');
}

/** Output for the caller's standard output or error: the message, then the bytes (a string written as UTF-8 by the socket: not copied into a buffer first). */
export function sendOutput(socket: Socket, type: 'stdout' | 'stderr', data: string | Uint8Array): void {
  if (socket.destroyed) return;
  const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
  socket.write(JSON.stringify({ type, bytes }) + '\n');
  if (bytes > 0) socket.write(data);
}

/**
 * Calls `onMessage` for each message line (a JSON object); where it announces bytes, with those
 * bytes as they arrive, in order, over one call or more (an answer's 5 MB of JSON is passed on
 * piece by piece, never gathered); a line that is not JSON ends the connection (whatever wrote it
 * is not xl3m).
 */
export function readMessages<T>(socket: Socket, onMessage: (message: T, bytes?: Buffer) => void): void {
  /** A message line's start, while its end has not arrived. */
  let line: Buffer[] = [];
  /** The message whose bytes are arriving, and how many are still to come. */
  let awaiting: { message: T; left: number } | undefined;
  socket.on('data', (chunk: Buffer) => {
    let data = chunk;
    while (data.length > 0) {
      if (awaiting) {
        const piece = data.subarray(0, awaiting.left);
        data = data.subarray(piece.length);
        awaiting.left -= piece.length;
        const { message } = awaiting;
        if (awaiting.left === 0) awaiting = undefined;
        onMessage(message, piece);
        continue;
      }
      const end = data.indexOf(0x0a);
      if (end < 0) {
        line.push(data);
        return;
      }
      const text = Buffer.concat([...line, data.subarray(0, end)]).toString('utf8');
      line = [];
      data = data.subarray(end + 1);
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        socket.destroy();
        return;
      }
      if (!message || typeof message !== 'object' || typeof (message as { type?: unknown }).type !== 'string') continue;
      const bytes = (message as { bytes?: unknown }).bytes;
      if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) onMessage(message as T);
      else if (bytes === 0) onMessage(message as T, Buffer.alloc(0));
      else awaiting = { message: message as T, left: bytes };
    }
  });
}

/** A connection to the socket, or undefined when nothing listens there. */
export function connect(socketPath: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => resolve(undefined));
  });
}

/** The sockets in the cache folder (one per repository whose server ran). */
export async function socketsIn(folder: string): Promise<string[]> {
  const names = await fsp.readdir(folder).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(SOCKET_SUFFIX)).map((n) => path.join(folder, n));
}
