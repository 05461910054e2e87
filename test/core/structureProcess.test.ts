// Syntax trees read in a child process of their own (the bundle's structureWorker.js, built by
// `npm test` before the tests): the same definitions, ranking and listed definitions as parsed in
// the calling thread; a child that dies leaves the question to be answered the same, said in a
// note; the CLI's child goes when the CLI does.
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask, CancelledError, type AskResult } from '../../extension/core/pipeline';
import { StructureProcess, useStructureProcess } from '../../extension/core/structure/structureProcess';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { cliProcess } from '../support/cliProcess';
import { CASES } from '../support/structureCases';
import { tempRepo } from '../support/tempRepo';

const DIST = join(__dirname, '../../dist');
const tokenizer = new TiktokenTokenizer();
after(() => {
  useStructureProcess(undefined);
  tokenizer.dispose();
});

/** Every language's definer and two callers, and real files of this project in the languages that rank by trees. */
function repoOfAllLanguages() {
  const files: Record<string, string> = {};
  for (const c of CASES) {
    files[`src/ledger.${c.ext}`] = c.definer;
    files[`src/billing.${c.ext}`] = `// billing\n${Array.from({ length: 4 }, () => c.call).join('\n')}\n`;
    files[`src/checkout.${c.ext}`] = `// checkout\n${Array.from({ length: 3 }, () => c.call).join('\n')}\n`;
  }
  // larger files, many definitions each (a pipeline of this project, renamed into languages parsed for the ranking)
  const source = readFileSync(join(__dirname, '../../extension/core/pipeline.ts'), 'utf8');
  files['big/pipeline.go'] = source;
  files['big/pipeline.cpp'] = source;
  for (let i = 0; i < 70; i++) files[`many/part${i}.go`] = `package many\n\nfunc settlePart${i}(amount int) int {\n\treturn amount * ${i}\n}\n`;
  return tempRepo(files);
}

const QUESTION = 'Where is settleAccount defined, and what does it return?';

async function askWith(root: string, process: StructureProcess | undefined): Promise<AskResult> {
  useStructureProcess(process);
  try {
    return await ask({ question: QUESTION, roots: [{ path: root, name: 'repo' }] }, { fs: nodeFileSystem, tokenizer });
  } finally {
    useStructureProcess(undefined);
  }
}

/** The structure process, counting the files it is sent. */
function countingProcess(workerPath: string, processes: number) {
  const process = new StructureProcess(workerPath, processes);
  const sent: string[] = [];
  const parse = process.parse.bind(process);
  process.parse = (files) => {
    sent.push(...files.map((f) => f.path));
    return parse(files);
  };
  return { process, sent };
}

describe('syntax trees read in a child process', () => {
  for (const processes of [1, 3])
    test(`the same ranking, scores and listed definitions as parsed in this thread, every file parsed there (${processes} ${processes === 1 ? 'child' : 'children'})`, async () => {
      const repo = repoOfAllLanguages();
      const { process, sent } = countingProcess(join(DIST, 'structureWorker.js'), processes);
      try {
        const here = await askWith(repo.root, undefined);
        const there = await askWith(repo.root, process);
        assert.equal(process.pids.length, processes, 'every child ran');
        assert.deepEqual(there.files, here.files);
        assert.deepEqual(there.notes, here.notes);
        assert.ok(here.files[0]!.definitions !== undefined);
        // the ranking's files (the languages ranked by trees), then the listed files that hold the name (the other languages)
        for (const ext of ['go', 'rs', 'java', 'cs', 'c', 'cpp', 'rb', 'php', 'kt']) assert.ok(sent.includes(`src/ledger.${ext}`), ext);
        assert.ok(sent.includes('big/pipeline.cpp') && sent.includes('many/part69.go'));
        for (const ext of ['py', 'ts', 'js']) assert.equal(sent.filter((p) => p === `src/ledger.${ext}`).length, 1, ext);
        for (const c of CASES) {
          const definer = there.files.find((f) => f.path === `src/ledger.${c.ext}`)!;
          assert.deepEqual(definer.definitions, [{ name: 'settleAccount', kind: c.kind, line: c.line }], c.language);
        }
      } finally {
        process.dispose();
        repo.dispose();
      }
    });

  test('a child that dies: the same answer, parsed in this thread, and a note says why', async () => {
    const repo = repoOfAllLanguages();
    const dying = join(repo.root, '..', `${repo.root.split('/').pop()}-dying-worker.js`);
    writeFileSync(dying, "process.on('message', () => process.exit(7));\n");
    const process = new StructureProcess(dying);
    try {
      const here = await askWith(repo.root, undefined);
      const there = await askWith(repo.root, process);
      assert.deepEqual(there.files, here.files);
      assert.match(there.notes.join('\n'), /the process that reads syntax trees exited \(code 7\): syntax trees are read in this process/);
      assert.match(process.failure ?? '', /exited \(code 7\)/);
      // no other child is started once one failed: the next question is parsed here at once
      const again = await askWith(repo.root, process);
      assert.deepEqual(again.files, here.files);
      assert.deepEqual(process.pids, []);
    } finally {
      process.dispose();
      rmSync(dying, { force: true });
      repo.dispose();
    }
  });

  test('a question cancelled while its trees are out: cancelled, and the next question is answered the same', async () => {
    const repo = repoOfAllLanguages();
    const process = new StructureProcess(join(DIST, 'structureWorker.js'));
    const controller = new AbortController();
    const parse = process.parse.bind(process);
    let sent = 0;
    process.parse = (files) => {
      const parsed = parse(files);
      // cancelled the moment the first batch is out: the ranking stops, the batches come back to no one
      if (sent++ === 0) controller.abort(new Error('cancelled by the test'));
      return parsed;
    };
    try {
      useStructureProcess(process);
      await assert.rejects(
        ask({ question: QUESTION, roots: [{ path: repo.root, name: 'repo' }], signal: controller.signal }, { fs: nodeFileSystem, tokenizer }),
        CancelledError,
      );
      const again = await askWith(repo.root, process);
      const here = await askWith(repo.root, undefined);
      assert.deepEqual(again.files, here.files);
      assert.ok(sent > 1, 'the next question sent its own batches');
    } finally {
      useStructureProcess(undefined);
      process.dispose();
      repo.dispose();
    }
  });

  test("the CLI's child is gone when the CLI is", { timeout: 30_000 }, async () => {
    const repo = repoOfAllLanguages();
    // the bundle in a folder of its own: its child is told from any other test's by its path
    const bundle = join(repo.root, '..', `${repo.root.split('/').pop()}-dist`);
    cpSync(DIST, bundle, { recursive: true, filter: (p) => !p.endsWith('.map') });
    try {
      const run = await cliProcess(['ask', QUESTION, '--repo', repo.root, '--json', '--no-server', '--no-cache'], { cli: join(bundle, 'cli.js') });
      assert.equal(run.code, 0, run.stderr);
      const files = JSON.parse(run.stdout).files as { path: string; definitions?: unknown }[];
      const definer = CASES.find((c) => files[0]!.path === `src/ledger.${c.ext}`);
      assert.ok(definer, files[0]!.path);
      assert.deepEqual(files[0]!.definitions, [{ name: 'settleAccount', kind: definer.kind, line: definer.line }]);
      // the child exits once its channel closes: wait for it (on real state, not a fixed delay)
      const workers = () =>
        readdirSync('/proc').filter((pid) => {
          try {
            return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(bundle, 'structureWorker.js'));
          } catch {
            return false;
          }
        });
      while (workers().length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      rmSync(bundle, { recursive: true, force: true });
      repo.dispose();
    }
  });
});
