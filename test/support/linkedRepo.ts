import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempRepo } from './tempRepo';

export const OUTSIDE_SECRET = 'outside-secret-do-not-send-7f3a9c';

/**
 * A repository with symbolic links to files: two that leave it (`src/notes.md` to a file holding
 * OUTSIDE_SECRET, `src/users.txt` to another file outside), one to a file inside (`docs/alias.md`
 * to `docs/guide.md`), one to an ignored file inside, and a broken one.
 */
export function linkedRepo() {
  const outside = mkdtempSync(join(tmpdir(), 'xl3m-outside-'));
  writeFileSync(join(outside, 'secrets.txt'), `The database password is ${OUTSIDE_SECRET}.\n`);
  writeFileSync(join(outside, 'passwd'), `root:x:0:0:${OUTSIDE_SECRET}:/root:/bin/bash\n`);
  const repo = tempRepo({
    '.gitignore': 'build/\n',
    'src/db.ts': 'export function connectDatabase(password: string) {\n  return { password };\n}\n',
    'docs/guide.md': '# Guide\nHow the database password is read.\n',
    'build/out.js': 'var built = 1;\n',
  });
  symlinkSync(join(outside, 'secrets.txt'), join(repo.root, 'src', 'notes.md'));
  symlinkSync(join(outside, 'passwd'), join(repo.root, 'src', 'users.txt'));
  symlinkSync(join(repo.root, 'docs', 'guide.md'), join(repo.root, 'docs', 'alias.md'));
  symlinkSync('../build/out.js', join(repo.root, 'src', 'built.js'));
  symlinkSync(join(repo.root, 'missing.ts'), join(repo.root, 'src', 'broken.ts'));
  return {
    root: repo.root,
    dispose: () => {
      repo.dispose();
      rmSync(outside, { recursive: true, force: true });
    },
  };
}

/** What gather says of each link in linkedRepo. */
export const LINK_REASONS = {
  'src/notes.md': 'symbolic link outside the repository (not followed)',
  'src/users.txt': 'symbolic link outside the repository (not followed)',
  'docs/alias.md': 'symbolic link to docs/guide.md (read there)',
  'src/built.js': 'symbolic link to build/out.js, which is not read',
  'src/broken.ts': 'not a regular file (or a broken link)',
};
