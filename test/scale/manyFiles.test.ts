// A workspace of 100,001 small files, gathered, segmented and scored: a scale check, run by
// `npm run test:scale` (and CI), not by the quicker `npm test`.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { CompletionsScorer } from '../../extension/core/model/families/vllm';
import { ask } from '../../extension/core/pipeline';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';
import { tempRepo } from '../support/tempRepo';

const tokenizer = new TiktokenTokenizer();
let server: ScoringServer;
before(async () => {
  server = await startScoringServer();
});
after(async () => {
  tokenizer.dispose();
  await server.close();
});
const deps = () => ({ fs: nodeFileSystem, tokenizer, scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }) });
const QUESTION = 'Where is the launch code of the orbital cannon stored?';
const FACT = 'The launch code of the orbital cannon is stored in vault seven.';

describe('scale', () => {
  test('100k small files: gathered, segmented and scored', { timeout: 240_000 }, async () => {
    const repo = tempRepo({});
    try {
      for (let d = 0; d < 100; d++) {
        const dir = join(repo.root, `pkg${String(d).padStart(3, '0')}`);
        mkdirSync(dir);
        for (let f = 0; f < 1000; f++) writeFileSync(join(dir, `m${f}.ts`), `export const v${d}_${f} = ${f};\n`);
      }
      writeFileSync(join(repo.root, 'pkg050', 'fact.ts'), `// ${FACT}\n`);
      const started = performance.now();
      const result = await ask({ question: QUESTION, roots: [{ path: repo.root, name: 'r' }], refineTop: 0 }, deps());
      assert.equal(result.stats.files, 100_001);
      assert.equal(result.stats.scoredSegments, result.stats.segments);
      const fact = result.files.find((f) => f.path === 'pkg050/fact.ts');
      assert.ok(fact && fact.score === result.files[0]!.score, 'the fact is in the best segment');
      console.log(`100k files: ${result.stats.tokens} tokens, ${result.stats.segments} segments, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      repo.dispose();
    }
  });
});
