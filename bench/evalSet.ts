// Evaluation sets of real questions with the files their fixes changed: a JSONL line per item,
// either {repo, base_commit, question, gold_files} (a git snapshot, extracted one item at a time)
// or {repo_dir, question, gold_files} (a folder on disk).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export interface EvalItem {
  instance_id?: string;
  repo?: string;
  base_commit?: string;
  repo_dir?: string;
  question: string;
  gold_files: string[];
}

export function readItems(file: string): EvalItem[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EvalItem);
}

/** hit@k, recall@k and MRR of one ranking against the gold files. */
export function metrics(ranked: string[], gold: string[]) {
  const first = ranked.findIndex((p) => gold.includes(p));
  const within = (k: number) => ranked.slice(0, k).filter((p) => gold.includes(p)).length;
  return {
    hit1: within(1) > 0 ? 1 : 0,
    hit5: within(5) > 0 ? 1 : 0,
    hit10: within(10) > 0 ? 1 : 0,
    recall5: within(5) / gold.length,
    recall10: within(10) / gold.length,
    mrr: first >= 0 ? 1 / (first + 1) : 0,
  };
}
export type Metrics = ReturnType<typeof metrics>;

export function average(rows: Metrics[]): Metrics {
  const avg = (k: keyof Metrics) => rows.reduce((a, r) => a + r[k], 0) / Math.max(1, rows.length);
  return { hit1: avg('hit1'), hit5: avg('hit5'), hit10: avg('hit10'), recall5: avg('recall5'), recall10: avg('recall10'), mrr: avg('mrr') };
}

export function formatMetrics(m: Metrics): string {
  return `hit@1 ${m.hit1.toFixed(3)} hit@5 ${m.hit5.toFixed(3)} hit@10 ${m.hit10.toFixed(3)} recall@5 ${m.recall5.toFixed(3)} recall@10 ${m.recall10.toFixed(3)} MRR ${m.mrr.toFixed(3)}`;
}

/**
 * The item's repository as a folder: its own `repo_dir`, or its commit written out of the git
 * directory found for its repo (`<mirrors>/<owner>+<name>/repo`, as the search tool's fetch lays
 * them, or `<mirrors>/<owner>+<name>.git`). `cleanup` removes what was written.
 */
export function checkout(item: EvalItem, options: { mirrors: string; baseDir: string }): { dir: string; cleanup(): void } {
  if (item.repo_dir) return { dir: isAbsolute(item.repo_dir) ? item.repo_dir : join(options.baseDir, item.repo_dir), cleanup() {} };
  if (!item.repo || !item.base_commit) throw new Error('an item needs repo_dir, or repo and base_commit');
  const gitDir = gitDirOf(item.repo, options.mirrors);
  const dir = mkdtempSync(join(tmpdir(), 'xl3m-eval-'));
  writeTree(gitDir, item.base_commit, dir);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The git directory of a repository's snapshot under `mirrors`. */
export function gitDirOf(repo: string, mirrors: string): string {
  const key = repo.replace('/', '+');
  const gitDirs = [join(mirrors, key, 'repo'), join(mirrors, `${key}.git`), join(mirrors, key)];
  const gitDir = gitDirs.find((d) => {
    try {
      execFileSync('git', ['--git-dir', d, 'rev-parse', '--git-dir'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!gitDir) throw new Error(`no git directory for ${repo} under ${mirrors} (tried ${gitDirs.join(', ')})`);
  return gitDir;
}

/** Every blob of the commit's tree that the snapshot holds (snapshots may lack a few large files; symlinks and submodules left out). */
function writeTree(gitDir: string, commit: string, out: string) {
  const script = `
import os, subprocess, sys, threading
gitdir, rev, out = sys.argv[1:4]
tree = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", "-z", rev], check=True, capture_output=True).stdout
entries = []
for rec in tree.split(b"\\0"):
    if not rec: continue
    meta, path = rec.split(b"\\t", 1)
    mode, kind, sha = meta.split()
    if kind == b"blob" and mode != b"120000": entries.append((sha.decode(), path.decode("utf-8", "surrogateescape")))
proc = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def feed():
    proc.stdin.write("".join(f"{sha}\\n" for sha, _ in entries).encode()); proc.stdin.close()
threading.Thread(target=feed, daemon=True).start()
for sha, path in entries:
    header = proc.stdout.readline().split()
    if len(header) < 3 or header[1] == b"missing": continue
    data = proc.stdout.read(int(header[2])); proc.stdout.read(1)
    dest = os.path.join(out, path)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f: f.write(data)
proc.wait()
`;
  execFileSync('python3', ['-c', script, gitDir, commit, out], { stdio: ['ignore', 'ignore', 'inherit'] });
}
