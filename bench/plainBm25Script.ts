// The plain BM25 script a user would write, as a process of its own (`tsx bench/plainBm25Script.ts
// ROOT QUESTION`): read every text file, rank with referenceBm25, keep nothing. Prints its own time
// from the first read to the ranking, in seconds, and the best file, as JSON; Node's and tsx's start
// are left out, so the script is timed at its fastest.
import { gather } from '../extension/core/files/gather';
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { DEFAULT_EXCLUDES } from '../extension/core/options';
import { referenceBm25 } from './referenceBm25';

async function main() {
  const [root, question] = process.argv.slice(2);
  if (!root || !question) throw new Error('usage: tsx bench/plainBm25Script.ts ROOT QUESTION');
  const started = performance.now();
  const g = await gather(nodeFileSystem, [{ path: root, name: 'r' }], { excludes: DEFAULT_EXCLUDES });
  const best = referenceBm25(g.files, question)[0];
  process.stdout.write(JSON.stringify({ seconds: (performance.now() - started) / 1000, best }) + '\n');
}
void main();
