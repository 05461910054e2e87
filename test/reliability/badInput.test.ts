// The fault matrix, input side: strange files, strange workspaces, strange questions.
import assert from 'node:assert/strict';
import { chmodSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem, type FileSystem } from '../../extension/core/files/fileSystem';
import { gather } from '../../extension/core/files/gather';
import { ask } from '../../extension/core/pipeline';
import { CompletionsScorer } from '../../extension/core/model/families/vllm';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { toJson } from '../../extension/cli/ask';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';
import { tempRepo } from '../support/tempRepo';

const tokenizer = new TiktokenTokenizer();
let server: ScoringServer;
before(async () => {
  server = await startScoringServer();
});
after(async () => {
  tokenizer.dispose();
  await server.close();
});
const deps = () => ({
  fs: nodeFileSystem,
  tokenizer,
  scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }),
  answerEndpoint: { baseUrl: server.url, model: 'test-model' },
});
const QUESTION = 'Where is the launch code of the orbital cannon stored?';
const FACT = 'The launch code of the orbital cannon is stored in vault seven.';
const filler = (name: string, n = 40) =>
  Array.from({ length: n }, (_, i) => `export const ${name}${i} = compute(${i}); // unrelated helper number ${i}`).join('\n') + '\n';

describe('bad input', () => {
  test('a binary file with a text extension is skipped by content', async () => {
    const repo = tempRepo({ 'notes.txt': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x10]), 'a.ts': filler('a') });
    try {
      const g = await gather(nodeFileSystem, [{ path: repo.root, name: 'r' }]);
      assert.deepEqual(g.skipped, [{ path: 'notes.txt', reason: 'binary (content)' }]);
    } finally {
      repo.dispose();
    }
  });

  test('a 50 MB file is skipped without being read', async () => {
    const repo = tempRepo({ 'a.ts': filler('a') });
    try {
      writeFileSync(join(repo.root, 'huge.log.txt'), '');
      truncateSync(join(repo.root, 'huge.log.txt'), 50 * 1024 * 1024);
      let read = false;
      const fs: FileSystem = { ...nodeFileSystem, readFile: (f) => ((read ||= f.endsWith('huge.log.txt')), nodeFileSystem.readFile(f)) };
      const g = await gather(fs, [{ path: repo.root, name: 'r' }]);
      assert.deepEqual(g.skipped, [{ path: 'huge.log.txt', reason: 'too large (50.0 MiB > 1.0 MiB)' }]);
      assert.equal(read, false);
    } finally {
      repo.dispose();
    }
  });

  test('invalid UTF-8: a few bad bytes are replaced and the file kept; mostly bad bytes are skipped', async () => {
    const repo = tempRepo({
      'latin1.txt': Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' au lait, a long enough line of ordinary text\n'.repeat(3))]),
      'garbage.txt': Buffer.from(Array.from({ length: 400 }, (_, i) => 0x80 + (i % 60))),
    });
    try {
      const g = await gather(nodeFileSystem, [{ path: repo.root, name: 'r' }]);
      assert.ok(g.files.find((f) => f.path === 'latin1.txt')!.text.startsWith('caf\ufffd au lait'));
      assert.deepEqual(g.skipped, [{ path: 'garbage.txt', reason: 'not UTF-8 text' }]);
    } finally {
      repo.dispose();
    }
  });

  test('UTF-16 with BOM (both byte orders) is read as text', async () => {
    const be = Buffer.from('hello utf16 be\n', 'utf16le').swap16();
    const repo = tempRepo({
      'le.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello utf16 le\n', 'utf16le')]),
      'be.txt': Buffer.concat([Buffer.from([0xfe, 0xff]), be]),
    });
    try {
      const g = await gather(nodeFileSystem, [{ path: repo.root, name: 'r' }]);
      assert.deepEqual(
        g.files.map((f) => f.text),
        ['hello utf16 be\n', 'hello utf16 le\n'],
      );
    } finally {
      repo.dispose();
    }
  });

  test('CRLF and mixed line endings: the reported line range and the cited line are right', async () => {
    const lines = [...filler('x', 30).trimEnd().split('\n'), `// ${FACT}`, ...filler('y', 30).trimEnd().split('\n')];
    const mixed = lines.map((l, i) => l + (i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\n' : '\r')).join('');
    const repo = tempRepo({ 'mixed.ts': mixed, 'other.ts': filler('o', 200) });
    try {
      const result = await ask({ question: QUESTION, roots: [{ path: repo.root, name: 'r' }], segment: { maxTokens: 256 } }, deps());
      const file = result.files.find((f) => f.path === 'mixed.ts')!;
      assert.equal(result.files[0]!.path, 'mixed.ts');
      assert.ok(file.ranges.some((r) => r.start <= 31 && 31 <= r.end));
      assert.match(result.answer, /mixed\.ts:31\b/);
    } finally {
      repo.dispose();
    }
  });

  test('a symlink loop is not followed', async () => {
    const repo = tempRepo({ 'a/b.ts': filler('b') });
    try {
      symlinkSync(join(repo.root, 'a'), join(repo.root, 'a', 'again'));
      const g = await gather(nodeFileSystem, [{ path: repo.root, name: 'r' }]);
      assert.deepEqual(
        g.files.map((f) => f.path),
        ['a/b.ts'],
      );
      assert.deepEqual(g.skipped, [{ path: 'a/again/', reason: 'symbolic link to a folder (not followed)' }]);
    } finally {
      repo.dispose();
    }
  });

  test('a file unreadable by permission is listed with its cause', async () => {
    const repo = tempRepo({ 'secret-ish.ts': filler('s'), 'ok.ts': filler('o') });
    try {
      chmodSync(join(repo.root, 'secret-ish.ts'), 0o000);
      // root reads anything: the permission error is then simulated at the file system boundary
      const fs: FileSystem =
        process.getuid?.() === 0
          ? {
              ...nodeFileSystem,
              readFile: (f) =>
                f.endsWith('secret-ish.ts') ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) : nodeFileSystem.readFile(f),
            }
          : nodeFileSystem;
      const g = await gather(fs, [{ path: repo.root, name: 'r' }]);
      assert.deepEqual(g.skipped, [{ path: 'secret-ish.ts', reason: 'unreadable (EACCES)' }]);
      assert.deepEqual(
        g.files.map((f) => f.path),
        ['ok.ts'],
      );
    } finally {
      chmodSync(join(repo.root, 'secret-ish.ts'), 0o644);
      repo.dispose();
    }
  });

  test('a file deleted or changed while scoring: the run uses the text it read, whole and consistent', async () => {
    const repo = tempRepo({ 'fact.ts': filler('f', 10) + `// ${FACT}\n`, 'other.ts': filler('o', 100) });
    try {
      const result = await ask(
        {
          question: QUESTION,
          roots: [{ path: repo.root, name: 'r' }],
          confirmScoring: async () => {
            rmSync(join(repo.root, 'fact.ts'));
            writeFileSync(join(repo.root, 'other.ts'), 'changed\n');
            return true;
          },
        },
        deps(),
      );
      assert.equal(result.partial, undefined);
      assert.equal(result.files[0]!.path, 'fact.ts');
      assert.match(result.answer, /vault seven/);
      assert.ok(result.keyContext.includes('unrelated helper number'), 'other.ts as it was read');
    } finally {
      repo.dispose();
    }
  });

  test('an empty workspace: a clear message', async () => {
    const repo = tempRepo({});
    try {
      await assert.rejects(ask({ question: QUESTION, roots: [{ path: repo.root, name: 'r' }] }, deps()), /^Error: no text files to read \(0 skipped\)$/);
    } finally {
      repo.dispose();
    }
  });

  test('multi-root workspaces: paths carry the root name, and the right root wins', async () => {
    const one = tempRepo({ 'src/a.ts': filler('a', 80) });
    const two = tempRepo({ 'src/a.ts': filler('b', 10) + `// ${FACT}\n` });
    try {
      const result = await ask(
        {
          question: QUESTION,
          roots: [
            { path: one.root, name: 'web' },
            { path: two.root, name: 'api' },
          ],
        },
        deps(),
      );
      assert.equal(result.files[0]!.path, 'api/src/a.ts');
      assert.ok(result.files.every((f) => /^(web|api)\//.test(f.path)));
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  test('paths with spaces, non-ASCII and HTML or markdown characters come back exactly', async () => {
    const names = ['dir with space/fïlé ñame.ts', 'html/<script>alert(1)<\\script>.ts'.replace('\\', '%'), 'md/[link](javascript:x) *b* `c`.ts', 'ü/日本語.ts'];
    const repo = tempRepo(Object.fromEntries(names.map((n, i) => [n, i === 0 ? `// ${FACT}\n` + filler('a', 5) : filler(`n${i}`, 5)])));
    try {
      const result = await ask({ question: QUESTION, roots: [{ path: repo.root, name: 'r' }] }, deps());
      const json = JSON.parse(JSON.stringify(toJson(result)));
      assert.deepEqual(json.files.map((f: { path: string }) => f.path).sort(), [...names].sort());
      assert.equal(json.files[0].path, names[0]);
    } finally {
      repo.dispose();
    }
  });

  test('a question that is empty or only whitespace is refused with the reason; a huge one is condensed for the scoring prompts', async () => {
    const repo = tempRepo({ 'a.ts': filler('a') });
    try {
      await assert.rejects(ask({ question: '', roots: [{ path: repo.root, name: 'r' }] }, deps()), /the question is empty/);
      await assert.rejects(ask({ question: ' \n\t ', roots: [{ path: repo.root, name: 'r' }] }, deps()), /the question is empty/);
      const huge = await ask({ question: `why does a break\n${'why '.repeat(5000)}`, roots: [{ path: repo.root, name: 'r' }] }, deps());
      assert.ok(
        huge.stats.questionTokens > 5000 && huge.stats.scoredQuestionTokens <= 1024,
        `${huge.stats.questionTokens} -> ${huge.stats.scoredQuestionTokens}`,
      );
      assert.match(huge.notes.join(' '), /condensed to \d+ of its \d+ tokens/);
      assert.ok(huge.stats.scoredQuestionTokens > 900, `what is left after the title is filled with the cut line: ${huge.stats.scoredQuestionTokens}`);
      assert.equal(huge.files[0]!.path, 'a.ts');
    } finally {
      repo.dispose();
    }
  });
});
