// The one policy for what a caller may read, whichever entry point it comes through (a tool call's
// folder, an excerpt of a ranked file): a path counts as under a root only by its real path, so a
// symbolic link cannot lead out of the folders the user opened or named.
import { decodeText } from './fileClassifier';
import type { FileSystem } from './fileSystem';
import type { GatherRoot } from './gather';

/** Where `location` lies under one of the roots, by real paths: that root and the relative path, or undefined. */
async function underRoots(
  fs: FileSystem,
  roots: readonly GatherRoot[],
  location: string,
): Promise<{ root: GatherRoot; real: string; rel: string } | undefined> {
  const real = await realOrSame(fs, location);
  if (real === undefined) return undefined;
  for (const root of roots) {
    const realRoot = (await realOrSame(fs, root.path)) ?? root.path;
    if (real === realRoot) return { root, real, rel: '' };
    const rel = fs.relativeTo(realRoot, real);
    if (rel !== undefined) return { root, real, rel };
  }
  return undefined;
}

/** The real path; the path itself where the file system cannot resolve links (a virtual workspace); undefined when it does not exist. */
async function realOrSame(fs: FileSystem, location: string): Promise<string | undefined> {
  try {
    return (await fs.realPath(location)) ?? location;
  } catch {
    return undefined;
  }
}

/**
 * The folder a caller names (already a path or URI of the file system's form), as a root to read:
 * it must be a folder, and its real path must lie under one of the roots. Otherwise the reason, in
 * words for the caller.
 */
export async function folderUnderRoots(fs: FileSystem, roots: readonly GatherRoot[], folder: string, shown: string): Promise<GatherRoot | { refused: string }> {
  const found = await underRoots(fs, roots, folder);
  if (!found) {
    const exists = await realOrSame(fs, folder);
    return {
      refused:
        exists === undefined ? `${shown} is not a folder` : `${shown} is outside the folders this server may read (${roots.map((r) => r.path).join(', ')})`,
    };
  }
  if (
    !(await fs.readDirectory(found.real).then(
      () => true,
      () => false,
    ))
  )
    return { refused: `${shown} is not a folder` };
  return { path: found.real, name: found.rel ? `${found.root.name}/${found.rel}` : found.root.name };
}

/** A ranked file's text for an excerpt, read only when its real path lies under a root; undefined otherwise or when unreadable. */
export async function readUnderRoots(fs: FileSystem, roots: readonly GatherRoot[], location: string): Promise<string | undefined> {
  const found = await underRoots(fs, roots, location);
  if (!found) return undefined;
  try {
    const decoded = decodeText(await fs.readFile(found.real));
    return 'text' in decoded ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}
