// The repository's background server as users meet it through `xl3m ask`: the first question starts
// it, the next ones are answered from its memory exactly as a run in the caller would answer them;
// edits are seen; Ctrl-C cancels the question, not the server; a killed server, a server of another
// build and a server that cannot start never cost an answer; `xl3m server status | stop` and
// `xl3m cache clear` see and stop it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { indexFileOf } from '../../extension/core/store/cacheFolder';
import { logOf, socketOf } from '../../extension/cli/serverProtocol';
import { NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { startScoringServer } from '../support/scoringServer';
import { CLI, cliProcess, type CliRun } from '../support/cliProcess';
import { age } from '../support/warmFiles';

/** The CLI in a process of its own, its index cache in `cache`. */
const xl3m = (args: string[], cache: string, options: { cli?: string; onStderr?(text: string, child: ChildProcess): void } = {}) =>
  cliProcess(args, { ...options, env: { XL3M_CACHE_DIR: cache } });

type Json = { files: { path: string; score: number; kind: string; ranges: unknown }[]; stats: { index: string; filesRead: number; filesReused: number } };
const jsonOf = (run: CliRun) => JSON.parse(run.stdout) as Json;
const rankingOf = (run: CliRun) => jsonOf(run).files.map((f) => [f.path, f.score, f.kind, f.ranges]);
/** The text output without its last line, the summary (which says how long each part took). */
const textOf = (run: CliRun) => run.stdout.trimEnd().split('\n').slice(0, -1).join('\n');

const pidOf = (status: CliRun) => Number(/pid (\d+)/.exec(status.stdout)?.[1]);
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
async function untilGone(pid: number): Promise<void> {
  while (isAlive(pid)) await sleep(20);
}

// A server left alone stops by itself: started first, on its own repository and cache folder, with
// the shortest idle limit (a minute), and awaited by the last test while the others run.
const idleServer = (async () => {
  const repo = needleRepo({ maxFiles: 20, depth: 0.5 });
  const cache = mkdtempSync(join(tmpdir(), 'xl3m-idle-cache-'));
  try {
    const asked = Date.now();
    const run = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--server-idle-minutes', '1'], cache);
    const pid = pidOf(await xl3m(['server', 'status'], cache));
    await untilGone(pid);
    return { run, pid, stoppedAfterMs: Date.now() - asked, left: readdirSync(cache).filter((n) => n.endsWith('.sock')) };
  } finally {
    rmSync(cache, { recursive: true, force: true });
    repo.dispose();
  }
})();
idleServer.catch(() => undefined); // its failure is the last test's to report

describe("ask through the repository's server", () => {
  let repo: ReturnType<typeof needleRepo>;
  let cache: string;
  const ask = (extra: string[] = [], options: Parameters<typeof xl3m>[2] = {}) =>
    xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--json', ...extra], cache, options);

  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    repo = needleRepo({ maxFiles: 200, depth: 0.5 });
    // files written a while ago, as in a real checkout: a file written in the same instant as it is read is read again
    age(repo.root);
    cache = mkdtempSync(join(tmpdir(), 'xl3m-server-cache-'));
  });
  after(async () => {
    await xl3m(['server', 'stop'], cache);
    rmSync(cache, { recursive: true, force: true });
    repo.dispose();
  });

  test('the first question starts it; the next is answered from its memory, as a run in the caller answers it', async () => {
    const alone = await ask(['--no-server', '--no-cache']);
    assert.equal(alone.code, 0, alone.stderr);
    assert.deepEqual(readdirSync(cache), [], '--no-server --no-cache leaves nothing, and starts nothing');

    const first = await ask();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(jsonOf(first).stats.index, 'new');
    assert.deepEqual(rankingOf(first), rankingOf(alone));
    const status = await xl3m(['server', 'status'], cache);
    assert.match(
      status.stdout,
      // the folders its file watcher watches (Linux, a local disk), or why it has none
      new RegExp(
        `: 1 server running\\n  ${realpathSync(repo.root)}: pid \\d+, \\d+ MB, 1 question, (\\d+ folders? watched|not watched \\(.+\\)), idle 0 min \\(stops at 15\\)\\n$`,
      ),
    );

    const second = await ask();
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(jsonOf(second).stats, { ...jsonOf(second).stats, index: 'memory', filesRead: 0, filesReused: repo.files });
    assert.deepEqual(rankingOf(second), rankingOf(alone));
    // the text output and the progress lines too, as the caller writes them
    const plainAlone = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--no-server', '--no-cache'], cache);
    const plainServed = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root], cache);
    assert.equal(plainServed.code, 0, plainServed.stderr);
    assert.equal(textOf(plainServed), textOf(plainAlone));
    assert.match(plainServed.stderr, /^ranked \d+ files$/m);
    assert.equal(pidOf(await xl3m(['server', 'status'], cache)), pidOf(status), 'the same server answered them all');
  });

  test("a question its server answers loads only the command's entry, not the rest of the CLI", async () => {
    assert.equal((await ask()).code, 0, 'its server is running');
    const loaded = join(cache, 'loaded.txt');
    const served = await cliProcess(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--json'], {
      env: { XL3M_CACHE_DIR: cache, XL3M_TEST_LOADED: loaded, NODE_OPTIONS: `--import ${join(__dirname, '../support/loadedModules.mjs')}` },
    });
    assert.equal(served.code, 0, served.stderr);
    assert.equal(jsonOf(served).stats.index, 'memory', 'the server answered');
    const modules = readFileSync(loaded, 'utf8').split('\n');
    rmSync(loaded);
    assert.ok(modules.includes(CLI), modules.join(', '));
    assert.ok(!modules.some((m) => m.endsWith('cliMain.js')), `loaded: ${modules.join(', ')}`);
    // and a question it does not answer loads it
    const alone = await cliProcess(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--json', '--no-server'], {
      env: { XL3M_CACHE_DIR: cache, XL3M_TEST_LOADED: loaded, NODE_OPTIONS: `--import ${join(__dirname, '../support/loadedModules.mjs')}` },
    });
    assert.equal(alone.code, 0, alone.stderr);
    assert.ok(
      readFileSync(loaded, 'utf8')
        .split('\n')
        .some((m) => m.endsWith('cliMain.js')),
    );
    rmSync(loaded);
  });

  test('an edit, an added file and a deleted file are seen by the next question', async () => {
    const before = await ask();
    const best = jsonOf(before).files[0]!.path;
    appendFileSync(join(repo.root, best), '\n');
    writeFileSync(join(repo.root, 'added-note.md'), `${NEEDLE_QUESTION} An added note that answers nothing.\n`);
    const victim = jsonOf(before).files.at(-1)!.path;
    unlinkSync(join(repo.root, victim));
    const next = await ask();
    const stats = jsonOf(next).stats;
    assert.equal(stats.index, 'memory');
    assert.equal(stats.filesRead, 2, 'the edited file and the added one');
    const paths = jsonOf(next).files.map((f) => f.path);
    assert.ok(paths.includes('added-note.md') && !paths.includes(victim));
    assert.deepEqual(rankingOf(next), rankingOf(await ask(['--no-server', '--no-cache'])));
  });

  test('Ctrl-C cancels the question in the server as in the caller, and the server answers the next one', async () => {
    const slow = await startScoringServer({ delayMs: 1000 });
    try {
      const model = ['--base-url', slow.url, '--model', 'test-model'];
      let interrupted = false;
      const cancelled = await ask(model, {
        onStderr: (text, child) => {
          // the segments are made: the run now waits on the slow model
          if (!interrupted && /^segmented: /m.test(text)) {
            interrupted = true;
            child.kill('SIGINT');
          }
        },
      });
      assert.ok(interrupted, cancelled.stderr);
      assert.equal(cancelled.code, 130, cancelled.stderr);
      // as a run in the caller says it: cancelled before a segment came back, or a partial result
      assert.match(cancelled.stderr, /xl3m: (cancelled while scoring|partial result: cancelled after scoring \d+ of \d+ segments)\n/);
      slow.options.delayMs = 0;
      const next = await ask(model);
      assert.equal(next.code, 0, next.stderr);
      assert.equal(jsonOf(next).stats.index, 'memory');
      assert.ok(jsonOf(next).files.length > 0);
    } finally {
      await slow.close();
    }
  });

  test('once questions pause, it ranks the last question again, lexically: nothing is sent to the model, and the next question is answered as before', async () => {
    const scoring = await startScoringServer();
    try {
      const model = ['--base-url', scoring.url, '--model', 'test-model'];
      const log = logOf(socketOf(cache, realpathSync(repo.root))!);
      const rehearsals = () => (readFileSync(log, 'utf8').match(/rehearsed the last question [2-9] times/g) ?? []).length;
      const asked = await ask(model);
      assert.equal(asked.code, 0, asked.stderr);
      const requests = scoring.requests.length;
      assert.ok(requests > 0, 'the question was scored by the model');
      // (the index is written 3 s after a question, then the rehearsal runs; an earlier one was stopped by this question, or said so before it was answered)
      const before = rehearsals();
      for (const deadline = Date.now() + 60_000; rehearsals() === before; await sleep(100)) assert.ok(Date.now() < deadline, 'rehearsed within a minute');
      assert.equal(scoring.requests.length, requests, 'the rehearsal sent nothing to the model');
      const next = await ask();
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(rankingOf(next), rankingOf(await ask(['--no-server', '--no-cache'])));
    } finally {
      await scoring.close();
    }
  });

  test('a server killed (SIGKILL) is replaced by the next question, which answers right', async () => {
    const pid = pidOf(await xl3m(['server', 'status'], cache));
    process.kill(pid, 'SIGKILL');
    await untilGone(pid);
    const next = await ask();
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(rankingOf(next), rankingOf(await ask(['--no-server', '--no-cache'])));
    const replaced = pidOf(await xl3m(['server', 'status'], cache));
    assert.ok(replaced && replaced !== pid);
  });

  test('a caller of another build replaces the server; two questions at once are both answered right', async () => {
    const old = pidOf(await xl3m(['server', 'status'], cache));
    // another build: the same files, the bundle one byte longer
    const other = mkdtempSync(join(tmpdir(), 'xl3m-other-build-'));
    try {
      cpSync(join(__dirname, '../../dist'), other, { recursive: true });
      appendFileSync(join(other, 'cli.js'), '\n');
      const [a, b] = await Promise.all([ask([], { cli: join(other, 'cli.js') }), ask([], { cli: join(other, 'cli.js') })]);
      for (const run of [a, b]) {
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(rankingOf(run), rankingOf(await ask(['--no-server', '--no-cache'])));
      }
      await untilGone(old);
      const status = await xl3m(['server', 'status'], cache, { cli: join(other, 'cli.js') });
      assert.match(status.stdout, /: 1 server running\n/);
      // and back: this build's caller replaces that one
      const back = await ask();
      assert.equal(back.code, 0, back.stderr);
      await untilGone(pidOf(status));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('a server that cannot start leaves the question to the caller, with a note', async () => {
    const stopped = await xl3m(['server', 'stop'], cache);
    assert.match(stopped.stdout, /^stopped 1 server\n$/);
    // its log's name taken by a folder: the server cannot be started
    const log = indexFileOf(cache, [realpathSync(repo.root)]).replace(/\.index$/, '.server.log');
    rmSync(log, { force: true });
    mkdirSync(log);
    try {
      const run = await ask();
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /xl3m: the repository's server did not start .*; asked in this process/);
      assert.equal(jsonOf(run).stats.index, 'disk');
      assert.match((await xl3m(['server', 'status'], cache)).stdout, /: 0 servers running\n$/);
    } finally {
      rmSync(log, { recursive: true, force: true });
    }
  });

  test(
    "a socket of another user where the repository's server would listen is never asked",
    { skip: process.getuid?.() !== 0 ? 'planting a socket of another user takes root' : false },
    async () => {
      await xl3m(['server', 'stop'], cache);
      const socketPath = indexFileOf(cache, [realpathSync(repo.root)]).replace(/\.index$/, '.sock');
      const heard: string[] = [];
      const impostor = createServer((s) => s.on('data', (d) => heard.push(String(d))));
      await new Promise<void>((resolve) => impostor.listen(socketPath, resolve));
      chownSync(socketPath, 12345, 12345);
      try {
        const run = await ask(['--api-key', 'sk-never-told']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /is not a socket of yours: asked in this process, without the repository's server\n/);
        assert.deepEqual(heard, []);
      } finally {
        impostor.close();
        rmSync(socketPath, { force: true });
      }
    },
  );

  test('xl3m cache clear stops the server before removing its index; a removed socket stops it too', async () => {
    assert.equal((await ask()).code, 0);
    const pid = pidOf(await xl3m(['server', 'status'], cache));
    const clear = await xl3m(['cache', 'clear'], cache);
    assert.match(clear.stdout, /^removed 1 index/);
    assert.ok(!isAlive(pid), 'stopped before the index was removed');
    assert.deepEqual(readdirSync(cache), [], 'the index, the socket and the log gone');

    assert.equal((await ask()).code, 0);
    const next = pidOf(await xl3m(['server', 'status'], cache));
    for (const name of readdirSync(cache)) if (name.endsWith('.sock')) rmSync(join(cache, name));
    await untilGone(next);
  });

  test('a server stops by itself after --server-idle-minutes without a question, and removes its socket', async () => {
    const { run, pid, stoppedAfterMs, left } = await idleServer;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(pid > 0);
    assert.ok(stoppedAfterMs >= 60_000 && stoppedAfterMs < 120_000, `${stoppedAfterMs} ms`);
    assert.deepEqual(left, []);
  });
});
