// `tsx bench/mineFixCommits.ts --mirrors DIR --out F.jsonl [--language tsjs|go] owner/name[:count] ...`
//
// An evaluation set from public repositories' fix commits: the commit message is the question,
// the source files the commit changed (tests, docs, changelogs and config left out) are the
// answer key, the parent commit is the repository asked. Messages that name a changed file are
// left out (the answer would be in the question), and so are sweeping commits (more than
// `--max-files` files changed) and messages too short to ask anything. The newest qualifying
// commits first, deterministically.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileKind } from '../extension/core/files/fileKind';
import type { EvalItem } from './evalSet';

/** The source files an answer key holds, by language family (`--language`). */
const CODE: Record<string, RegExp> = {
  tsjs: /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx|vue|svelte)$/,
  go: /\.go$/,
};
const GENERIC_STEMS = new Set([
  'index',
  'utils',
  'util',
  'types',
  'main',
  'helpers',
  'constants',
  'shared',
  'options',
  'errors',
  'parse',
  'print',
  'printer',
  'compile',
  'render',
  'state',
  'scope',
]);

/** Does the message name the file: its path, its file name, or a distinctive stem as a word? */
export function namesFile(message: string, path: string): boolean {
  const lower = message.toLowerCase();
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const stem = name.replace(/\.[^.]+$/, '');
  if (lower.includes(path.toLowerCase()) || lower.includes(name)) return true;
  if (stem.length >= 5 && !GENERIC_STEMS.has(stem)) return new RegExp(`(^|[^\\w-])${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(lower);
  return false;
}

/** The message as a question: without trailers, issue references and the PR number. */
export function cleanMessage(subject: string, body: string): string {
  const lines = body
    .split('\n')
    .filter((l) => !/^(co-authored-by|signed-off-by|reviewed-by|closes?|fixes?|fix|resolves?|close|ref|refs|see)\b.*(#\d+|https?:\/\/)/i.test(l.trim()))
    .filter((l) => !/^(co-authored-by|signed-off-by):/i.test(l.trim()));
  return [subject.replace(/\s*\(#\d+\)\s*$/, ''), lines.join('\n').trim()].filter(Boolean).join('\n\n').trim();
}

function git(gitDir: string, args: string[]): string {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
}

function mine(gitDir: string, repo: string, count: number, maxFiles: number, code: RegExp): EvalItem[] {
  const log = git(gitDir, ['log', '--no-merges', '--format=%H%x00%P%x00%s%x00%b%x1e', 'HEAD']);
  const out: EvalItem[] = [];
  for (const record of log.split('\x1e')) {
    if (out.length >= count) break;
    const [sha, parents, subject, body] = record.replace(/^\n/, '').split('\x00');
    if (!sha || !parents || parents.includes(' ') || !subject) continue;
    if (!/^fix(\(|:|\b)/i.test(subject.trim())) continue;
    const changed = git(gitDir, ['diff-tree', '--no-commit-id', '-r', '--name-only', '--no-renames', sha]).split('\n').filter(Boolean);
    if (changed.length === 0 || changed.length > maxFiles) continue;
    const gold = changed.filter((p) => fileKind(p) === 'source' && code.test(p));
    if (gold.length === 0 || gold.length > 4) continue;
    const question = cleanMessage(subject.trim(), (body ?? '').trim());
    if (question.replace(/^fix(\([^)]*\))?:?\s*/i, '').length < 25) continue;
    if (changed.some((p) => namesFile(question, p))) continue;
    // the gold files must exist at the parent (a fix that only adds files has no answer to find)
    const present = git(gitDir, ['ls-tree', '-r', '--name-only', parents, '--', ...gold])
      .split('\n')
      .filter(Boolean);
    if (present.length === 0) continue;
    out.push({ instance_id: `${repo}@${sha.slice(0, 12)}`, repo, base_commit: parents, question, gold_files: present });
  }
  return out;
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { mirrors: { type: 'string' }, out: { type: 'string' }, 'max-files': { type: 'string' }, language: { type: 'string' } },
  });
  const code = CODE[values.language ?? 'tsjs'];
  if (!code) throw new Error(`--language: one of ${Object.keys(CODE).join(', ')}`);
  const items: EvalItem[] = [];
  for (const spec of positionals) {
    const [repo, count] = spec.split(':');
    const gitDir = join(values.mirrors ?? '/work/.mirror', repo!.replace('/', '+'), 'repo');
    const mined = mine(gitDir, repo!, Number(count ?? 40), Number(values['max-files'] ?? 12), code);
    console.error(`${repo}: ${mined.length} questions`);
    items.push(...mined);
  }
  writeFileSync(values.out ?? 'bench/quality/tsjs-fixes.jsonl', items.map((i) => JSON.stringify(i)).join('\n') + '\n');
}
