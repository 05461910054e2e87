// The CLI's index cache as users meet it: the second run reads only what changed; two runs at once
// on one repository; a run killed while building; `xl3m cache status` and `clear`; `--no-cache`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { CLI, cliProcess, type CliRun } from '../support/cliProcess';
import { age } from '../support/warmFiles';

type Run = CliRun;

/** The CLI in a new process; `ask` in that process (--no-server), its index read from and written to disk. */
const xl3m = (args: string[], cache: string, onStderr?: (text: string, kill: () => void) => void): Promise<Run> =>
  cliProcess([...args, ...(args[0] === 'ask' ? ['--no-server'] : [])], {
    env: { XL3M_CACHE_DIR: cache },
    onStderr: onStderr && ((text, child) => onStderr(text, () => child.kill('SIGKILL'))),
  });

const filesOf = (run: Run) => (JSON.parse(run.stdout) as { files: unknown[] }).files;
const statsOf = (run: Run) => (JSON.parse(run.stdout) as { stats: { index: string; filesRead: number; filesReused: number } }).stats;

describe('the CLI keeps its index between runs', () => {
  let repo: ReturnType<typeof needleRepo>;
  let cache: string;
  let coldFiles: unknown[];
  const ask = (extra: string[] = [], onStderr?: (text: string, kill: () => void) => void) =>
    xl3m(['ask', NEEDLE_QUESTION, '--repo', repo.root, '--json', ...extra], cache, onStderr);

  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is built (npm run build)');
    repo = needleRepo({ maxFiles: 300, depth: 0.5 });
    age(repo.root);
    cache = mkdtempSync(join(tmpdir(), 'xl3m-cli-cache-'));
    const cold = await ask(['--no-cache']);
    assert.equal(cold.code, 0, cold.stderr);
    assert.equal(statsOf(cold).index, 'none');
    assert.deepEqual(readdirSync(cache), [], '--no-cache writes nothing');
    coldFiles = filesOf(cold);
  });
  after(() => {
    repo.dispose();
    rmSync(cache, { recursive: true, force: true });
  });
  beforeEach(() => {
    rmSync(cache, { recursive: true, force: true });
  });

  test('the second run reads no file and ranks as a run with no cache', async () => {
    const first = await ask();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(statsOf(first).index, 'new');
    const second = await ask();
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(statsOf(second), { ...statsOf(second), index: 'disk', filesRead: 0, filesReused: repo.files });
    assert.deepEqual(filesOf(second), coldFiles);
    assert.deepEqual(filesOf(first), coldFiles);
  });

  test('two runs at once on one repository: both right, and the cache they leave is read by the next', async () => {
    const [a, b] = await Promise.all([ask(), ask()]);
    for (const run of [a, b]) {
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(filesOf(run), coldFiles);
    }
    assert.deepEqual(
      readdirSync(cache).filter((n) => !n.endsWith('.index')),
      [],
      'no temporary file left',
    );
    const next = await ask();
    assert.equal(statsOf(next).index, 'disk');
    assert.equal(statsOf(next).filesRead, 0);
    assert.deepEqual(filesOf(next), coldFiles);
  });

  test('a run killed (SIGKILL) while it builds the index, then a run that is right', async () => {
    // killed at its first words on stderr: it has begun, it has not finished reading
    const killed = await ask([], (_text, kill) => kill());
    assert.equal(killed.signal, 'SIGKILL');
    const next = await ask();
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(filesOf(next), coldFiles);
    // and one killed halfway through writing: its temporary file is never read, and a cut index is rebuilt
    const index = readdirSync(cache).find((n) => n.endsWith('.index'))!;
    const data = readFileSync(join(cache, index));
    writeFileSync(join(cache, `.${index}.999999.dead.tmp`), data.subarray(0, data.length >> 1));
    writeFileSync(join(cache, index), data.subarray(0, data.length >> 1));
    const after = await ask();
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stderr, /was not used: it is cut short/);
    assert.deepEqual(filesOf(after), coldFiles);
    assert.equal(statsOf((await ask()) as Run).index, 'disk', 'rebuilt');
  });

  test('xl3m cache status lists each repository; clear removes them', async () => {
    await ask();
    const status = await xl3m(['cache', 'status'], cache);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^${cache}: 1 index, [\\d.]+ MB\\n  ${repo.root}: ${repo.files} files, [\\d.]+ MB, last used \\d{4}-`));
    // a file added: the next run appends it to the index as a journal record, and the listing says so
    const added = join(repo.root, 'journaled-note.md');
    writeFileSync(added, 'a note the next run appends to the index\n');
    const past = new Date(Date.now() - 3600_000);
    utimesSync(added, past, past);
    try {
      assert.equal((await ask()).code, 0);
      const journaled = await xl3m(['cache', 'status'], cache);
      assert.match(journaled.stdout, new RegExp(`\\n  ${repo.root}: ${repo.files} files when written whole, then \\d+ KB of changes, [\\d.]+ MB, last used`));
    } finally {
      rmSync(added, { force: true });
    }
    const clear = await xl3m(['cache', 'clear'], cache);
    assert.match(clear.stdout, /^removed 1 index \([\d.]+ MB\)/);
    assert.deepEqual(readdirSync(cache), []);
    assert.match((await xl3m(['cache', 'status'], cache)).stdout, /: 0 indexes, 0\.0 MB\n$/);
    const wrong = await xl3m(['cache', 'drop'], cache);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /cache takes one of: status, clear/);
  });
});
