// `xl3m mcp` driven by the MCP SDK's own client over stdio, the built CLI as a child process.
import { age } from '../support/warmFiles';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { listCache } from '../../extension/core/store/cacheContents';
import { readSettings } from '../../extension/vscode/config';
import { mcpSettingsLaunch } from '../../extension/vscode/mcpLaunch';
import { linkedRepo, OUTSIDE_SECRET } from '../support/linkedRepo';
import { NEEDLE_ANSWER, NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';
import { tempRepo } from '../support/tempRepo';

const CLI = join(__dirname, '../../dist/cli.js');

/**
 * How long a call may take before the test gives up: a limit, not a wait (a reply ends it at once).
 * The SDK's own 60 s made a busy machine's slow reply a failure (the unit suite in a loop at nice 19
 * beside two benchmarks: a call took over a minute, and was right).
 */
const REPLY_LIMIT_MS = 15 * 60_000;

async function connect(args: string[]) {
  // the SDK passes a child only a few variables (PATH, HOME...) unless told: XL3M_CACHE_DIR (the run's own cache folder) must reach it
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', ...args],
    stderr: 'pipe',
    env: { ...(process.env as Record<string, string>) },
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'xl3m-test', version: '1.0.0' });
  await client.connect(transport, { timeout: REPLY_LIMIT_MS });
  const callTool = client.callTool.bind(client);
  client.callTool = (params, schema, options) => callTool(params, schema, { timeout: REPLY_LIMIT_MS, ...options });
  return { client, stderr: () => stderr };
}

type Text = { type: string; text: string }[];

/** The MCP handshake, written by hand (for the tests that speak to the server without the SDK's client). */
function initialize(send: (message: unknown) => void) {
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

describe('xl3m mcp', () => {
  let repo: ReturnType<typeof needleRepo>;
  let server: ScoringServer;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    repo = needleRepo({ maxFiles: 80, depth: 0.5 });
    age(repo.root); // as a checkout not just written: a file modified within two seconds of its reading is read again (fileCache.ts)
    server = await startScoringServer();
  });
  after(async () => {
    repo.dispose();
    await server.close();
  });

  test('no model: lists find_relevant_files only, and ranks the file that answers first, with an excerpt', async () => {
    const { client, stderr } = await connect(['--repo', repo.root]);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.deepEqual(tools, ['find_relevant_files'], 'no ask_codebase without a model that answers');
      const reply = await client.callTool({ name: 'find_relevant_files', arguments: { question: NEEDLE_QUESTION, maxFiles: 5, tokenBudget: 800 } });
      assert.ok(!reply.isError, JSON.stringify(reply.content));
      const report = reply.structuredContent as { files: { path: string; excerpt?: { text: string } }[]; excerptTokens: number; tokenBudget: number };
      assert.equal(report.files[0]!.path, repo.needlePath);
      assert.equal(report.files.length, 5);
      assert.ok(report.files[0]!.excerpt?.text.includes(NEEDLE_ANSWER), 'the excerpt holds the answer');
      assert.ok(report.excerptTokens <= 800 && report.tokenBudget === 800);
      const text = (reply.content as Text)[0]!.text;
      assert.match(text, new RegExp(`^1\\. ${repo.needlePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(100%`, 'm'));
      assert.match(stderr(), /serving .*: find_relevant_files/, 'logs go to stderr');
      // the server keeps what it read: a second call reads no file again, and says so
      const again = await client.callTool({ name: 'find_relevant_files', arguments: { question: NEEDLE_QUESTION, maxFiles: 5 } });
      const index = (again.structuredContent as { index: { source: string; filesRead: number; filesReused: number; watched: boolean; updateSeconds: number } })
        .index;
      assert.equal(index.source, 'memory');
      assert.equal(index.filesRead, 0);
      assert.ok(index.filesReused >= 80 && index.updateSeconds >= 0, JSON.stringify(index));
      // watched where it can be (Linux, a local disk), and the log says which
      assert.match(stderr(), index.watched ? /watching the roots/ : /every call checks every file: /);
      const told = index.watched ? ' as the file watcher tells' : '';
      assert.match((again.content as Text)[0]!.text, new RegExp(`^Index: 0 read, [\\d,]+ unchanged since the last question${told}, in \\d+\\.\\d s\\.$`, 'm'));
    } finally {
      await client.close();
    }
    // its index went where XL3M_CACHE_DIR says (the test run's folder), not to the user's cache
    const folder = process.env.XL3M_CACHE_DIR!;
    for (let polls = 0; !(await listCache(folder)).some((c) => c.header?.roots.includes(repo.root)); polls++) {
      assert.ok(polls < 600, `no index for ${repo.root} in ${folder}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test('a folder outside the roots, an empty question: refused with a clear message; a 10,000-token question is a question', async () => {
    const { client } = await connect(['--repo', repo.root]);
    try {
      const outside = await client.callTool({ name: 'find_relevant_files', arguments: { question: 'where?', folder: '/etc' } });
      assert.equal(outside.isError, true);
      assert.match((outside.content as Text)[0]!.text, /\/etc is outside the folders this server may read/);
      const escape = await client.callTool({ name: 'find_relevant_files', arguments: { question: 'where?', folder: '../..' } });
      assert.equal(escape.isError, true);
      const empty = await client.callTool({ name: 'find_relevant_files', arguments: { question: '   ' } });
      assert.equal(empty.isError, true);
      assert.match(JSON.stringify(empty.content), /the question is empty/);
      const long = `${'ERROR worker 17 retry 3 of 5 at 12:00:01 connection pool exhausted\n'.repeat(700)}${NEEDLE_QUESTION}`;
      const reply = await client.callTool({ name: 'find_relevant_files', arguments: { question: long, maxFiles: 3 } });
      assert.ok(!reply.isError, JSON.stringify(reply.content).slice(0, 300));
      assert.equal((reply.structuredContent as { files: { path: string }[] }).files[0]!.path, repo.needlePath);
    } finally {
      await client.close();
    }
  });

  test('with a server: ask_codebase answers from the key context, citing the files it read', async () => {
    const { client } = await connect(['--repo', repo.root, '--base-url', server.url, '--model', 'test-model']);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ['ask_codebase', 'find_relevant_files']);
      const reply = await client.callTool({ name: 'ask_codebase', arguments: { question: NEEDLE_QUESTION } });
      assert.ok(!reply.isError, JSON.stringify(reply.content));
      const text = (reply.content as Text)[0]!.text;
      assert.ok(text.includes(NEEDLE_ANSWER), text);
      assert.ok(text.includes(`- ${repo.needlePath} lines`), text);
    } finally {
      await client.close();
    }
  });

  test('a symbolic link out of the repository is neither ranked, quoted, sent nor answered from', async () => {
    const linked = linkedRepo();
    const { client } = await connect(['--repo', linked.root, '--base-url', server.url, '--model', 'test-model']);
    try {
      const sentBefore = server.requests.length;
      const found = await client.callTool({ name: 'find_relevant_files', arguments: { question: 'Where is the database password read?', maxFiles: 10 } });
      const asked = await client.callTool({ name: 'ask_codebase', arguments: { question: 'What is the database password?' } });
      assert.ok(!found.isError && !asked.isError, JSON.stringify([found.content, asked.content]));
      const files = (found.structuredContent as { files: { path: string }[] }).files.map((f) => f.path);
      assert.ok(!files.includes('src/notes.md') && !files.includes('src/users.txt') && !files.includes('docs/alias.md'), files.join(', '));
      assert.ok(!JSON.stringify([found, asked]).includes(OUTSIDE_SECRET), 'nothing from outside reaches the client');
      assert.ok(server.requests.length > sentBefore, 'the server was asked');
      assert.ok(!JSON.stringify(server.requests.slice(sentBefore).map((r) => r.body)).includes(OUTSIDE_SECRET), 'nothing from outside is sent');
    } finally {
      await client.close();
      linked.dispose();
    }
  });

  test('the server VS Code starts takes every setting: a folder the user excluded is never quoted to an agent', async () => {
    const repo = tempRepo({
      'src/db.ts': 'export function connect(password: string) {\n  return password;\n}\n',
      'private/notes.md': 'The database password is in the vault: private-excluded-7c1e.\n',
    });
    try {
      const { settings } = readSettings({ value: (k) => ({ excludes: ['private/'], maxFileBytes: 4096 })[k], userValue: () => undefined });
      const launch = mcpSettingsLaunch(settings, undefined);
      const { client } = await connect(['--repo', repo.root, ...launch.args]);
      try {
        const reply = await client.callTool({ name: 'find_relevant_files', arguments: { question: 'Where is the database password?', maxFiles: 10 } });
        assert.ok(!reply.isError, JSON.stringify(reply.content));
        assert.deepEqual(
          (reply.structuredContent as { files: { path: string }[] }).files.map((f) => f.path),
          ['src/db.ts'],
        );
        assert.ok(!JSON.stringify(reply).includes('private-excluded-7c1e'));
      } finally {
        await client.close();
      }
    } finally {
      repo.dispose();
    }
  });

  test('five calls at once are all answered, one after another; a waiting call is told so; progress grows, scoring counted against its total', async () => {
    const { client, stderr } = await connect(['--repo', repo.root, '--base-url', server.url, '--model', 'test-model', '--concurrency', '2']);
    const probes = () => server.requests.filter((r) => JSON.stringify(r.body).includes('The quick brown fox')).length;
    const probesBefore = probes();
    try {
      const progress: { progress: number; total?: number; message?: string }[][] = [[], [], [], [], []];
      const replies = await Promise.all(
        progress.map((seen) =>
          client.callTool({ name: 'find_relevant_files', arguments: { question: NEEDLE_QUESTION, maxFiles: 3 } }, undefined, {
            onprogress: (p) => void seen.push(p),
          }),
        ),
      );
      for (const reply of replies) {
        assert.ok(!reply.isError, JSON.stringify(reply.content));
        assert.equal((reply.structuredContent as { files: { path: string }[] }).files[0]!.path, repo.needlePath);
      }
      assert.match(stderr(), /waiting for (the run|\d runs) ahead/);
      assert.ok(
        progress.some((seen) => seen.some((p) => /^waiting for/.test(p.message ?? ''))),
        'a waiting call is told so',
      );
      for (const seen of progress) {
        const values = seen.map((p) => p.progress);
        assert.deepEqual(
          values,
          [...values].sort((a, b) => a - b),
          'progress only grows',
        );
        assert.equal(new Set(values).size, values.length, 'and grows with every notification');
      }
      assert.ok(
        progress.flat().some((p) => /^scoring/.test(p.message ?? '') && p.total !== undefined && p.progress > 0),
        'scoring counted against a total',
      );
      // the server is probed once for the life of the process, not once a call
      const again = await client.callTool({ name: 'find_relevant_files', arguments: { question: NEEDLE_QUESTION, maxFiles: 1 } });
      assert.ok(!again.isError);
      const probing = probes() - probesBefore;
      assert.ok(probing > 0 && probing <= 4, `${probing} probe requests for six calls`);
    } finally {
      await client.close();
    }
  });

  test('a request over 8 MiB is answered with an error naming its size, and the connection goes on', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp', '--repo', repo.root], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const replyTo = async (id: number) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const line = stdout.split('\n').find((l) => l.includes(`"id":${id},`) || l.includes(`"id":${id}}`));
        if (line) return JSON.parse(line) as { error?: { message: string }; result?: { content: { text: string }[] } };
        assert.ok(Date.now() < deadline, `no reply to ${id}: ${stdout.slice(0, 300)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const send = (m: unknown) => child.stdin.write(JSON.stringify(m) + '\n');
      initialize(send);
      await replyTo(1);
      send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'find_relevant_files', arguments: { question: 'x'.repeat(10 * 1024 * 1024) } } });
      send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'find_relevant_files', arguments: { question: NEEDLE_QUESTION, maxFiles: 1 } } });
      const tooBig = await replyTo(2);
      assert.match(tooBig.error?.message ?? '', /^xl3m: the request is 10\.0 MiB, more than the 8 MiB a request may be/);
      const next = await replyTo(3);
      assert.ok(next.result?.content[0]!.text.includes(repo.needlePath), JSON.stringify(next).slice(0, 300));
    } finally {
      child.stdin.end();
      await exited;
    }
  });

  test('a client that disconnects mid-run leaves no process behind, and no request goes out afterwards', async () => {
    const slow = await startScoringServer({ delayMs: 400 });
    try {
      const child = spawn(
        process.execPath,
        [CLI, 'mcp', '--repo', repo.root, '--base-url', slow.url, '--model', 'test-model', '--concurrency', '1', '--prompts-per-request', '1'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const send = (m: unknown) => child.stdin.write(JSON.stringify(m) + '\n');
      initialize(send);
      send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'find_relevant_files', arguments: { question: NEEDLE_QUESTION } } });
      // mid-run: scoring requests are arriving
      const deadline = Date.now() + 30_000;
      while (slow.promptCount() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(slow.promptCount() > 0, `the run reached the server: ${stderr}`);
      const atClose = slow.promptCount();
      child.stdin.end();
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
      if (code === 'hung') child.kill('SIGKILL');
      assert.equal(code, 0, `the server exits when its client is gone: ${stderr}`);
      // one prompt at a time, 400 ms each: a run that went on after the client left would send more
      assert.ok(slow.promptCount() <= atClose + 1, `the run stopped when the client went: ${slow.promptCount()} prompts, ${atClose} when stdin ended`);
      assert.match(stderr, /client gone; stopped/);
    } finally {
      await slow.close();
    }
  });
});
