import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export const NEEDLE_QUESTION = 'What is the secret deployment codename of the billing service?';
export const NEEDLE_ANSWER = 'PURPLE-ELEPHANT-42';
const NEEDLE = `// The secret deployment codename of the billing service is ${NEEDLE_ANSWER}.\n`;

/**
 * A repository of real code: the installed `openai` package's JavaScript and TypeScript sources
 * (pinned by the lock file), with one fact planted in one file at the given depth (0..1 of the
 * file list, in path order).
 */
/** The installed `openai` package's folder and its JavaScript/TypeScript sources (no .d.ts), in path order. */
export function openaiSources(): { dir: string; files: string[] } {
  let dir = dirname(require.resolve('openai'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (/\.(m?js|ts)$/.test(name) && !/\.d\.m?ts$/.test(name)) files.push(relative(dir, abs));
    }
  };
  walk(dir);
  return { dir, files };
}

export function needleRepo(options: { maxFiles?: number; depth?: number } = {}) {
  const { dir: source, files: all } = openaiSources();
  const files = all.slice(0, options.maxFiles ?? all.length);
  const root = mkdtempSync(join(tmpdir(), 'xl3m-needle-'));
  for (const f of files) cpSync(join(source, f), join(root, f));
  const needlePath = files[Math.min(files.length - 1, Math.floor((options.depth ?? 0.5) * files.length))]!;
  const abs = join(root, needlePath);
  const lines = readFileSync(abs, 'utf8').split('\n');
  const at = Math.floor(lines.length / 2);
  lines.splice(at, 0, NEEDLE.trimEnd());
  writeFileSync(abs, lines.join('\n'));
  return { root, files: files.length, paths: files, needlePath, needleLine: at + 1, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
