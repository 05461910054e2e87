// `xl3m mcp` as an agent meets it, on real repositories: the MCP SDK's client starts the built CLI
// over stdio on each item's checkout, lists the tools, calls find_relevant_files with the issue
// text, and scores the returned files against the fix's files; the CLI's own ranking (--json) on
// the same checkout is compared file for file.
// npm run build && tsx bench/mcpQuality.ts --dataset F --mirrors DIR [--every N] [--offset K]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { average, checkout, formatMetrics, metrics, readItems, type Metrics } from './evalSet';
import { askInProcess } from './cliFlags';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, mirrors: { type: 'string' }, every: { type: 'string' }, offset: { type: 'string' } } });
const every = Number(values.every ?? 1);
const offset = Number(values.offset ?? 0);
const items = readItems(values.dataset!).filter((_, i) => i % every === offset);
const CLI = join(__dirname, '../dist/cli.js');

(async () => {
  const rows: Metrics[] = [];
  let same = 0;
  for (const item of items) {
    const co = checkout(item, { mirrors: values.mirrors!, baseDir: '.' });
    try {
      const client = new Client({ name: 'xl3m-bench', version: '1' });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--repo', co.dir], stderr: 'ignore' }));
      const started = performance.now();
      try {
        const tools = (await client.listTools()).tools.map((t) => t.name);
        const reply = await client.callTool(
          { name: 'find_relevant_files', arguments: { question: item.question, maxFiles: 10, tokenBudget: 2000 } },
          undefined,
          { timeout: 600_000 },
        );
        const files = (reply.structuredContent as { files: { path: string }[] }).files.map((f) => f.path);
        const seconds = (performance.now() - started) / 1000;
        const m = metrics(files, item.gold_files);
        rows.push(m);
        const cli = JSON.parse(
          execFileSync(process.execPath, [CLI, 'ask', item.question, '--repo', co.dir, '--json', ...askInProcess(CLI)], {
            maxBuffer: 1 << 28,
            stdio: ['ignore', 'pipe', 'ignore'],
          }).toString(),
        )
          .files.slice(0, 10)
          .map((f: { path: string }) => f.path);
        const identical = JSON.stringify(cli) === JSON.stringify(files);
        if (identical) same++;
        console.error(
          `${item.instance_id}: tools ${tools.join(', ')}; first answer file at ${files.findIndex((p) => item.gold_files.includes(p)) + 1 || '-'} of 10; ${seconds.toFixed(1)} s; same top 10 as the CLI: ${identical}`,
        );
      } finally {
        await client.close();
      }
    } finally {
      co.cleanup();
    }
  }
  console.log(
    `MCP find_relevant_files, ${rows.length} items: ${formatMetrics(average(rows))}; top 10 identical to \`xl3m ask --json\` on ${same} of ${rows.length}`,
  );
})();
