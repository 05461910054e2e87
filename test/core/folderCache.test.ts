// The folder cache: a long-lived host lists only the folders that changed since the last question,
// and what a walk finds is always what a walk with nothing kept finds: the same files in the same
// order, the same entries left out for the same reasons. A file added, a file deleted, a folder
// renamed, a .gitignore edited, other excludes: each seen by the next gather.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileCache } from '../../extension/core/files/fileCache';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { FolderCache } from '../../extension/core/files/folderCache';
import { gather, type GatherOptions } from '../../extension/core/files/gather';
import { age, listingFs, WALKED_REPO } from '../support/warmFiles';
import { tempRepo } from '../support/tempRepo';

/** What a gather found, in the form two gathers are compared in. */
const found = (g: Awaited<ReturnType<typeof gather>>) => ({ files: g.files.map((f) => [f.path, f.text]), skipped: g.skipped.map((s) => [s.path, s.reason]) });

describe('the folder cache', () => {
  let repo: ReturnType<typeof tempRepo>;
  before(() => {
    repo = tempRepo(WALKED_REPO);
    age(repo.root);
  });
  after(() => repo.dispose());

  const roots = () => [{ path: repo.root, name: 'repo' }];
  const folders = new FolderCache();
  const cache = new FileCache();
  const listing = listingFs();
  const warm = (options: GatherOptions = {}) => gather(listing.fs, roots(), { ...options, cache, folders });
  const cold = (options: GatherOptions = {}) => gather(nodeFileSystem, roots(), options);
  /** After a change: the changed folders and files made half an hour old, as if changed long ago (else the racy rule relists them). */
  const settle = (...dirs: string[]) => {
    const past = new Date(Date.now() - 1800_000);
    for (const d of dirs) utimesSync(join(repo.root, d), past, past);
  };

  test('a second walk lists no folder again, and finds the same as a walk with nothing kept', async () => {
    const first = await warm();
    assert.ok(listing.listed.length >= 5, `${listing.listed.length} folders listed`);
    listing.reset();
    const second = await warm();
    assert.deepEqual(listing.listed, [], 'no folder listed again');
    assert.deepEqual(found(second), found(await cold()));
    assert.deepEqual(found(first), found(second));
    assert.ok(second.skipped.some((s) => s.path === '.env'));
    assert.ok(second.skipped.some((s) => s.path === 'node_modules/'));
    assert.ok(!second.files.some((f) => f.path === 'src/util/generated.ts'), 'a nested .gitignore still applies');
  });

  test('a file added and one deleted: only their folders are listed again', async () => {
    writeFileSync(join(repo.root, 'src/util/deep/new.ts'), 'export const added = 1;\n');
    unlinkSync(join(repo.root, 'docs/guide.md'));
    listing.reset();
    const g = await warm();
    assert.deepEqual(listing.listed.map((d) => d.slice(repo.root.length)).sort(), ['/docs', '/src/util/deep']);
    assert.deepEqual(found(g), found(await cold()));
    assert.ok(g.files.some((f) => f.path === 'src/util/deep/new.ts'));
    assert.ok(!g.files.some((f) => f.path === 'docs/guide.md'));
    settle('docs', 'src/util/deep');
  });

  test('a folder renamed is seen under its new name, the old one gone', async () => {
    renameSync(join(repo.root, 'src/util/deep'), join(repo.root, 'src/util/deeper'));
    const g = await warm();
    assert.deepEqual(found(g), found(await cold()));
    assert.ok(g.files.some((f) => f.path === 'src/util/deeper/x.ts'));
    assert.ok(!g.files.some((f) => f.path.startsWith('src/util/deep/')));
    settle('src/util');
  });

  test('a .gitignore edited in place (its folder unchanged) applies at once, below it too', async () => {
    listing.reset();
    assert.deepEqual(listing.listed, []);
    writeFileSync(join(repo.root, '.gitignore'), 'build/\n*.log\nstrings.ts\n');
    settle('.');
    const g = await warm();
    assert.deepEqual(found(g), found(await cold()));
    assert.ok(!g.files.some((f) => f.path === 'src/util/strings.ts'), 'the new rule applies in a subfolder');
    writeFileSync(join(repo.root, '.gitignore'), 'build/\n*.log\n');
    const back = await warm();
    assert.ok(back.files.some((f) => f.path === 'src/util/strings.ts'));
    assert.deepEqual(found(back), found(await cold()));
  });

  test('an empty .gitignore that gets a rule, its folder unchanged: the rule applies at once', async () => {
    writeFileSync(join(repo.root, 'docs/.gitignore'), '');
    writeFileSync(join(repo.root, 'docs/draft.md'), '# Draft\n');
    settle('docs', 'docs/.gitignore', 'docs/draft.md');
    await warm();
    writeFileSync(join(repo.root, 'docs/.gitignore'), 'draft.md\n');
    const g = await warm();
    assert.ok(!g.files.some((f) => f.path === 'docs/draft.md'), 'the new rule applies');
    assert.deepEqual(found(g), found(await cold()));
  });

  test('other excludes or options: the folders are listed under them, never from a listing made under others', async () => {
    const options: GatherOptions = { excludes: ['docs/', 'src/app.ts'], includeSecrets: true };
    listing.reset();
    const g = await warm(options);
    assert.ok(listing.listed.length >= 5, 'listed again under the new options');
    assert.deepEqual(found(g), found(await cold(options)));
    assert.ok(g.skipped.some((s) => s.path === 'src/app.ts' && s.reason === 'excluded by your excludes'));
    assert.ok(
      g.files.some((f) => f.path === '.env'),
      'secrets included',
    );
    assert.deepEqual(found(await warm()), found(await cold()), 'and back');
  });

  test('a folder just changed is listed again until its time is old enough to tell a later change from it', async () => {
    mkdirSync(join(repo.root, 'fresh'));
    writeFileSync(join(repo.root, 'fresh/a.ts'), 'export const a = 1;\n');
    await warm();
    writeFileSync(join(repo.root, 'fresh/b.ts'), 'export const b = 1;\n');
    listing.reset();
    const g = await warm();
    assert.ok(
      listing.listed.some((d) => d.endsWith('/fresh')),
      'a folder modified within the last two seconds is not trusted',
    );
    assert.ok(g.files.some((f) => f.path === 'fresh/b.ts'));
    assert.deepEqual(found(g), found(await cold()));
  });

  test('a folder that holds a symbolic link is listed at every walk (its target can change without it)', async () => {
    mkdirSync(join(repo.root, 'links'));
    symlinkSync(join(repo.root, 'src/app.ts'), join(repo.root, 'links/app.ts'));
    settle('links', '.', '.gitignore', 'fresh', 'fresh/a.ts', 'fresh/b.ts', 'docs', 'docs/.gitignore');
    await warm();
    listing.reset();
    const g = await warm();
    assert.deepEqual(
      listing.listed.map((d) => d.slice(repo.root.length)),
      ['/links'],
    );
    assert.deepEqual(found(g), found(await cold()));
  });
});
