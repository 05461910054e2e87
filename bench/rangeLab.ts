// Development only: whether the line ranges shown for a gold file hold the lines its fix changed,
// with the ranges following the matching lines (focusedRanges.ts) and with the best 60-line chunks,
// in one run on the same rankings. Items need the fix commit after '@' in their id (tsjs-fixes.jsonl).
// tsx bench/rangeLab.ts --dataset bench/quality/tsjs-fixes.jsonl --mirrors DIR [--every N] [--top K]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import { countQuestionTerms, DEFAULT_LEXICAL_PARAMS, scoreLexically } from '../extension/core/lexical/lexicalRanking';
import { prepareStructure, rankedByStructure } from '../extension/core/structure/definitions';
import { DEFAULT_EXCLUDES } from '../extension/core/options';
import type { LineRange } from '../extension/core/types';
import { checkout, gitDirOf, readItems } from './evalSet';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, mirrors: { type: 'string' }, every: { type: 'string' }, top: { type: 'string' } } });
const every = Number(values.every ?? 1);
const top = Number(values.top ?? 10);
const items = readItems(values.dataset!).filter((item, i) => i % every === 0 && item.instance_id?.includes('@'));

/** The old file's lines the fix changed (a pure insertion: the two lines it went between). */
function changedLines(gitDir: string, base: string, fix: string, path: string): LineRange[] {
  const diff = execFileSync('git', ['--git-dir', gitDir, 'diff', '-U0', base, fix, '--', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return [...diff.matchAll(/^@@ -(\d+)(?:,(\d+))? /gm)].map((m) => {
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    return count === 0 ? { start: Math.max(1, start), end: start + 1 } : { start, end: start + count - 1 };
  });
}

const variants = { focused: DEFAULT_LEXICAL_PARAMS, chunks: { ...DEFAULT_LEXICAL_PARAMS, focusedFiles: 0 } };
const rows: Record<string, { covered: number; lines: number }[]> = { focused: [], chunks: [] };
(async () => {
  for (const item of items) {
    const gitDir = gitDirOf(item.repo!, values.mirrors!);
    const fix = item.instance_id!.split('@')[1]!;
    const co = checkout(item, { mirrors: values.mirrors!, baseDir: '.' });
    try {
      const g = await gather(nodeFileSystem, [{ path: co.dir, name: 'r' }], { excludes: DEFAULT_EXCLUDES });
      const files = g.files.map((f) => ({ path: f.path, text: f.text }));
      await prepareStructure(files.filter((f) => rankedByStructure(f.path)).map((f) => f.path));
      const counts = countQuestionTerms(files, item.question, DEFAULT_LEXICAL_PARAMS);
      const line: string[] = [];
      for (const [name, params] of Object.entries(variants)) {
        const evidence = scoreLexically(counts, params).files;
        const order = evidence
          .map((e, i) => [e.score, i] as const)
          .filter(([s]) => s > 0)
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
          .slice(0, top);
        for (const [, i] of order) {
          const path = files[i]!.path;
          if (!item.gold_files.includes(path)) continue;
          const changed = changedLines(gitDir, item.base_commit!, fix, path);
          if (changed.length === 0) continue;
          const ranges = evidence[i]!.ranges;
          const covered = changed.some((c) => ranges.some((r) => r.start <= c.end && c.start <= r.end)) ? 1 : 0;
          const lines = ranges.reduce((a, r) => a + r.end - r.start + 1, 0);
          rows[name]!.push({ covered, lines });
          line.push(`${name}:${path}:${covered ? 'held' : 'missed'}:${lines}`);
        }
      }
      console.error(item.instance_id, line.join(' '));
    } finally {
      co.cleanup();
    }
  }
  for (const [name, r] of Object.entries(rows)) {
    const held = r.reduce((a, x) => a + x.covered, 0);
    const lines = r.map((x) => x.lines).sort((a, b) => a - b);
    const mean = lines.reduce((a, b) => a + b, 0) / Math.max(1, lines.length);
    console.log(
      `${name.padEnd(8)} gold files in the top ${top}: ${r.length}; a range holds a changed line: ${held} (${(held / Math.max(1, r.length)).toFixed(3)}); lines shown: mean ${mean.toFixed(1)}, median ${lines[Math.floor(lines.length / 2)] ?? 0}`,
    );
  }
})();
