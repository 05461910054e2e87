// Where the warm index lives on disk, one file per set of repository roots: `XL3M_CACHE_DIR`, else
// the user's cache folder of the platform; private to the user (0700), never inside a repository.
// What the folder holds (listing, clearing, trimming it) is cacheContents.ts: this file is loaded
// by every command, and reading an index's header needs the index format.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const INDEX_SUFFIX = '.index';

/** The cache folder: `XL3M_CACHE_DIR`, else `$XDG_CACHE_HOME/xl3m` or `~/.cache/xl3m`, `~/Library/Caches/xl3m`, `%LOCALAPPDATA%\xl3m`. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.XL3M_CACHE_DIR) return path.resolve(env.XL3M_CACHE_DIR);
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'xl3m');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'xl3m');
  return path.join(env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache'), 'xl3m');
}

/** The index file of a set of roots (real paths): the same whatever their order. */
export function indexFileOf(folder: string, roots: readonly string[]): string {
  const key = createHash('sha256')
    .update([...roots].sort().join('\0'))
    .digest('hex')
    .slice(0, 32);
  return path.join(folder, `${key}${INDEX_SUFFIX}`);
}

/** Makes the folder (0700) if it is not there; a folder that exists keeps its own mode unless it is ours to tighten. */
export async function ensureCacheFolder(folder: string): Promise<void> {
  await fsp.mkdir(folder, { recursive: true, mode: 0o700 });
  const st = await fsp.stat(folder);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) await fsp.chmod(folder, 0o700);
}
