// The file watcher of a long-lived host: a repeat question stats nothing the watcher vouches for,
// and what a gather finds is always what a gather with nothing kept finds, whatever happened to
// the files a moment before (written, appended to with the same size and time, added, deleted,
// renamed, a folder replaced, a .gitignore edited). What it cannot vouch for (the first gather, a
// cancelled one, more events than its limit) is stat'ed again.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, symlinkSync, watch, readdirSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { FileCache } from '../../extension/core/files/fileCache';
import { nodeFileSystem, type FileSystem } from '../../extension/core/files/fileSystem';
import { FolderCache } from '../../extension/core/files/folderCache';
import { FolderWatcher } from '../../extension/core/files/folderWatcher';
import { gather } from '../../extension/core/files/gather';
import { age, WALKED_REPO } from '../support/warmFiles';
import { tempRepo } from '../support/tempRepo';

/** What a gather found, in the form two gathers are compared in. */
const found = (g: Awaited<ReturnType<typeof gather>>) => ({ files: g.files.map((f) => [f.path, f.text]), skipped: g.skipped.map((s) => [s.path, s.reason]) });

/** node:fs, counting the paths it stats. */
function statCounting() {
  const statted: string[] = [];
  const fs: FileSystem = { ...nodeFileSystem, statMany: (files) => (statted.push(...files), nodeFileSystem.statMany(files)) };
  return { fs, statted, reset: () => void statted.splice(0) };
}

/** A small deterministic generator (mulberry32), so that a failure replays. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the folder watcher', { skip: process.platform !== 'linux' ? 'inotify: Linux only' : false }, () => {
  let repo: ReturnType<typeof tempRepo>;
  let watcher: FolderWatcher;
  // each test its own copy: the random one leaves it changed
  beforeEach(() => {
    repo = tempRepo(WALKED_REPO);
    age(repo.root);
  });
  afterEach(() => {
    watcher?.close();
    repo.dispose();
  });

  const roots = () => [{ path: repo.root, name: 'repo' }];
  const cold = async () => found(await gather(nodeFileSystem, roots()));

  test('a repeat gather stats nothing; an edit that keeps the size and the time is seen, and only that file is stat-ed', async () => {
    watcher = new FolderWatcher();
    const kept = { cache: new FileCache(), folders: new FolderCache(), changes: watcher };
    const counting = statCounting();
    const first = await gather(counting.fs, roots(), kept);
    assert.ok(counting.statted.length > 0);
    assert.ok(watcher.watchedFolders >= 5, `${watcher.watchedFolders} folders watched`);
    counting.reset();
    const again = await gather(counting.fs, roots(), kept);
    assert.deepEqual(counting.statted, [], 'nothing stat-ed');
    assert.equal(again.read, 0);
    assert.deepEqual(found(again), found(first));

    // the same size and the same time: a stat could not tell (git's racy case), the watcher can
    const file = join(repo.root, 'src/util/strings.ts');
    const before = statSync(file);
    writeFileSync(file, 'export const TRIM = (s: string) => s.trim();\n');
    utimesSync(file, before.atime, before.mtime);
    counting.reset();
    const edited = await gather(counting.fs, roots(), kept);
    assert.deepEqual(found(edited), await cold());
    assert.match(edited.files.find((f) => f.path === 'src/util/strings.ts')!.text, /TRIM/);
    assert.deepEqual(
      counting.statted.map((p) => relative(repo.root, p)),
      ['src/util/strings.ts'],
      'a file written to, nothing added, removed or renamed: only it is stat-ed and read',
    );
    assert.equal(edited.read, 1);
  });

  test('whatever happens a moment before, a gather finds what a gather with nothing kept finds (300 random changes)', async () => {
    watcher = new FolderWatcher();
    const kept = { cache: new FileCache(), folders: new FolderCache(), changes: watcher };
    const next = random(20261203);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    const listAll = (dir: string, out: { files: string[]; folders: string[] }) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          out.folders.push(p);
          listAll(p, out);
        } else if (e.isFile()) out.files.push(p);
      }
      return out;
    };
    const outside = tempRepo({});
    after(() => outside.dispose());
    await gather(nodeFileSystem, roots(), kept);
    let vouchedGathers = 0;
    for (let step = 0; step < 300; step++) {
      const { files, folders } = listAll(repo.root, { files: [], folders: [] });
      const folder = pick([repo.root, ...folders]);
      const op = Math.floor(next() * 14);
      const name = `f${Math.floor(next() * 20)}${pick(['.ts', '.md', '.log', '.bin'])}`;
      if (op === 0 || files.length < 3) writeFileSync(join(folder, name), `export const v${step} = ${step};\n`);
      else if (op === 1) appendFileSync(pick(files), `// ${step}\n`);
      else if (op === 2) unlinkSync(pick(files));
      else if (op === 3) renameSync(pick(files), join(folder, name));
      else if (op === 4) mkdirSync(join(folder, `d${step % 7}`), { recursive: true });
      else if (op === 5 && folders.length > 3) {
        const victim = pick(folders);
        // a folder replaced by another of the same name
        rmSync(victim, { recursive: true, force: true });
        mkdirSync(victim);
        writeFileSync(join(victim, 'new.ts'), `export const replaced = ${step};\n`);
      } else if (op === 6 && folders.length > 3) {
        const from = pick(folders);
        const to = join(repo.root, `moved${step}`);
        if (!to.startsWith(from)) renameSync(from, to);
      } else if (op === 9 && folders.length > 3) {
        // a folder moved out of the repository (its watches go with it) and another moved into its place (subfolders of the same names in both, often)
        const [from, onto] = [pick(folders), pick(folders)];
        if (from !== onto && !from.startsWith(`${onto}/`) && !onto.startsWith(`${from}/`)) {
          renameSync(onto, join(outside.root, `gone${step}`));
          renameSync(from, onto);
        }
      } else if (op === 7) writeFileSync(join(folder, '.gitignore'), pick(['*.md\n', '', 'f1*\n!f12.ts\n', 'd*/\n']));
      else if (op === 8) writeFileSync(join(folder, name), Buffer.from([0, 1, 2, 3]));
      else if (op >= 11) {
        // files written to in place, nothing added or removed: one becomes binary, or text again, or holds a key
        const content = op === 11 ? Buffer.from([0, 1, 2, 3]) : op === 12 ? `export const rewritten = ${step};\n` : '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n';
        for (const file of [pick(files), pick(files)]) writeFileSync(file, content);
      } else if (op === 10) {
        // a link (made again) to a file inside, or to one outside whose name comes and goes: no event in the repository says where it leads
        const link = join(folder, `link${step % 3}`);
        rmSync(link, { force: true });
        const to = next();
        symlinkSync(to < 0.3 ? pick(files) : to < 0.5 ? pick(folders.length > 0 ? folders : [repo.root]) : join(outside.root, `target${step % 2}`), link);
        rmSync(join(outside.root, `target${step % 2}`), { recursive: true, force: true });
        if (next() < 0.5) writeFileSync(join(outside.root, `target${step % 2}`), 'outside\n');
      } else {
        // no change in the repository, only outside it (where a link may lead): a file there comes or goes, or becomes a folder
        const target = join(outside.root, 'target0');
        rmSync(target, { recursive: true, force: true });
        if (next() < 0.3) mkdirSync(target);
        else if (next() < 0.5) writeFileSync(target, 'outside again\n');
      }
      const warm = await gather(nodeFileSystem, roots(), kept);
      assert.deepEqual(found(warm), await cold(), `after step ${step} (operation ${op})`);
      if (warm.read < warm.files.length) vouchedGathers++;
    }
    assert.ok(vouchedGathers > 200, `most gathers reused what the watcher vouched for (${vouchedGathers} of 300)`);
  });

  test('a folder moved away and another moved into its place: what is under it is the new one, to the deepest folder', async () => {
    watcher = new FolderWatcher();
    const kept = { cache: new FileCache(), folders: new FolderCache(), changes: watcher };
    const outside = tempRepo({});
    try {
      mkdirSync(join(repo.root, 'old/sub/deep'), { recursive: true });
      mkdirSync(join(repo.root, 'new/sub/deep'), { recursive: true });
      writeFileSync(join(repo.root, 'old/sub/deep/before.ts'), 'export const before = 1;\n');
      writeFileSync(join(repo.root, 'new/sub/deep/after.ts'), 'export const after = 2;\n');
      age(repo.root);
      await gather(nodeFileSystem, roots(), kept);
      await gather(nodeFileSystem, roots(), kept);
      // the old folder's watches go with it, still alive
      renameSync(join(repo.root, 'old'), join(outside.root, 'old'));
      renameSync(join(repo.root, 'new'), join(repo.root, 'old'));
      const moved = await gather(nodeFileSystem, roots(), kept);
      assert.deepEqual(found(moved), await cold());
      assert.ok(moved.files.some((f) => f.path === 'old/sub/deep/after.ts'));
      // what happens in the folder moved out is not taken for a change in the repository, nor the reverse
      writeFileSync(join(outside.root, 'old/sub/deep/before.ts'), 'export const elsewhere = 3;\n');
      writeFileSync(join(repo.root, 'old/sub/deep/after.ts'), 'export const edited = 4;\n');
      assert.deepEqual(found(await gather(nodeFileSystem, roots(), kept)), await cold());
    } finally {
      outside.dispose();
    }
  });

  test('a system out of watched folders: watching stops for good, said once, and every gather stats every file and finds what is there', async () => {
    const stops: string[] = [];
    let calls = 0;
    const outOfWatches = ((...args: Parameters<typeof watch>) => {
      if (++calls > 3) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
      return watch(...args);
    }) as typeof watch;
    watcher = new FolderWatcher({ watchFolder: outOfWatches, onStop: (reason) => stops.push(reason) });
    const kept = { cache: new FileCache(), folders: new FolderCache(), changes: watcher };
    const counting = statCounting();
    await gather(counting.fs, roots(), kept);
    assert.equal(stops.length, 1);
    assert.match(stops[0]!, /no more watched folders \(fs\.inotify\.max_user_watches\)/);
    assert.equal(watcher.watchedFolders, 0, 'the watches made before are closed');
    for (const round of [1, 2]) {
      writeFileSync(join(repo.root, 'docs', 'guide.md'), `# Guide, round ${round}\n`);
      counting.reset();
      const g = await gather(counting.fs, roots(), kept);
      assert.deepEqual(found(g), await cold());
      assert.ok(counting.statted.includes(join(repo.root, 'src/app.ts')), 'every file stat-ed');
    }
    assert.equal(stops.length, 1, 'said once');
  });

  test("more folders than its budget: it stops for good, said once, and leaves the rest of the system's watches alone", async () => {
    const stops: string[] = [];
    watcher = new FolderWatcher({ watchBudget: 3, onStop: (reason) => stops.push(reason) });
    const kept = { cache: new FileCache(), folders: new FolderCache(), changes: watcher };
    await gather(nodeFileSystem, roots(), kept);
    assert.deepEqual(stops.length, 1);
    assert.match(stops[0]!, /more folders than xl3m watches \(3: a quarter of fs\.inotify\.max_user_watches/);
    assert.equal(watcher.watchedFolders, 0);
    writeFileSync(join(repo.root, 'src', 'app.ts'), 'export const app = 2;\n');
    assert.deepEqual(found(await gather(nodeFileSystem, roots(), kept)), await cold());
  });

  test('more events than its limit, or a cancelled gather: the next gather stats every file again, and finds what is there', async () => {
    watcher = new FolderWatcher({ eventLimit: 5 });
    const kept = { cache: new FileCache(), folders: new FolderCache(), changes: watcher };
    const counting = statCounting();
    await gather(counting.fs, roots(), kept);
    const all = counting.statted.length;
    for (let i = 0; i < 10; i++) writeFileSync(join(repo.root, 'docs', `page${i}.md`), `# Page ${i}\n`);
    counting.reset();
    const flooded = await gather(counting.fs, roots(), kept);
    assert.deepEqual(found(flooded), await cold());
    assert.ok(counting.statted.length >= all + 10, `every file stat-ed again (${counting.statted.length})`);
    counting.reset();
    await gather(counting.fs, roots(), kept);
    assert.deepEqual(counting.statted, [], 'and vouched for again after');

    writeFileSync(join(repo.root, 'docs', 'page0.md'), '# Page zero\n');
    const controller = new AbortController();
    const slow: FileSystem = { ...nodeFileSystem, readFile: (f) => (controller.abort(), nodeFileSystem.readFile(f)) };
    await assert.rejects(gather(slow, roots(), { ...kept, signal: controller.signal }));
    counting.reset();
    const after = await gather(counting.fs, roots(), kept);
    assert.deepEqual(found(after), await cold());
    assert.ok(counting.statted.length >= all + 10, 'after a cancelled gather, every file is stat-ed again');
  });
});
