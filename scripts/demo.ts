// `npm run demo [-- "<question>"] [-- --stand-in] [-- --model-file <path.gguf>]`: asks a question about
// this repository with the xl3m CLI. With XL3M_BASE_URL and XL3M_MODEL set, against that server; with
// a GGUF file (`--model-file` or XL3M_MODEL_FILE), on that model in process (llama.cpp, CPU). With
// none of them, no model is configured: every file is ranked lexically and no answer is made up.
// `--stand-in` runs the full pipeline against the bundled test server instead, whose "model" is a
// small cache n-gram model.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startScoringServer } from '../test/support/scoringServer';

async function main() {
  const standIn = process.argv.includes('--stand-in');
  const argv = process.argv.slice(2);
  const flagAt = argv.indexOf('--model-file');
  const modelFile = flagAt >= 0 ? argv.splice(flagAt, 2)[1] : process.env.XL3M_MODEL_FILE;
  const question = argv.find((a) => !a.startsWith('--')) ?? 'How are segments cut at declaration boundaries?';
  const repo = join(__dirname, '..');
  let server: string[] = [];
  let close = async () => {};
  if (modelFile) {
    server = ['--model-file', modelFile];
  } else if (process.env.XL3M_BASE_URL && process.env.XL3M_MODEL) {
    server = ['--base-url', process.env.XL3M_BASE_URL, '--model', process.env.XL3M_MODEL];
  } else if (standIn) {
    // the model's name says what it is, and the CLI prints it beside the answer on stdout
    const model = 'stand-in-ngram-model-not-an-LLM';
    const s = await startScoringServer({ model });
    server = ['--base-url', s.url, '--model', model];
    close = s.close;
    process.stderr.write(`Using the stand-in scoring server at ${s.url} (a cache n-gram model, not an LLM).\n`);
  }
  const args = [
    join(repo, 'dist/cli.js'),
    'ask',
    question,
    '--repo',
    repo,
    ...server,
    '--exclude',
    'test/',
    '--exclude',
    'media/',
    '--exclude',
    'scripts/demo.ts',
  ];
  process.stderr.write(
    `$ xl3m ${args
      .slice(1)
      .map((a) => (/\s/.test(a) ? JSON.stringify(a) : a))
      .join(' ')}\n`,
  );
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  await close();
  process.exitCode = code;
}

main();
