// The README's MCP configuration lines, run as written from a folder outside the clone: the linked
// `xl3m` command (made by `npm link` into a temporary prefix, as a user's `npm link` makes it in
// npm's global one) and the absolute `node .../dist/cli.js` form, each through the SDK's client.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';

const CLONE = join(__dirname, '../..');
const README = readFileSync(join(CLONE, 'README.md'), 'utf8');

interface ServerLine {
  command: string;
  args: string[];
}

/** Every `mcpServers` JSON block of the README, and the command after `--` of its `claude mcp add` line. */
function readmeLines(): { json: ServerLine[]; claude: ServerLine } {
  const json = [...README.matchAll(/```json\n(.*mcpServers.*)\n```/g)].map((m) => (JSON.parse(m[1]!) as { mcpServers: { xl3m: ServerLine } }).mcpServers.xl3m);
  const claude = /^claude mcp add xl3m -- (.+?)\s+#/m.exec(README)?.[1]?.split(/\s+/);
  assert.ok(claude, 'the README has a `claude mcp add` line');
  return { json, claude: { command: claude[0]!, args: claude.slice(1) } };
}

describe("the README's MCP configuration lines", () => {
  let prefix: string;
  let elsewhere: string;
  let repo: ReturnType<typeof needleRepo>;
  before(() => {
    prefix = mkdtempSync(join(tmpdir(), 'xl3m-prefix-'));
    elsewhere = mkdtempSync(join(tmpdir(), 'xl3m-elsewhere-'));
    repo = needleRepo({ maxFiles: 40, depth: 0.5 });
    // what the README's `npm link` does, into a prefix of the test's own (offline: it only links)
    execFileSync('npm', ['link', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: CLONE,
      env: { ...process.env, npm_config_prefix: prefix },
      stdio: 'pipe',
    });
  });
  after(() => {
    repo.dispose();
    rmSync(prefix, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  /** Starts the line's server from a folder outside the clone, with the link's bin folder on PATH, and asks it once. */
  async function ask(line: ServerLine) {
    const resolve = (arg: string) => arg.replace('/path/to/repo', repo.root).replace('/path/to/xl3m', CLONE);
    const env = { ...(process.env as Record<string, string>), PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH}` };
    const transport = new StdioClientTransport({
      command: line.command === 'node' ? process.execPath : line.command,
      args: line.args.map(resolve),
      cwd: elsewhere,
      env,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'readme-lines', version: '1.0.0' });
    await client.connect(transport);
    try {
      const reply = await client.callTool({ name: 'find_relevant_files', arguments: { question: NEEDLE_QUESTION, maxFiles: 3 } });
      assert.ok(!reply.isError, JSON.stringify(reply.content));
      return (reply.structuredContent as { files: { path: string }[] }).files[0]!.path;
    } finally {
      await client.close();
    }
  }

  test('no line runs npx (outside the clone it would fetch whatever the registry holds under that name)', () => {
    const { json, claude } = readmeLines();
    assert.equal(json.length, 2);
    for (const line of [...json, claude]) assert.notEqual(line.command, 'npx');
    assert.ok(!/npx xl3m (ask|mcp)/.test(README), 'the README shows no npx command to run');
  });

  test('the linked `xl3m` lines (Claude Code, mcpServers JSON) serve from another folder', async () => {
    const { json, claude } = readmeLines();
    for (const line of [claude, json[0]!]) {
      assert.equal(line.command, 'xl3m');
      assert.equal(await ask(line), repo.needlePath);
    }
  });

  test('the absolute `node .../dist/cli.js` line serves from another folder', async () => {
    const line = readmeLines().json[1]!;
    assert.deepEqual(line.args.slice(0, 2), ['/path/to/xl3m/dist/cli.js', 'mcp']);
    assert.equal(await ask(line), repo.needlePath);
  });
});
