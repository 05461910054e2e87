// A repository's background server: what makes a CLI question after the first cost what changed
// instead of a read of the whole index. `xl3m ask` starts it (detached) on the repository's first
// question and hands it each question over a Unix socket in the user's cache folder (0700); it
// keeps the index and the tokenizer in memory, as the extension host and `xl3m mcp` do, answers
// one question at a time in the order asked, writes the index back once questions pause (so that a
// run without it, the extension or an agent's MCP server start from it too), and stops after
// --server-idle-minutes without a question, when its socket is removed (`xl3m cache clear`, or the
// folder deleted), or when asked (`xl3m server stop`, or a caller of another build).
import { promises as fsp, rmSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { ensureCacheFolder } from '../core/store/cacheFolder';
import { DiskIndex } from '../core/store/diskIndex';
import { RunQueue } from '../core/runQueue';
import { describeRehearsal, Rehearsal, rehearsalConfig } from '../core/rehearsal';
import { Tokenizing } from '../core/tokens/tokenizing';
import { inertLine } from '../core/report/terminalText';
import { runAsk, type KeptForRuns } from './ask';
import type { AskArgs } from './args';
import { collectGarbage } from './collectGarbage';
import { FolderWatcher } from '../core/files/folderWatcher';
import { failed, type Io } from './askInput';
import { buildOf, connect, readMessages, send, sendOutput, socketOf, type ClientMessage, type ServerStatus } from './serverProtocol';

/** How often the server checks that its socket is still its own (a cleared cache folder stops it). */
const SOCKET_CHECK_MS = 2000;
/** The index is written back this long after the last question, unless another comes. */
const SAVE_AFTER_MS = 3000;

/** Serves one repository until idle, stopped or its socket is gone; resolves to the exit code. */
export async function runIndexServer(repoPath: string, folder: string, idleMinutesAtStart: number, io: Io, signal?: AbortSignal): Promise<number> {
  const log = (line: string) => io.stderr.write(`${new Date().toISOString()} xl3m server: ${inertLine(line)}\n`);
  const repo = await fsp.realpath(repoPath).catch(() => undefined);
  if (!repo || !statSync(repo, { throwIfNoEntry: false })?.isDirectory()) {
    log(`--repo is not a folder: ${repoPath}`);
    return 2;
  }
  const socketPath = socketOf(folder, repo);
  if (!socketPath) {
    log(`no server here: ${process.platform === 'win32' ? 'not on Windows' : `the socket's path in ${folder} would be too long`}`);
    return 1;
  }
  const build = io.entry ? buildOf(io.entry) : 'unknown';
  await ensureCacheFolder(folder);

  const tokenizing = new Tokenizing(__dirname, { keepCounts: true });
  const kept: KeptForRuns = { tokenizing };
  const queue = new RunQueue();
  let idleSince = new Date();
  /** The latest question's limit (its caller's --server-idle-minutes). */
  let idleMinutes = idleMinutesAtStart;
  let questions = 0;
  /** Why the index has no file watcher, once it was asked to watch (`kept.index` is set then). */
  let unwatched: string | undefined;
  /** The questions being answered or waiting their turn. */
  const runs = new Set<AbortController>();
  /** The last question, ranked again once questions pause (core/rehearsal.ts). */
  const rehearsal = new Rehearsal();

  const server = net.createServer((socket) => {
    let controller: AbortController | undefined;
    socket.on('error', () => undefined); // a caller gone mid-answer: its run is cancelled below
    socket.on('close', () => controller?.abort(new Error('the caller went away')));
    readMessages<ClientMessage>(socket, (message) => {
      if (message.type === 'cancel') controller?.abort(new Error('interrupted'));
      else if (message.type === 'status') {
        const status: ServerStatus = {
          repo,
          pid: process.pid,
          build,
          idleSince: idleSince.toISOString(),
          idleMinutes,
          questions,
          busy: runs.size > 0,
          rssBytes: process.memoryUsage.rss(),
          ...(watchedFolders() !== undefined ? { watching: { folders: watchedFolders()! } } : unwatched ? { watching: { why: unwatched } } : {}),
        };
        send(socket, { type: 'status', status });
        socket.end();
      } else if (message.type === 'stop') {
        log('stopping, as asked');
        void stop();
        send(socket, { type: 'stopping' });
        socket.end();
      } else if (message.type === 'ask' && !controller) {
        if (message.build !== build) {
          log(`a caller of another build (${message.build}; this one ${build}): stopping for its own server`);
          void stop();
          send(socket, { type: 'stale', build });
          socket.end();
          return;
        }
        controller = new AbortController();
        rehearsal.stop();
        void answer(socket, message, controller);
      }
    });
  });

  /** The folders the index's file watcher watches; undefined before the first question, or without one. */
  const watchedFolders = () => (kept.index?.changes instanceof FolderWatcher ? kept.index.changes.watchedFolders : undefined);

  const answer = async (socket: net.Socket, message: Extract<ClientMessage, { type: 'ask' }>, controller: AbortController) => {
    const { args, terminal } = message;
    runs.add(controller);
    idleMinutes = args.server?.idleMinutes ?? idleMinutes;
    const stream = (type: 'stdout' | 'stderr') =>
      ({
        write: (text: string | Uint8Array) => {
          sendOutput(socket, type, text);
          return true;
        },
        isTTY: type === 'stderr' && terminal.isTTY,
        columns: terminal.columns,
      }) as unknown as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    const callerIo: Io = { stdout: stream('stdout'), stderr: stream('stderr'), env: {} };
    let code: number;
    try {
      if (args.repo !== repo && (await fsp.realpath(args.repo).catch(() => args.repo)) !== repo)
        throw new Error(`this server serves ${repo}, not ${args.repo}`);
      code = await queue.run(
        'a question',
        async () => {
          kept.disk ??= args.cache ? await DiskIndex.of([repo], args.cache) : undefined;
          if (kept.disk && !kept.index) {
            kept.index = await kept.disk.load();
            unwatched = kept.index.watchFolders([repo]);
            log(unwatched ? `every question checks every file: ${unwatched}` : 'watching the repository: a question checks only what changed since the last');
          }
          questions++;
          rehearsal.remember(rehearsalOf(args));
          return runAsk(args, callerIo, controller.signal, kept);
        },
        {
          signal: controller.signal,
          onWait: (ahead) =>
            callerIo.stderr.write(`xl3m: waiting for ${ahead === 1 ? 'the question' : `${ahead} questions`} ahead in the repository's server\n`),
        },
      );
    } catch (err) {
      code = failed(err, callerIo);
    }
    send(socket, { type: 'exit', code });
    socket.end();
    runs.delete(controller);
    saveSoon();
    idleSince = new Date();
  };

  // The index is written back once questions pause (and before the server stops), not after each
  // one: a question asked right after another never waits for a write of the whole index.
  let saveTimer: NodeJS.Timeout | undefined;
  const save = async () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    const disk = kept.disk;
    if (disk)
      await queue
        .run('writing the index', () => disk.save().then((note) => note && log(note)))
        .catch((err) => log(`the index was not written: ${(err as Error).message}`));
    // and its garbage collected while no question waits: the server holds its index and one question's work, not every question's
    if (runs.size === 0 && !stopping) {
      collectGarbage();
      await rehearsal.now((rehearsed, ms) => log(describeRehearsal('question', rehearsed, ms)));
    }
  };

  /** A question ranked again, lexically and with its output dropped (the text output, whatever it asked for: every file's JSON, built to be dropped, takes 0.27 s on 104,000 files). */
  const rehearsalOf = (args: AskArgs) => {
    const dropped = { write: () => true } as unknown as NodeJS.WritableStream;
    const lexical: AskArgs = { ...args, json: false, config: rehearsalConfig(args.config) };
    return (signal: AbortSignal) =>
      queue.run('rehearsing the last question', () => runAsk(lexical, { stdout: dropped, stderr: dropped, env: {} }, signal, kept), { signal });
  };

  const saveSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void save(), SAVE_AFTER_MS);
  };

  let stopping: Promise<void> | undefined;
  /** Set once listening: the socket's inode (whether the socket on disk is still this server's) and the timer that checks it and the idle time. */
  const listening: { socketIno?: number; timer?: NodeJS.Timeout } = {};
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const stop = (code = 0) => {
    if (stopping) return stopping;
    rehearsal.stop();
    // at once, before anything is said: the socket's name is free for a new server, which may be asked the moment this one replies
    clearInterval(listening.timer);
    server.close();
    if (ownsSocket()) rmSync(socketPath, { force: true });
    return (stopping = (async () => {
      // the runs in progress finish first, then the index is written
      await queue.run('stopping', async () => undefined).catch(() => undefined);
      await save();
      if (kept.disk) (await kept.disk.load()).stopWatching();
      await tokenizing.dispose();
      log(`stopped after ${questions} ${questions === 1 ? 'question' : 'questions'}`);
      resolveDone(code);
    })());
  };
  signal?.addEventListener('abort', () => {
    for (const run of runs) run.abort(new Error('the server is stopping'));
    void stop(130);
  });

  const ownsSocket = () => listening.socketIno !== undefined && statSync(socketPath, { throwIfNoEntry: false })?.ino === listening.socketIno;
  if (!(await listen(server, socketPath))) {
    log(`another server already serves ${repo}`);
    await tokenizing.dispose();
    return 0;
  }
  await fsp.chmod(socketPath, 0o600).catch(() => undefined);
  listening.socketIno = statSync(socketPath).ino;
  log(`serving ${repo} (build ${build}, pid ${process.pid})`);
  listening.timer = setInterval(() => {
    if (!ownsSocket()) {
      log('the socket was removed: stopping');
      void stop();
    } else if (runs.size === 0 && Date.now() - idleSince.getTime() >= idleMinutes * 60_000) {
      log(`no question for ${idleMinutes} min: stopping`);
      void stop();
    }
  }, SOCKET_CHECK_MS);
  return done;
}

/**
 * Listens on the socket; false when another live server holds it. A socket file left by a server
 * that died (nothing answers on it) is removed first.
 */
async function listen(server: net.Server, socketPath: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(socketPath, () => {
        server.off('error', resolve);
        resolve(undefined);
      });
    });
    if (!error) return true;
    if (error.code !== 'EADDRINUSE') throw error;
    const live = await connect(socketPath);
    live?.destroy();
    if (live) return false;
    await fsp.rm(socketPath, { force: true });
  }
  return false;
}
