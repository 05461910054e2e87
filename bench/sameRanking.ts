// `tsx bench/sameRanking.ts --dataset F.jsonl --mirrors DIR --before OLD/dist/cli.js [--after dist/cli.js] [--every K [--offset I]] [--limit N] [--twice] [--tolerance R]`:
// for a change that must not change the ranking (a refactor, a cache), each item's whole ranking
// from two builds of the CLI, compared byte for byte: every file's path, score, kind, ranges and
// key-context mark. With --twice, the new build asks a second time, from the index its first run
// left on disk, and that ranking must be the same too. Prints the items that differ, and how many
// were compared. Both builds keep their index caches in a temporary folder. With --tolerance, a score
// may differ by that much relative to the best file's (a change that adds the same numbers in
// another order): the files' order, kinds, ranges and marks must still be the same; the largest
// difference met is printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkout, readItems } from './evalSet';
import { askInProcess } from './cliFlags';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    mirrors: { type: 'string' },
    before: { type: 'string' },
    after: { type: 'string' },
    every: { type: 'string' },
    offset: { type: 'string' },
    limit: { type: 'string' },
    twice: { type: 'boolean' },
    tolerance: { type: 'string' },
  },
});
const cache = mkdtempSync(join(tmpdir(), 'xl3m-same-ranking-cache-'));
process.on('exit', () => rmSync(cache, { recursive: true, force: true }));
const items = readItems(values.dataset!)
  .filter((_, i) => i % Number(values.every ?? 1) === Number(values.offset ?? 0))
  .slice(0, values.limit ? Number(values.limit) : undefined);
const after = values.after ?? join(__dirname, '../dist/cli.js');

const ranking = (cli: string, question: string, dir: string) => {
  const out = execFileSync(process.execPath, [cli, 'ask', question, '--repo', dir, '--json', ...askInProcess(cli)], {
    maxBuffer: 1 << 30,
    env: { ...process.env, XL3M_CACHE_DIR: cache },
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const files = (JSON.parse(out) as { files: { path: string; score: number; kind: string; ranges: unknown; inKeyContext: boolean }[] }).files;
  return files.map((f) => [f.path, f.score, f.kind, f.ranges, f.inKeyContext] as const);
};
type Ranking = ReturnType<typeof ranking>;

const tolerance = Number(values.tolerance ?? 0);
let largest = 0;
/** Whether two rankings are the same: byte for byte, or with scores within the tolerance of the best file's. */
function sameRanking(a: Ranking, b: Ranking): boolean {
  if (tolerance === 0) return JSON.stringify(a) === JSON.stringify(b);
  if (a.length !== b.length) return false;
  const best = Math.max(1e-300, Math.abs(a[0]?.[1] ?? 0));
  return a.every((x, i) => {
    const y = b[i]!;
    const difference = Math.abs(x[1] - y[1]) / best;
    largest = Math.max(largest, difference);
    return difference <= tolerance && JSON.stringify([x[0], x[2], x[3], x[4]]) === JSON.stringify([y[0], y[2], y[3], y[4]]);
  });
}

let same = 0;
const differing: string[] = [];
for (const item of items) {
  const co = checkout(item, { mirrors: values.mirrors!, baseDir: process.cwd() });
  try {
    const before = ranking(values.before!, item.question, co.dir);
    if (sameRanking(before, ranking(after, item.question, co.dir)) && (!values.twice || sameRanking(before, ranking(after, item.question, co.dir)))) same++;
    else differing.push(item.instance_id ?? item.question.slice(0, 60));
  } finally {
    co.cleanup();
  }
  process.stderr.write(`\r${same + differing.length}/${items.length} compared, ${differing.length} differ`);
}
process.stderr.write('\n');
console.log(
  `${same} of ${items.length} items ranked the same, ${tolerance ? `scores within ${tolerance} of the best's (largest difference ${largest.toExponential(2)})` : 'byte for byte'}${differing.length ? `; differing: ${differing.join(', ')}` : ''}`,
);
process.exitCode = differing.length ? 1 : 0;
