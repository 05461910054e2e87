// One policy for what a caller may read: a folder a tool call names, an excerpt of a ranked file.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { folderUnderRoots, readUnderRoots } from '../../extension/core/files/roots';
import { linkedRepo, OUTSIDE_SECRET } from '../support/linkedRepo';
import { tempRepo } from '../support/tempRepo';

describe('roots', () => {
  const linked = linkedRepo();
  const outside = tempRepo({ 'elsewhere/notes.md': `${OUTSIDE_SECRET}\n` });
  mkdirSync(join(linked.root, 'links'));
  symlinkSync(join(outside.root, 'elsewhere'), join(linked.root, 'links', 'away'));
  after(() => {
    linked.dispose();
    outside.dispose();
  });
  const roots = [{ path: linked.root, name: 'repo' }];

  test('a folder under a root is read; one outside, one reached by a link out, one that is a file or is missing are refused with why', async () => {
    assert.deepEqual(await folderUnderRoots(nodeFileSystem, roots, join(linked.root, 'src'), 'src'), { path: join(linked.root, 'src'), name: 'repo/src' });
    assert.deepEqual(await folderUnderRoots(nodeFileSystem, roots, linked.root, '.'), { path: linked.root, name: 'repo' });
    const refused = async (location: string, shown: string) => {
      const r = await folderUnderRoots(nodeFileSystem, roots, location, shown);
      assert.ok('refused' in r, `${shown} was accepted`);
      return r.refused;
    };
    assert.match(await refused('/etc', '/etc'), /^\/etc is outside the folders this server may read/);
    assert.match(await refused(join(linked.root, '..'), '..'), /^\.\. is outside/);
    assert.match(await refused(join(linked.root, 'links', 'away'), 'links/away'), /^links\/away is outside/, 'a link out of the root');
    assert.equal(await refused(join(linked.root, 'missing'), 'missing'), 'missing is not a folder');
    assert.equal(await refused(join(linked.root, 'src', 'db.ts'), 'src/db.ts'), 'src/db.ts is not a folder');
  });

  test('an excerpt is read only from a file whose real path is under a root', async () => {
    assert.match((await readUnderRoots(nodeFileSystem, roots, join(linked.root, 'src', 'db.ts'))) ?? '', /connectDatabase/);
    assert.equal(await readUnderRoots(nodeFileSystem, roots, join(linked.root, 'src', 'notes.md')), undefined);
    assert.equal(await readUnderRoots(nodeFileSystem, roots, join(linked.root, 'links', 'away', 'notes.md')), undefined);
    assert.equal(await readUnderRoots(nodeFileSystem, roots, join(linked.root, 'missing.ts')), undefined);
  });
});
