// What the warm-index tests share: files aged as in a checkout not just written, a file system that
// counts what it reads, and a ranking in the form two runs are compared in.
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFileSystem, type FileSystem } from '../../extension/core/files/fileSystem';
import type { AskResult } from '../../extension/core/pipeline';

/** Every file's and folder's modification time an hour back, as in a checkout that was not just written. */
export function age(dir: string) {
  const past = new Date(Date.now() - 3600_000);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) age(p);
    else utimesSync(p, past, past);
  }
  utimesSync(dir, past, past);
}

/** node:fs, counting the folders it lists. */
export function listingFs() {
  const listed: string[] = [];
  const fs: FileSystem = { ...nodeFileSystem, readDirectory: (d) => (listed.push(d), nodeFileSystem.readDirectory(d)) };
  return { fs, listed, reset: () => void listed.splice(0) };
}

/** node:fs, counting the files it reads (ignore rules, read at every walk since they may change, apart). */
export function countingFs() {
  const read: string[] = [];
  const rules = /(^|\/)(\.gitignore|\.git\/info\/exclude)$/;
  const fs: FileSystem = { ...nodeFileSystem, readFile: (f) => (rules.test(f) || read.push(f), nodeFileSystem.readFile(f)) };
  return { fs, read, reset: () => void read.splice(0) };
}

/** Every file's path, score, kind, ranges and key-context mark. */
export const ranking = (r: AskResult) => r.files.map((f) => ({ path: f.path, score: f.score, kind: f.kind, ranges: f.ranges, inKeyContext: f.inKeyContext }));

/** A small repository that exercises a walk: ignore rules at two levels, an ignored folder, default excludes, a secret. */
export const WALKED_REPO: Record<string, string> = {
  '.gitignore': 'build/\n*.log\n',
  'src/app.ts': 'export const app = 1;\n',
  'src/util/strings.ts': 'export const trim = (s: string) => s.trim();\n',
  'src/util/.gitignore': 'generated.ts\n',
  'src/util/generated.ts': 'export const g = 1;\n',
  'src/util/deep/x.ts': 'export const x = 1;\n',
  'build/out.js': 'ignored\n',
  'debug.log': 'ignored\n',
  'node_modules/dep/index.js': 'excluded by default\n',
  '.env': 'SECRET=1\n',
  'docs/guide.md': '# Guide\n',
};
