// `npm run bench:monorepo -- --root DIR` (or `--mirrors DIR...`: git directories of public
// snapshots, each written out with `git archive` into one folder first): many questions on one
// large repository, in one run, as a long-lived host (the extension host, `xl3m mcp`) meets them:
// the cold question, the same again, another, after an edit, after a "branch switch" (2% of the
// files rewritten), each against a plain BM25 script over every text file and `grep -rIci` in the
// same run, with the host's peak RSS; and the same steps through the built CLI as a user runs it,
// a new process each time: with `--no-server` (its index read from and written to disk, a temporary
// XL3M_CACHE_DIR) and through the repository's background server (another temporary folder), with
// their wall time, peak RSS and the cache's size. Writes a table on stdout and bench/plots/monorepo.svg.
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FileCache, readTextIfUnchanged } from '../extension/core/files/fileCache';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { gather } from '../extension/core/files/gather';
import { DEFAULT_EXCLUDES } from '../extension/core/options';
import { ask } from '../extension/core/pipeline';
import { TiktokenTokenizer } from '../extension/core/tokens/tokenizer';
import { TokenCountCache } from '../extension/core/tokens/tokenCountCache';
import { WarmIndex } from '../extension/core/warmIndex';
import { barChart } from './svgChart';

const QUESTIONS = [
  'How does the dev server handle hot module replacement for CSS files?',
  'Where is the component template parsed into an abstract syntax tree?',
];

function argValues(name: string): string[] {
  const out: string[] = [];
  for (let i = 2; i < process.argv.length; i++)
    if (process.argv[i] === name) for (let j = i + 1; j < process.argv.length && !process.argv[j]!.startsWith('--'); j++) out.push(process.argv[j]!);
  return out;
}

function buildFromMirrors(mirrors: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'xl3m-monorepo-'));
  for (const gitDir of mirrors) {
    const name = basename(gitDir === '.' ? process.cwd() : gitDir.replace(/\/repo$|\.git$/, '')).replace(/^.*\+/, '');
    mkdirSync(join(root, name));
    execFileSync('bash', ['-c', `git --git-dir="${gitDir}" archive HEAD | tar -x -C "${join(root, name)}"`], { stdio: ['ignore', 'ignore', 'ignore'] });
  }
  return root;
}

function textFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === '.git' || name === 'node_modules') continue;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) textFiles(p, out);
    else if (st?.isFile() && st.size < 1024 * 1024) out.push(p);
  }
  return out;
}

async function main() {
  const given = argValues('--root')[0];
  const root = given ?? buildFromMirrors(argValues('--mirrors'));
  const tokenizer = new TiktokenTokenizer();
  // as the extension host's disk index and the CLI's server hold it: the files' words, their texts read again when needed
  const index = new WarmIndex(new FileCache(readTextIfUnchanged));
  // as the extension host and the CLI's server do: the folders watched, what did not change not stat'ed
  const unwatched = index.watchFolders([root]);
  if (unwatched) console.error(`the host's index is not watched: ${unwatched}`);
  // as `xl3m mcp` and the extension keep them: token counts of unchanged files are not counted again
  const tokenCache = new TokenCountCache();
  const rows: {
    step: string;
    xl3m: number;
    bm25: number;
    grep: number;
    read: number;
    reused: number;
    top: string;
    cli: number;
    cliRss: number;
    cliRead: number;
    cliTop: string;
    server: number;
    serverRss: number;
    serverRead: number;
  }[] = [];
  const cache = mkdtempSync(join(tmpdir(), 'xl3m-monorepo-cache-'));
  const serverCache = mkdtempSync(join(tmpdir(), 'xl3m-monorepo-server-cache-'));
  const cli = join(__dirname, '..', 'dist', 'cli.js');
  // the CLI as a user runs it: a new process, its index read from and written to the cache folder (--no-server), or asking the repository's server
  const cliAsk = (question: string, server = false) => {
    const started = performance.now();
    const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'ask', question, '--repo', root, '--json', ...(server ? [] : ['--no-server'])], {
      env: { ...process.env, XL3M_CACHE_DIR: server ? serverCache : cache },
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`the CLI failed: ${run.stderr}`);
    const out = JSON.parse(run.stdout) as { files: { path: string }[]; stats: { filesRead: number } };
    const rss = Number(run.stderr.trim().split('\n').pop()) / 1024;
    return { seconds, rss, read: out.stats.filesRead, top: out.files[0]!.path };
  };
  // the server's peak RSS (it keeps the index in memory), from /proc
  const serverPeakRss = () => {
    const status = spawnSync(process.execPath, [cli, 'server', 'status'], { env: { ...process.env, XL3M_CACHE_DIR: serverCache }, encoding: 'utf8' }).stdout;
    const pid = /pid (\d+)/.exec(status)?.[1];
    const hwm = pid ? /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] : undefined;
    return hwm ? Number(hwm) / 1024 : NaN;
  };
  const timed = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
    const started = performance.now();
    const value = await fn();
    return [value, (performance.now() - started) / 1000];
  };
  // the reference a user would write: read every text file and rank with plain BM25, nothing kept;
  // in a process of its own, as a script runs (in this one, its 78 MB of texts became the host's
  // garbage and the host's next question paid for collecting it)
  const plainBm25 = (question: string): number => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'plainBm25Script.ts'), root, question], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the plain BM25 script failed: ${run.stderr}`);
    return (JSON.parse(run.stdout) as { seconds: number }).seconds;
  };
  const grep = (question: string) =>
    spawnSync('grep', ['-rIci', '--exclude-dir=node_modules', '--exclude-dir=.git', question.split(' ').slice(-2)[0]!, root], { maxBuffer: 1 << 30 });
  const step = async (name: string, question: string) => {
    const [result, xl3m] = await timed(() =>
      ask({ question, roots: [{ path: root, name: basename(root) }] }, { fs: nodeFileSystem, tokenizer, tokenCache, index }),
    );
    const bm25 = plainBm25(question);
    const [, grepSeconds] = await timed(() => grep(question));
    const c = cliAsk(question);
    const s = cliAsk(question, true);
    const serverRss = serverPeakRss();
    // the server writes its index back 3 s after a question: not while the next step is timed
    await sleep(7000);
    rows.push({
      step: name,
      xl3m,
      bm25,
      grep: grepSeconds,
      read: result.stats.filesRead,
      reused: result.stats.filesReused,
      top: result.files[0]!.path,
      cli: c.seconds,
      cliRss: c.rss,
      cliRead: c.read,
      cliTop: c.top,
      server: s.seconds,
      serverRss,
      serverRead: s.read,
    });
    console.error(
      `${name}: ${xl3m.toFixed(2)} s (read ${result.stats.filesRead}, reused ${result.stats.filesReused}); CLI ${c.seconds.toFixed(2)} s (read ${c.read}, ${c.rss.toFixed(0)} MB); CLI through its server ${s.seconds.toFixed(2)} s (read ${s.read}, server ${serverRss.toFixed(0)} MB); plain BM25 ${bm25.toFixed(2)} s; grep ${grepSeconds.toFixed(2)} s`,
    );
    if (c.top !== result.files[0]!.path || s.top !== c.top)
      throw new Error(`the CLI, its server and the host disagree on the best file: ${c.top} / ${s.top} / ${result.files[0]!.path}`);
  };

  const files = textFiles(root);
  await step('cold', QUESTIONS[0]!);
  await step('repeat', QUESTIONS[0]!);
  await step('another question', QUESTIONS[1]!);
  const edited = files[Math.floor(files.length / 2)]!;
  appendFileSync(edited, '\n// edited by the benchmark\n');
  await step('after one edit', QUESTIONS[0]!);
  // a branch switch: 2% of the files rewritten
  for (let i = 0; i < files.length; i += 50) {
    const text = readFileSync(files[i]!);
    writeFileSync(files[i]!, Buffer.concat([text, Buffer.from('\n')]));
  }
  await step('after a branch switch (2% of files)', QUESTIONS[1]!);

  const rss = process.resourceUsage().maxRSS / 1024;
  const g = await gather(nodeFileSystem, [{ path: root, name: 'r' }], { excludes: DEFAULT_EXCLUDES });
  const mb = g.files.reduce((a, f) => a + f.bytes, 0) / 1e6;
  console.log(
    `| step | host (s) | host: files read / reused | host / cold | CLI --no-server (s) | its files read | / its cold | its peak RSS (MB) | CLI through its server (s) | files read | / its cold | server's peak RSS (MB) | plain BM25 script (s) | grep -rIci (s) | host / BM25 | CLI --no-server / BM25 | CLI via server / BM25 |`,
  );
  console.log(`|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows)
    console.log(
      `| ${r.step} | ${r.xl3m.toFixed(2)} | ${r.read} / ${r.reused} | ${(r.xl3m / rows[0]!.xl3m).toFixed(3)} | ${r.cli.toFixed(2)} | ${r.cliRead} | ${(r.cli / rows[0]!.cli).toFixed(3)} | ${r.cliRss.toFixed(0)} | ${r.server.toFixed(2)} | ${r.serverRead} | ${(r.server / rows[0]!.server).toFixed(3)} | ${r.serverRss.toFixed(0)} | ${r.bm25.toFixed(2)} | ${r.grep.toFixed(2)} | ${(r.xl3m / r.bm25).toFixed(3)} | ${(r.cli / r.bm25).toFixed(3)} | ${(r.server / r.bm25).toFixed(3)} |`,
    );
  const cacheBytes = readdirSync(cache).reduce((a, n) => a + statSync(join(cache, n)).size, 0);
  console.log(
    `\n${g.files.length} files kept (${mb.toFixed(0)} MB of text), ${g.skipped.length} skipped; peak RSS of this process ${rss.toFixed(0)} MB; the CLI's index on disk ${(cacheBytes / 2 ** 20).toFixed(1)} MB`,
  );
  mkdirSync(join(__dirname, 'plots'), { recursive: true });
  barChart(join(__dirname, 'plots', 'monorepo.svg'), {
    title: `Questions in a row on ${g.files.length.toLocaleString('en')} files: seconds, one run`,
    yLabel: 'seconds',
    categories: rows.map((r) => r.step),
    series: [
      { name: 'xl3m (warm host)', values: rows.map((r) => r.xl3m) },
      { name: 'xl3m CLI --no-server (index on disk)', values: rows.map((r) => r.cli) },
      { name: 'xl3m CLI through its server', values: rows.map((r) => r.server) },
      { name: 'plain BM25 script', values: rows.map((r) => r.bm25) },
      { name: 'grep -rIci', values: rows.map((r) => r.grep) },
    ],
  });
  tokenizer.dispose();
  spawnSync(process.execPath, [cli, 'server', 'stop'], { env: { ...process.env, XL3M_CACHE_DIR: serverCache } });
  rmSync(cache, { recursive: true, force: true });
  rmSync(serverCache, { recursive: true, force: true });
  if (!given) rmSync(root, { recursive: true, force: true });
}

void main();
