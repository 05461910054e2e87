// `npm run demo`: asks a question about this repository with the xl3m CLI.
// With XL3M_BASE_URL and XL3M_MODEL set, against that server; otherwise against the bundled
// stand-in server on 127.0.0.1, whose "model" is a small cache n-gram model (no LLM, no network).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startScoringServer } from '../test/support/scoringServer';

async function main() {
  const question = process.argv[2] ?? 'How are segments cut at declaration boundaries?';
  const repo = join(__dirname, '..');
  let baseUrl = process.env.XL3M_BASE_URL;
  let model = process.env.XL3M_MODEL;
  let close = async () => {};
  if (!baseUrl || !model) {
    const server = await startScoringServer();
    baseUrl = server.url;
    model = 'test-model';
    close = server.close;
    process.stderr.write(`No XL3M_BASE_URL/XL3M_MODEL: using the stand-in scoring server at ${baseUrl} (a cache n-gram model, not an LLM).\n`);
  }
  const args = [join(repo, 'dist/cli.js'), 'ask', question, '--repo', repo, '--base-url', baseUrl, '--model', model, '--exclude', 'test/', '--exclude', 'media/', '--exclude', 'scripts/demo.ts'];
  process.stderr.write(`$ xl3m ${args.slice(1).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  await close();
  process.exitCode = code;
}

main();
