import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LINK_REASONS, linkedRepo, OUTSIDE_SECRET } from '../support/linkedRepo';
import { NEEDLE_ANSWER, NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';
import { tempRepo } from '../support/tempRepo';
import { CLI, cliProcess } from '../support/cliProcess';
import { writeTinyGguf } from '../support/tinyGguf';

/** The CLI in a new process; `ask` in that process (--no-server): the repository's server has its own tests (indexServer.test.ts). */
const xl3m = (args: string[], env: NodeJS.ProcessEnv = {}, input = '') => cliProcess([...args, ...(args[0] === 'ask' ? ['--no-server'] : [])], { env, input });

describe('xl3m CLI', () => {
  let server: ScoringServer;
  let repo: ReturnType<typeof needleRepo>;
  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    server = await startScoringServer();
    repo = needleRepo({ maxFiles: 300, depth: 0.6 });
  });
  after(async () => {
    repo.dispose();
    await server.close();
  });

  test('--json prints one object in the documented shape, most relevant file first', async () => {
    const { code, stdout, stderr } = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--base-url', server.url, '--model', 'test-model', '--json']);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout);
    assert.deepEqual(Object.keys(out).sort(), ['answer', 'files', 'skipped', 'stats']);
    assert.equal(out.files.length, repo.files, 'every gathered file is ranked');
    assert.equal(out.files[0].path, repo.needlePath);
    for (const f of out.files) {
      assert.equal(typeof f.score, 'number');
      assert.ok(!f.path.includes('\\') && !f.path.startsWith('/'));
      assert.ok(f.ranges.every((r: { start: number; end: number }) => Number.isInteger(r.start) && r.end >= r.start));
    }
    const scores = out.files.map((f: { score: number }) => f.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
    assert.ok(out.answer.includes(NEEDLE_ANSWER));
    assert.deepEqual(out.skipped, [], 'the needle repository has nothing to skip');
    assert.equal(out.stats.files, repo.files);
  });

  test('piped stderr (not a terminal): one line per stage, each true when written', async () => {
    // --no-cache: the gathering line says what an index on disk saved, which depends on how long ago the files were written (the racy rule)
    const { code, stdout, stderr } = await xl3m([
      'ask',
      NEEDLE_QUESTION,
      '--repo',
      repo.root,
      '--base-url',
      server.url,
      '--model',
      'test-model',
      '--json',
      '--no-cache',
    ]);
    assert.equal(code, 0, stderr);
    const stats = JSON.parse(stdout).stats;
    assert.ok(!stderr.includes('\r') && !stderr.includes('\x1b'), 'no redraws');
    const gathering = stderr.split('\n').filter((l) => l.startsWith('gathering:'));
    assert.deepEqual(gathering, [`gathering: ${stats.files} files, ${stats.skippedFiles} skipped`]);
    const scoring = stderr.split('\n').filter((l) => l.startsWith('scoring ['));
    assert.equal(scoring.length, 1, stderr);
    assert.match(scoring[0]!, new RegExp(`\\] ${stats.segments}/${stats.segments} segments`));
  });

  test('without --json: the ranked list, then the answer; progress goes to stderr', async () => {
    const { code, stdout, stderr } = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--base-url', server.url, '--model', 'test-model']);
    assert.equal(code, 0, stderr);
    const first = stdout.split('\n').find((l) => /^\s+1\. /.test(l)) ?? '';
    assert.ok(first.endsWith(` ${repo.needlePath}  lines ${first.split('  lines ')[1]}`) && first.includes('100%') && first.includes('*'), first);
    const list = stdout.indexOf(first);
    const answer = stdout.indexOf(NEEDLE_ANSWER, list);
    assert.ok(list >= 0 && answer > list, stdout);
    assert.match(stderr, /scoring \[/);
    assert.ok(!stdout.includes('scoring ['));
  });

  test('a 300-file repository: every gathered file is listed, with its kind and relevance; no two of the top 20 share a score; the text output lists the top N', async () => {
    const { code, stdout, stderr } = await xl3m([
      'ask',
      NEEDLE_QUESTION,
      '--repo',
      repo.root,
      '--base-url',
      server.url,
      '--model',
      'test-model',
      '--json',
      '--no-answer',
    ]);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout);
    assert.equal(repo.files, 300);
    assert.equal(out.files.length, repo.files);
    assert.deepEqual(new Set(out.files.map((f: { path: string }) => f.path)).size, repo.files);
    const top = out.files.slice(0, 20).map((f: { score: number }) => f.score);
    assert.equal(new Set(top).size, 20, `scores of the top 20: ${top}`);
    assert.equal(out.files[0].relevance, 1);
    assert.ok(
      out.files.every(
        (f: { kind: string; relevance: number; inKeyContext: boolean }) =>
          ['source', 'test', 'docs', 'config', 'generated', 'other'].includes(f.kind) &&
          f.relevance >= 0 &&
          f.relevance <= 1 &&
          typeof f.inKeyContext === 'boolean',
      ),
    );
    assert.ok(
      out.files.every((f: { inKeyContext: boolean }) => !f.inKeyContext),
      'no answer asked for: no file is marked as read for the answer',
    );
    assert.ok(out.stats.finePassTokens < out.stats.scoredTokens / 2, `fine pass ${out.stats.finePassTokens} tokens, coarse ${out.stats.scoredTokens}`);
    const text = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--top', '7', '--no-answer']);
    assert.equal(text.stdout.split('\n').filter((l) => /^\s+\d+\. /.test(l)).length, 7);
    assert.match(text.stdout, new RegExp(`… ${repo.files - 7} more`));
  });

  test('a 5,000-token pasted log with the question inside ranks and answers, with no model and against a vLLM-format server', async () => {
    const noise = Array.from(
      { length: 160 },
      (_, i) => `2026-11-29T08:${String(i % 60).padStart(2, '0')}:00Z INFO worker[${i}] heartbeat ok queue=${i * 7} latency_ms=${(i * 13) % 97}`,
    );
    noise.splice(80, 0, NEEDLE_QUESTION);
    const log = `Deploy log from last night, see the question in the middle\n${noise.join('\n')}`;
    const lexical = await xl3m(['ask', log, '--repo', repo.root, '--json']);
    assert.equal(lexical.code, 0, lexical.stderr);
    // lexically, the log's own words (worker, queue, latency) match code too: the needle is near the top, not always first
    const lexicalRank = JSON.parse(lexical.stdout).files.findIndex((f: { path: string }) => f.path === repo.needlePath);
    assert.ok(lexicalRank >= 0 && lexicalRank < 5, `rank ${lexicalRank + 1}`);
    const { code, stdout, stderr } = await xl3m(['ask', log, '--repo', repo.root, '--base-url', server.url, '--model', 'test-model', '--json']);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout);
    assert.ok(out.stats.questionTokens >= 4500, `${out.stats.questionTokens} tokens`);
    assert.ok(out.stats.scoredQuestionTokens <= 1024, `the scoring prompts carry ${out.stats.scoredQuestionTokens} question tokens`);
    assert.match(out.notes.join(' '), /condensed/);
    assert.match(stderr, /condensed/);
    assert.equal(out.files[0].path, repo.needlePath);
    assert.ok(out.answer.includes(NEEDLE_ANSWER), out.answer.slice(0, 200));
  });

  test('exits non-zero with one line when the server cannot score', async () => {
    // echo ignored and no chat log-probs either: no method applies
    const noEcho = await startScoringServer({
      fault: (path) =>
        path === '/v1/completions'
          ? 'ignore-echo'
          : path === '/v1/chat/completions'
            ? { status: 400, body: { error: { message: 'logprobs are not supported' } } }
            : undefined,
      noTokenize: true,
    });
    try {
      const { code, stdout, stderr } = await xl3m(['ask', 'a question', '--repo', repo.root, '--base-url', noEcho.url, '--model', 'test-model', '--json']);
      assert.equal(code, 1);
      assert.equal(stdout, '');
      const last = stderr.trim().split('\n').pop()!;
      assert.match(last, /^xl3m: .*this server cannot score: it returns no prompt log-probabilities.*logprobs are not supported/);
    } finally {
      await noEcho.close();
    }
  });

  test('the API key is sent from XL3M_API_KEY and never printed', async () => {
    const { code, stdout, stderr } = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--base-url', server.url, '--model', 'wrong-model', '--json'], {
      XL3M_API_KEY: 'sk-test-secret-123',
    });
    assert.equal(code, 1);
    assert.ok(server.requests.some((r) => r.authorization === 'Bearer sk-test-secret-123'));
    assert.ok(!(stdout + stderr).includes('sk-test-secret-123'));
    assert.match(stderr, /HTTP 404 The model `wrong-model` does not exist/);
  });

  test('a symbolic link out of the repository is skipped and listed, never sent or printed; one inside is read once', async () => {
    const linked = linkedRepo();
    try {
      const sentBefore = server.requests.length;
      const { code, stdout, stderr } = await xl3m([
        'ask',
        'What is the database password?',
        '--repo',
        linked.root,
        '--base-url',
        server.url,
        '--model',
        'test-model',
        '--json',
      ]);
      assert.equal(code, 0, stderr);
      const out = JSON.parse(stdout);
      assert.deepEqual(out.files.map((f: { path: string }) => f.path).sort(), ['.gitignore', 'docs/guide.md', 'src/db.ts']);
      assert.deepEqual(Object.fromEntries(out.skipped.map((s: { path: string; reason: string }) => [s.path, s.reason])), LINK_REASONS);
      assert.ok(!stdout.includes(OUTSIDE_SECRET) && !stderr.includes(OUTSIDE_SECRET));
      assert.ok(!JSON.stringify(server.requests.slice(sentBefore).map((r) => r.body)).includes(OUTSIDE_SECRET), 'nothing from outside is sent');
    } finally {
      linked.dispose();
    }
  });

  test('usage errors exit 2 with a reason', async () => {
    for (const [args, reason] of [
      [['ask', 'q', '--model', 'm'], /--base-url is required/],
      [['ask', 'q', '--base-url', 'ftp://x', '--model', 'm'], /must be an http\(s\) URL/],
      [['ask', 'q', '--base-url', server.url, '--model', 'm', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 256/],
      [['ask', 'q', '--base-url', server.url, '--model', 'm', '--measure', 'vibes'], /--measure must be nll, entropy or contrast/],
      [['frobnicate'], /unknown command/],
      [['ask', 'q', '--repo', '/nowhere/at/all'], /--repo is not a folder: \/nowhere\/at\/all/],
      [['ask', 'q', '--top', '-5'], /^xl3m: Option '--top' argument is ambiguous\. \(xl3m --help lists every option\)\n$/],
      [['ask', '--question-file', '/nowhere/q.txt'], /--question-file cannot be read: \/nowhere\/q\.txt \(ENOENT\)/],
      [['ask', 'q', '--question-file', '/nowhere/q.txt'], /either as an argument or with --question-file, not both/],
    ] as const) {
      const { code, stderr } = await xl3m([...args]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, reason);
      assert.equal(stderr.trimEnd().split('\n').length, 1, `one line: ${stderr}`);
      assert.ok(!stderr.includes('\\n'), `no literal \\n: ${stderr}`);
    }
    const help = await xl3m(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /xl3m ask "<question>" --repo <dir> --base-url <url> --model <name>/);
  });
});

describe('xl3m check', () => {
  test('names the method for a vLLM server and for a chat-only server, in plain words', async () => {
    const vllm = await startScoringServer();
    const ollama = await startScoringServer({ family: 'ollama' });
    try {
      const a = await xl3m(['check', '--base-url', vllm.url, '--model', 'test-model']);
      assert.equal(a.code, 0, a.stderr);
      assert.match(a.stdout, /Scoring method: completions-echo: prompt log-probabilities \(vLLM wire format\)/);
      assert.match(a.stdout, /\/tokenize: yes/);
      const b = await xl3m(['check', '--base-url', ollama.url, '--model', 'test-model']);
      assert.equal(b.code, 0, b.stderr);
      assert.match(b.stdout, /Scoring method: chat-yes-no: Yes\/No relevance: this server gives log-probabilities of generated tokens only/);
      assert.match(b.stdout, /\/v1\/completions with echo: no/);
    } finally {
      await vllm.close();
      await ollama.close();
    }
  });

  test('ask with two --base-url shares the segments between both servers', async () => {
    const a = await startScoringServer();
    const b = await startScoringServer();
    const repo = needleRepo({ maxFiles: 80 });
    try {
      const { code, stdout, stderr } = await xl3m([
        'ask',
        NEEDLE_QUESTION,
        '--repo',
        repo.root,
        '--base-url',
        a.url,
        '--base-url',
        b.url,
        '--model',
        'test-model',
        '--json',
        '--no-answer',
      ]);
      assert.equal(code, 0, stderr);
      assert.equal(JSON.parse(stdout).files[0].path, repo.needlePath);
      assert.ok(a.promptCount() > 0 && b.promptCount() > 0, `${a.promptCount()} and ${b.promptCount()} prompts`);
    } finally {
      repo.dispose();
      await a.close();
      await b.close();
    }
  });
});

describe('xl3m ask with no model', () => {
  test('file names, server words and model text reach the terminal inert; skipped files are listed with their reason', async () => {
    const evil = 'evil\x1b[2J\x1b]0;PWNED\x07.md';
    const hostile = tempRepo({
      [evil]: 'How does the frobnicator reticulate splines? It reticulates splines by frobnication.\n',
      'src/other.ts': 'export const unrelated = 1;\n',
      'logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]),
      '.env': 'API_TOKEN=abc\n',
    });
    try {
      const text = await xl3m(['ask', 'How does the frobnicator reticulate splines?', '--repo', hostile.root]);
      assert.equal(text.code, 0, text.stderr);
      assert.ok(text.stdout.includes('evil\\x1b[2J\\x1b]0;PWNED\\x07.md'), text.stdout);
      for (const c of ['\x1b', '\x07']) assert.ok(!text.stdout.includes(c) && !text.stderr.includes(c), 'no raw control character');
      const json = await xl3m(['ask', 'How does the frobnicator reticulate splines?', '--repo', hostile.root, '--json']);
      const out = JSON.parse(json.stdout);
      assert.equal(out.files[0].path, evil, 'the JSON keeps the real name (escaped by JSON itself)');
      const skipped = Object.fromEntries(out.skipped.map((s: { path: string; reason: string }) => [s.path, s.reason]));
      assert.deepEqual(Object.keys(skipped).sort(), ['.env', 'logo.png']);
      assert.match(skipped['logo.png'], /binary/);
      assert.match(skipped['.env'], /secret/);
    } finally {
      hostile.dispose();
    }
  });

  test('a question from standard input (ask -) or a file (--question-file) is the same question as the argument', async () => {
    const repo = needleRepo({ maxFiles: 60 });
    try {
      const asArgument = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--json']);
      const fromStdin = await xl3m(['ask', '-', '--repo', repo.root, '--json'], {}, `${NEEDLE_QUESTION}\n`);
      const file = join(repo.root, '..', `${basename(repo.root)}-question.txt`);
      writeFileSync(file, 'x'.repeat(0) + NEEDLE_QUESTION);
      const fromFile = await xl3m(['ask', '--question-file', file, '--repo', repo.root, '--json']);
      rmSync(file);
      for (const r of [asArgument, fromStdin, fromFile]) assert.equal(r.code, 0, r.stderr);
      const ranking = (r: { stdout: string }) => JSON.parse(r.stdout).files.map((f: { path: string; score: number }) => [f.path, f.score]);
      assert.deepEqual(ranking(fromStdin), ranking(asArgument));
      assert.deepEqual(ranking(fromFile), ranking(asArgument));
      const empty = await xl3m(['ask', '-', '--repo', repo.root], {}, '  \n');
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /the question is empty \(read from standard input\)/);
    } finally {
      repo.dispose();
    }
  });

  test('a question that matches nothing says so, and lists no file as if it were relevant', async () => {
    const repo = tempRepo({ 'a.ts': 'export const alpha = 1;\n', 'b.ts': 'export const beta = 2;\n' });
    try {
      const { code, stdout, stderr } = await xl3m(['ask', 'zebra quokka', '--repo', repo.root]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Nothing matched: no file holds a word of the question \(2 files searched\)\.$/m);
      assert.doesNotMatch(stdout, /a\.ts|b\.ts/);
      assert.match(stderr, /nothing matched/);
    } finally {
      repo.dispose();
    }
  });

  test('the progress line and the summary count the same files, skipped ones included', async () => {
    const repo = tempRepo({
      'a.ts': 'export const parser = 1;\n',
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]),
      'data/blob.txt': Buffer.from([0x68, 0, 1, 2, 0x68]),
      '.env': 'KEY=1\n',
    });
    try {
      const { code, stdout, stderr } = await xl3m(['ask', 'parser', '--repo', repo.root]);
      assert.equal(code, 0, stderr);
      const gathering = stderr.split('\n').filter((l) => l.startsWith('gathering:'));
      assert.deepEqual(gathering, ['gathering: 1 file, 3 skipped']);
      assert.match(stdout, /^1 file, 3 files skipped, /m);
    } finally {
      repo.dispose();
    }
  });

  test('ranks by BM25, says so, and makes no answer', async () => {
    const repo = needleRepo({ maxFiles: 100 });
    try {
      const { code, stdout, stderr } = await xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--json']);
      assert.equal(code, 0, stderr);
      assert.match(stderr, /no model is configured: files ranked lexically/);
      const out = JSON.parse(stdout);
      assert.equal(out.files[0].path, repo.needlePath);
      assert.equal(out.answer, '');
      assert.match(out.stats.scorer, /^lexical/);
      assert.equal(out.files.length, repo.files, 'every gathered file is ranked');
    } finally {
      repo.dispose();
    }
  });
});

describe('xl3m ask --model-file', () => {
  test('scores and answers with a local GGUF model, no server', async () => {
    const repo = tempRepo({
      'billing.ts': 'export function billing() { return the secret code of the service; }\n'.repeat(3),
      'a.ts': 'export const a = 1;\n'.repeat(20),
    });
    const model = join(repo.root, '..', `${basename(repo.root)}.gguf`);
    writeTinyGguf(model);
    try {
      const { code, stdout, stderr } = await xl3m([
        'ask',
        'what is the secret code of the billing service',
        '--repo',
        repo.root,
        '--model-file',
        model,
        '--json',
        '--segment-tokens',
        '96',
        '--context-size',
        '2048',
        '--threads',
        '1',
        '--answer-reserve',
        '16',
      ]);
      assert.equal(code, 0, stderr);
      const out = JSON.parse(stdout);
      assert.ok(out.files.length > 0);
      assert.equal(typeof out.answer, 'string');
      assert.ok(out.answer.length > 0);
      assert.match(out.stats.scorer, /local model .*\.gguf \(llama\.cpp, in process\)/);
      assert.equal(out.stats.scoredSegments, out.stats.segments);
    } finally {
      repo.dispose();
      rmSync(model, { force: true });
    }
  });
});
